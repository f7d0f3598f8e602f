"""Attack: hostile input to the endpoints anyone can reach must never produce a 500.

The attack review found 500s from: a control character echoed into an upload refusal (the
message is also the HTTP reason phrase, where Django raises BadHeaderError), a file part
after ``content`` (what ``twine --sign`` sends: Django's parser closed, so deleted, the
finished temporary file), non-UTF-8 Basic credentials, and a lone surrogate in the token
proof's JSON. The fixed cases are pinned below; bounded hypothesis fuzzing then throws
random multipart bodies at ``/legacy/``, random bodies and credentials at the token proof
and random forms at the recovery request form. Each example must answer below 500 and leave
no temporary file, no stored file without its row and no half-written row behind.
"""

from __future__ import annotations

import base64
import json
import string
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from lifeline.index.models import File
from lifeline.recovery import conf
from lifeline.recovery.models import RecoveryRequest
from tests.index.helpers import (
    basic,
    make_sdist,
    make_token,
    make_user_with_2fa,
    make_wheel,
    raw_multipart,
    upload_fields,
    wheel_filename,
)
from tests.recovery.conftest import add_project, submit, verify

pytestmark = pytest.mark.django_db

# Sized so the whole module runs in well under a minute on a busy two-core machine.
FUZZ = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,  # the same examples every run: a failure reproduces
)
CONTROL = [chr(c) for c in (*range(0x01, 0x20), 0x7F, *range(0x80, 0xA0))]


# --- The upload API --------------------------------------------------------------------------


@pytest.fixture
def uploads(settings, tmp_path) -> dict[str, Path]:
    """Files stored under tmp_path/files, temporary upload files under tmp_path/tmp."""
    dirs = {"files": tmp_path / "files", "tmp": tmp_path / "tmp"}
    for path in dirs.values():
        path.mkdir()
    settings.MEDIA_ROOT = dirs["files"]
    settings.FILE_UPLOAD_TEMP_DIR = str(dirs["tmp"])
    settings.LIFELINE_UPLOAD_AUTH_FAILURES = "100000/h"
    return dirs


@pytest.fixture
def token(db) -> str:
    return make_token(make_user_with_2fa())


def assert_nothing_left_behind(dirs: dict[str, Path]) -> None:
    assert list(dirs["tmp"].iterdir()) == [], "a temporary upload file was left behind"
    stored = {str(p.relative_to(dirs["files"])) for p in dirs["files"].rglob("*") if p.is_file()}
    expected = set()
    for file in File.objects.all():
        expected.add(file.path)
        if file.metadata_sha256:
            expected.add(f"{file.path}.metadata")
    assert stored == expected, "stored files and File rows disagree"


def post_legacy(client: Client, body: bytes, auth: str, boundary: str = "lifelineboundary"):
    return client.generic(
        "POST",
        "/legacy/",
        body,
        content_type=f"multipart/form-data; boundary={boundary}",
        HTTP_AUTHORIZATION=auth,
    )


def assert_clean_refusal(response: Any) -> None:
    assert response.status_code < 500, response.content
    assert not any(ch in response.reason_phrase for ch in CONTROL)
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize("char", ["\x01", "\x08", "\x0b", "\x1b", "\x7f", "\x85", "\x9f"])
def test_a_control_character_echoed_in_a_refusal_is_no_500(client, uploads, token, char):
    for field in ("name", "version"):
        fields = upload_fields("demo", "1.0", b"x", wheel_filename("demo", "1.0"))
        fields[field] = f"bad{char}value"
        response = client.post("/legacy/", fields, HTTP_AUTHORIZATION=basic(token))
        assert_clean_refusal(response)
        assert response.status_code == 400
        # Echoed, with the control character replaced (whitespace ones become a space).
        assert "bad?value" in response.content.decode() or char.isspace()
    assert_nothing_left_behind(uploads)


