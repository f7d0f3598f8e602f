import os

from django.core.asgi import get_asgi_application

from lifeline.core.env import ensure_metrics_dir

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lifeline.settings")
ensure_metrics_dir()
application = get_asgi_application()
