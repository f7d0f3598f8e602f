from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    return {
        "site_name": settings.LIFELINE_SITE_NAME,
        "site_domain": urlsplit(settings.LIFELINE_BASE_URL).netloc,
        # For the commands pages show (pip, twine, uv): absolute, so they work pasted as shown.
        "base_url": settings.LIFELINE_BASE_URL,
        "dev_outbox_enabled": settings.LIFELINE_DEV_OUTBOX,
    }


def banners(request: HttpRequest) -> dict:
    from lifeline.core.banners import collect

    return {"site_banners": collect(request)}