@pytest.mark.parametrize("kind", ["sdist", "wheel"])
def test_a_signature_part_after_the_content_is_accepted(client, uploads, token, kind):
    """``twine upload --sign`` sends gpg_signature after content: that used to delete it."""
    if kind == "sdist":
        content, filename = make_sdist("signed", "1.0"), "signed-1.0.tar.gz"
    else:
        content, filename = make_wheel("signed", "1.0"), wheel_filename("signed", "1.0")
    fields = upload_fields("signed", "1.0", content, filename)
    fields["gpg_signature"] = (f"{filename}.asc", b"-----BEGIN PGP SIGNATURE-----\n")
    response = post_legacy(client, raw_multipart(fields), basic(token))
    assert response.status_code == 200, response.content
    assert File.objects.get().filename == filename
    assert_nothing_left_behind(uploads)


def test_two_content_parts_are_refused_and_both_deleted(client, uploads, token):
    content = make_wheel("twice", "1.0")
    fields = upload_fields("twice", "1.0", content, wheel_filename("twice", "1.0"))
    body = raw_multipart(fields)
    second = raw_multipart({"content": (wheel_filename("twice", "1.0"), content)})
    body = body[: body.rindex(b"--lifelineboundary--")] + second
    response = post_legacy(client, body, basic(token))
    assert response.status_code == 400
    assert "more than one file" in response.content.decode()
    assert_nothing_left_behind(uploads)


