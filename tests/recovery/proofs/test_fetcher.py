"""The repository fetcher: SSRF refusals (allow setting OFF) and real fetches (ON, local)."""

import pytest

from lifeline.recovery.proofs import fetcher as fetcher_module
from lifeline.recovery.proofs.fetcher import FetchError, HttpFetcher, url_under_prefix
from tests.recovery.stub_server import stub_server


@pytest.fixture
def strict():
    return HttpFetcher(allow_private=False)


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("file:///etc/passwd", "bad_scheme"),
        ("ftp://example.org/x", "bad_scheme"),
        ("http://user:pw@example.org/x", "credentials"),
        ("http://127.0.0.1/alice/x", "private_address"),
        ("http://[::1]/alice/x", "private_address"),
        ("http://169.254.169.254/latest/meta-data/", "private_address"),
        ("http://10.1.2.3/x", "private_address"),
        ("http://[::ffff:127.0.0.1]/x", "private_address"),
        ("http://localhost/alice/x", "private_address"),
    ],
)
def test_ssrf_refusals_with_the_allow_setting_off(strict, url, code, settings):
    settings.LIFELINE_RECOVERY_FETCH_ALLOW_PRIVATE = False
    with pytest.raises(FetchError) as refused:
        strict.fetch(url, prefix=url)
    assert refused.value.code == code


def test_the_default_fetcher_reads_the_setting(settings):
    settings.LIFELINE_RECOVERY_FETCH_ALLOW_PRIVATE = False
    with pytest.raises(FetchError) as refused:
        fetcher_module.get_fetcher().fetch("http://127.0.0.1:9/x", prefix="http://127.0.0.1:9/")
    assert refused.value.code == "private_address"


def test_a_real_local_server_is_refused_without_the_setting(strict):
    with (
        stub_server({"/alice/c.txt": (200, {}, b"hello")}) as base,
        pytest.raises(FetchError) as refused,
    ):
        strict.fetch(f"{base}/alice/c.txt", prefix=f"{base}/alice")
    assert refused.value.code == "private_address"


def test_redirect_to_loopback_is_refused(strict, monkeypatch):
    """A public host that redirects to loopback: refused before any connection to it."""
    calls = []

    def first_hop(self, url, deadline):
        calls.append(url)
        assert url.startswith("https://code.example/")
        return 302, "http://127.0.0.1:8000/admin/", b""

    monkeypatch.setattr(HttpFetcher, "_get_once", first_hop)
    with pytest.raises(FetchError) as refused:
        strict.fetch(
            "https://code.example/alice/tool/c.txt", prefix="https://code.example/alice/tool"
        )
    assert refused.value.code == "redirect_off_prefix"
    assert calls == ["https://code.example/alice/tool/c.txt"]


def test_rebinding_redirect_to_a_now_private_address_is_refused(monkeypatch):
    """The same host, under the prefix, but it now resolves to loopback: refused."""
    real = fetcher_module.address_is_public
    _first = [True]

    def first_public(address):
        if _first[0]:
            _first[0] = False
            return True
        return real(address)

    monkeypatch.setattr(fetcher_module, "address_is_public", first_public)
    with (
        stub_server(
            {"/alice/a": (302, {"Location": "/alice/b"}, b""), "/alice/b": (200, {}, b"x")}
        ) as base,
        pytest.raises(FetchError) as refused,
    ):
        HttpFetcher(allow_private=False).fetch(f"{base}/alice/a", prefix=f"{base}/alice")
    assert refused.value.code == "private_address"


def test_fetch_under_prefix_with_allowed_private():
    with stub_server(
        {
            "/alice/tool/c.txt": (200, {}, b"challenge: lifeline-recovery-abc"),
            "/alice/tool/moved": (302, {"Location": "/alice/tool/c.txt"}, b""),
            "/alice/tool/away": (302, {"Location": "/bob/c.txt"}, b""),
            "/alice/tool/big": (200, {}, b"x" * (64 * 1024 + 1)),
            "/alice/tool/missing": (404, {}, b""),
        }
    ) as base:
        fetcher = HttpFetcher(allow_private=True)
        prefix = f"{base}/alice/tool"
        assert b"lifeline-recovery-abc" in fetcher.fetch(f"{prefix}/c.txt", prefix=prefix).body
        assert fetcher.fetch(f"{prefix}/moved", prefix=prefix).url == f"{prefix}/c.txt"
        for path, code in [
            ("away", "redirect_off_prefix"),
            ("big", "too_large"),
            ("missing", "http_status"),
        ]:
            with pytest.raises(FetchError) as refused:
                fetcher.fetch(f"{prefix}/{path}", prefix=prefix)
            assert refused.value.code == code
        with pytest.raises(FetchError) as refused:
            fetcher.fetch(f"{base}/bob/c.txt", prefix=prefix)
        assert refused.value.code == "off_prefix"


@pytest.mark.parametrize(
    ("url", "prefix", "expected"),
    [
        ("https://github.com/alice/tool/blob/main/c.txt", "https://github.com/alice/tool", True),
        ("https://github.com/alice/tool", "https://github.com/alice/tool/", True),
        ("https://github.com/alice/toolbox/c.txt", "https://github.com/alice/tool", False),
        ("http://github.com/alice/tool/c.txt", "https://github.com/alice/tool", False),
        ("https://github.com:8443/alice/tool/c", "https://github.com/alice/tool", False),
        ("https://evil.com/alice/tool/c", "https://github.com/alice/tool", False),
        ("https://github.com/alice/tool/../../bob/c", "https://github.com/alice/tool", False),
        ("https://github.com/alice/tool/%2e%2e/x", "https://github.com/alice/tool", False),
        ("https://alice.dev/anything", "https://alice.dev/", True),
    ],
)
def test_url_under_prefix(url, prefix, expected):
    assert url_under_prefix(url, prefix) is expected


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "::1",
        "169.254.169.254",
        "10.0.0.1",
        "::ffff:169.254.169.254",
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "2002:a9fe:a9fe::",  # 6to4 of 169.254.169.254
        "::127.0.0.1",  # IPv4-compatible
    ],
)
def test_non_public_addresses_including_ipv4_embedded_in_ipv6(address):
    assert fetcher_module.address_is_public(address) is False


def test_public_addresses_pass():
    assert fetcher_module.address_is_public("93.184.216.34")
    assert fetcher_module.address_is_public("2606:2800:220:1:248:1893:25c8:1946")


@pytest.mark.parametrize("url", ["http://[::1/x", "https://[zz]/", "http://exa mple.com/"])
def test_malformed_urls_are_refused_not_crashed(url):
    with pytest.raises(fetcher_module.FetchError):
        fetcher_module.check_url_shape(url)
