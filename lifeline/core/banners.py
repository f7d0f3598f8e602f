"""Site-wide banners contributed by apps without core importing them.

Each entry of ``settings.LIFELINE_BANNER_PROVIDERS`` is a dotted path to a function
``(request) -> list[Banner]``. The context processor collects them for ``base.html``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.http import HttpRequest
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Banner:
    message: str
    level: str = "warning"  # info | warning | danger
    url: str = ""
    action: str = ""


@cache
def _providers(paths: tuple[str, ...]) -> list:
    return [import_string(path) for path in paths]


def collect(request: HttpRequest) -> list[Banner]:
    paths = tuple(settings.LIFELINE_BANNER_PROVIDERS)
    banners: list[Banner] = []
    for provider in _providers(paths):
        banners.extend(provider(request))
    return banners