def test_a_body_cut_off_inside_the_file_leaves_no_temporary_file(client, uploads, token):
    content = make_wheel("cut", "1.0") * 50
    body = raw_multipart(upload_fields("cut", "1.0", content, wheel_filename("cut", "1.0")))
    response = post_legacy(client, body[: len(body) - len(content) // 2], basic(token))
    assert response.status_code == 400
    assert_nothing_left_behind(uploads)


@pytest.mark.parametrize(
    "credentials",
    [
        "__token__:pässwörd".encode(),
        "__tökén__:x".encode("latin-1"),
        b"\xff\xfe:\x80",
        b"__token__:\x00llpi-x",
    ],
)
def test_non_ascii_basic_credentials_get_a_clear_403(client, uploads, credentials):
    auth = "Basic " + base64.b64encode(credentials).decode()
    response = client.post("/legacy/", {":action": "file_upload"}, HTTP_AUTHORIZATION=auth)
    assert response.status_code == 403, response.content
    body = response.content.decode()
    try:
        credentials.decode("utf-8")
    except UnicodeDecodeError:
        assert "the Basic credentials are not UTF-8 text" in body
    else:  # readable, just wrong: the usual answer
        assert "__token__" in body and "API token" in body


@pytest.mark.parametrize("header", ["Basic äöü", "Basic \u00ff\u00fe", "Basic é=="])
def test_a_non_ascii_authorization_header_gets_a_clear_403(client, uploads, header):
    response = client.post("/legacy/", {":action": "file_upload"}, HTTP_AUTHORIZATION=header)
    assert response.status_code == 403, response.content
    assert "the Basic credentials are not valid base64" in response.content.decode()


@pytest.mark.parametrize(
    "header",
    [
        "Basic äöü",
        "Basic " + base64.b64encode(b"__token__:\xff\xfe").decode(),
        "Basic " + base64.b64encode("__token__:llpi-ä".encode()).decode(),
    ],
)
def test_the_token_proof_answers_non_ascii_credentials_with_401(client, db, header):
    response = client.post(
        reverse("recovery_token_proof"),
        json.dumps({"challenge": "lifeline-recovery-00"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=header,
    )
    assert response.status_code in (401, 404), response.content
    assert response.json()["ok"] is False


FIELD_NAMES = [
    ":action",
    "protocol_version",
    "metadata_version",
    "name",
    "version",
    "filetype",
    "pyversion",
    "summary",
    "requires_python",
    "requires_dist",
    "project_urls",
    "home_page",
    "description",
    "sha256_digest",
    "md5_digest",
    "blake2_256_digest",
    "gpg_signature",
    "attestations",
]
hostile_text = st.text(
    alphabet=st.one_of(
        st.sampled_from([*CONTROL, "\x00", '"', "\r", "\n", "\\", "\u2028", "\ufeff", "é", "漢"]),
        st.characters(codec="utf-8"),
    ),
    max_size=40,
)
field_name = st.one_of(st.sampled_from(FIELD_NAMES), hostile_text)
file_part = st.tuples(
    st.one_of(hostile_text, st.sampled_from(["demo-1.0.tar.gz", "demo-1.0-py3-none-any.whl"])),
    st.binary(max_size=300),
)


def multipart(parts: list[tuple[str, str | tuple[str, bytes]]], boundary: str) -> bytes:
    """Encode parts verbatim: names and file names go into the headers unescaped."""
    out = b""
    for name, value in parts:
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"'
        if isinstance(value, tuple):
            filename, data = value
            head += f'; filename="{filename}"\r\nContent-Type: application/octet-stream'
        else:
            data = value.encode("utf-8", "surrogatepass")
        out += head.encode("utf-8", "surrogatepass") + b"\r\n\r\n" + data + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


@st.composite
def legacy_bodies(draw: Any) -> tuple[list, bool]:
    """A form twine could send, with random fields changed, added or removed."""
    version = draw(st.sampled_from(["1.0", "2.0", "1.0.post1"]))
    kind = draw(st.sampled_from(["wheel", "sdist"]))
    if kind == "wheel":
        content, filename = make_wheel("fuzzed", version), wheel_filename("fuzzed", version)
    else:
        content, filename = make_sdist("fuzzed", version), f"fuzzed-{version}.tar.gz"
    base = upload_fields("fuzzed", version, content, filename)
    parts: list = []
    for key, value in base.items():
        if key == "content":
            value = (filename, content)
        for item in value if isinstance(value, list) else [value]:
            parts.append((key, item))
    for _ in range(draw(st.integers(0, 4))):
        action = draw(st.sampled_from(["replace", "add", "drop", "file"]))
        if action == "replace" and parts:
            index = draw(st.integers(0, len(parts) - 1))
            parts[index] = (parts[index][0], draw(hostile_text))
        elif action == "add":
            parts.insert(draw(st.integers(0, len(parts))), (draw(field_name), draw(hostile_text)))
        elif action == "drop" and parts:
            parts.pop(draw(st.integers(0, len(parts) - 1)))
        else:
            parts.insert(draw(st.integers(0, len(parts))), (draw(field_name), draw(file_part)))
    return parts, draw(st.booleans())


@settings(FUZZ, max_examples=150)
@given(case=legacy_bodies(), cut=st.integers(0, 400))
def test_fuzz_legacy_upload_never_fails_or_leaves_files(client, uploads, token, case, cut):
    parts, truncated = case
    raw = multipart(parts, "fuzzboundary")
    if truncated:
        raw = raw[: max(0, len(raw) - cut)]
    response = post_legacy(client, raw, basic(token), boundary="fuzzboundary")
    event(f"status {response.status_code}")
    assert_clean_refusal(response)
    assert_nothing_left_behind(uploads)


# --- The token proof -------------------------------------------------------------------------


@pytest.fixture
def queued(db) -> RecoveryRequest:
    from tests.factories import UserFactory

    owner = UserFactory(username="alice")
    add_project(owner, "alice-tool", urls={"Source": "https://code.example/alice/alice-tool"})
    request_obj = submit()
    verify(request_obj)
    request_obj.refresh_from_db()
    return request_obj


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), hostile_text),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(hostile_text, children, max_size=3)
    ),
    max_leaves=6,
)
REAL_CHALLENGE = "<the request's challenge>"  # replaced by the real one: reach the proof
latin1_text = st.text(alphabet=st.characters(max_codepoint=0xFF), max_size=30)


