import os

from django.core.wsgi import get_wsgi_application

from lifeline.core.env import ensure_metrics_dir

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lifeline.settings")
ensure_metrics_dir()
application = get_wsgi_application()
