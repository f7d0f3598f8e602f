"""PEP 691 content negotiation for the simple API, and whether to answer gzip-compressed."""

from __future__ import annotations

from dataclasses import dataclass

JSON_V1 = "application/vnd.pypi.simple.v1+json"
HTML_V1 = "application/vnd.pypi.simple.v1+html"
TEXT_HTML = "text/html"


@dataclass(frozen=True)
class Format:
    kind: str  # "html" or "json"
    content_type: str


# What each acceptable media type is answered with.
_OFFERS = {
    JSON_V1: Format("json", JSON_V1),
    "application/vnd.pypi.simple.latest+json": Format("json", JSON_V1),
    HTML_V1: Format("html", HTML_V1),
    "application/vnd.pypi.simple.latest+html": Format("html", HTML_V1),
    TEXT_HTML: Format("html", "text/html; charset=utf-8"),
}
DEFAULT = _OFFERS[TEXT_HTML]
_QUERY_FORMATS = {key: value for key, value in _OFFERS.items()}


def negotiate(accept: str, query_format: str | None = None) -> Format | None:
    """The format to answer with, or None when nothing offered is acceptable (406).

    No Accept header, or ``*/*``, means text/html (PEP 691). ``?format=<media type>`` wins
    over the header, as on PyPI.
    """
    if query_format:
        # A "+" in an unencoded query string arrives as a space.
        return _QUERY_FORMATS.get(query_format.strip().replace(" ", "+"))
    if not accept.strip():
        return DEFAULT
    best: tuple[float, int, Format] | None = None
    for position, item in enumerate(accept.split(",")[:32]):
        media, *params = (part.strip() for part in item.split(";"))
        media = media.lower()
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = max(0.0, min(1.0, float(value)))
                except ValueError:
                    quality = 0.0
        if quality <= 0:
            continue
        if media in _OFFERS:
            offer = _OFFERS[media]
        elif media in ("*/*", "text/*"):
            offer = DEFAULT
        elif media == "application/*":
            offer = _OFFERS[JSON_V1]
        else:
            continue
        candidate = (quality, -position, offer)
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    return best[2] if best else None


def accepts_gzip(accept_encoding: str) -> bool:
    """Does ``Accept-Encoding`` allow gzip (RFC 9110 12.5.3)? pip and uv send ``gzip``.

    ``gzip;q=0`` refuses it; ``*`` allows it unless gzip is refused by name.
    """
    named: float | None = None
    star = 0.0
    for item in accept_encoding.split(",")[:32]:
        coding, *params = (part.strip() for part in item.split(";"))
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        coding = coding.lower()
        if coding in ("gzip", "x-gzip"):
            named = max(named or 0.0, quality)
        elif coding == "*":
            star = quality
    return named > 0 if named is not None else star > 0