@st.composite
def proof_requests(draw: Any) -> tuple[str, bytes, str]:
    """(content type, body, Authorization header)."""
    kind = draw(st.sampled_from(["json", "raw-json", "form", "bytes"]))
    if kind == "json":
        challenge = st.one_of(json_values, st.just(REAL_CHALLENGE))
        payload = draw(st.one_of(json_values, st.fixed_dictionaries({"challenge": challenge})))
        body = json.dumps(payload).encode()
        content_type = "application/json"
    elif kind == "raw-json":  # escapes json.dumps never writes: lone surrogates, NUL
        text = draw(st.sampled_from(["\\ud800", "\\udfff", "\\u0000", "\\x00", '"', "\\"]))
        body = ('{"challenge": "lifeline-recovery-' + text + '"}').encode()
        content_type = "application/json"
    elif kind == "form":
        value = draw(hostile_text).encode("utf-8", "surrogatepass")
        body = b"challenge=" + value
        content_type = "application/x-www-form-urlencoded"
    else:
        body = draw(st.binary(max_size=200))
        content_type = draw(st.sampled_from(["application/json", "multipart/form-data", ""]))
    auth = draw(
        st.one_of(
            st.just(basic("llpi-" + draw(st.text(string.ascii_letters, max_size=20)))),
            st.builds(lambda b: "Basic " + base64.b64encode(b).decode(), st.binary(max_size=40)),
            latin1_text.map(lambda t: "Basic " + t),
            latin1_text,
        )
    )
    return content_type, body, auth


@FUZZ
@given(case=proof_requests())
def test_fuzz_token_proof_answers_json_below_500(client, queued, settings, case):
    settings.LIFELINE_RECOVERY_RATE_LIMITS = conf.DEFAULTS["LIFELINE_RECOVERY_RATE_LIMITS"] | {
        "token_request": "100000/h",
        "token_ip": "100000/h",
    }
    content_type, body, auth = case
    body = body.replace(REAL_CHALLENGE.encode(), queued.challenge.encode())
    response = client.generic(
        "POST",
        reverse("recovery_token_proof"),
        body,
        content_type=content_type,
        HTTP_AUTHORIZATION=auth,
    )
    event(f"status {response.status_code}")
    assert response.status_code < 500, response.content
    assert response.json()["ok"] is False  # no valid token is ever drawn


# --- The recovery request form ---------------------------------------------------------------

FORM_FIELDS = [
    "username",
    "contact_email",
    "description",
    "lost_email_access",
    "email_wrong_from_start",
    "lost_2fa",
    "lost_recovery_codes",
    "agree_coc",
    "acknowledge_time",
]
VALID_FORM = {
    "username": "somebody",
    "lost_email_access": "on",
    "lost_2fa": "on",
    "contact_email": "someone@contact.example",
    "description": "Lost my phone and my old email domain expired last year.",
    "agree_coc": "on",
    "acknowledge_time": "on",
}


@st.composite
def recovery_forms(draw: Any) -> dict[str, str]:
    form = dict(VALID_FORM)
    for field in draw(st.lists(st.sampled_from(FORM_FIELDS), max_size=4, unique=True)):
        form[field] = draw(hostile_text)
    for _ in range(draw(st.integers(0, 2))):
        form[draw(hostile_text)] = draw(hostile_text)
    return form


@FUZZ
@given(form=recovery_forms())
def test_fuzz_recovery_form_never_fails_or_half_writes(client, db, settings, form):
    settings.LIFELINE_RECOVERY_RATE_LIMITS = conf.DEFAULTS["LIFELINE_RECOVERY_RATE_LIMITS"] | {
        "submit_ip": "100000/h",
        "submit_username": "100000/h",
    }
    before = RecoveryRequest.objects.count()
    body = "&".join(f"{_quote(k)}={_quote(v)}" for k, v in form.items()).encode(
        "utf-8", "surrogatepass"
    )
    response = client.generic(
        "POST",
        reverse("recovery_request"),
        body,
        content_type="application/x-www-form-urlencoded",
    )
    event(f"status {response.status_code}")
    assert response.status_code < 500, response.content
    created = RecoveryRequest.objects.count() - before
    if response.status_code == 302:
        assert created == 1
        row = RecoveryRequest.objects.latest("pk")
        assert row.username_entered and row.contact_email and row.public_id
    else:
        assert created == 0


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value.encode("utf-8", "surrogatepass"), safe="")
