"""Generate a PostgreSQL database at production scale for the page and login benchmarks.

    .venv/bin/python bench/scale_generate.py [--users 1000000] [--projects 200000]
        [--cases 100000] [--db postgresql://postgres@127.0.0.1:5432/lifeline_scale] [--keep]

Drops and re-creates the database (refused unless its name starts with ``lifeline_scale``),
runs ``migrate``, then loads every table with PostgreSQL ``COPY`` (psycopg's ``copy``, rows
written as text by this script), and finishes with ``ANALYZE``. Prints the time each table
took. Defaults: 1,000,000 users, 200,000 projects, 100,000 recovery cases.

What is generated (ids are dense from 1, so other scripts can name rows by id):

* users ``user<i>`` with a verified primary allauth ``EmailAddress`` ``user<i>@mail<i % 5000>
  .example``; users 1-10 are support staff (group ``support``). Every account has the SAME
  password hash: ONE real Argon2 hash made with the production hasher
  (``django.contrib.auth.hashers.make_password``, the settings' PASSWORD_HASHERS, so the
  production parameters), of the password :data:`PASSWORD`. Hashing a million passwords would
  take a day and measures nothing the login benchmark needs; verifying costs the same.
  One ``account:account:create`` security event per account.
* projects ``proj-<i>`` with 1-3 releases (every 500th: 120 releases, so its owner is critical
  by releases), 2 files per release (sdist and wheel, real-looking SHA-256/BLAKE2 digests),
  an owner role, two maintainers on every 4th project and six on every 200th (critical by
  maintainers).
* recovery cases in realistic proportions: about 3% open, 1% waiting for the requester, 0.5%
  approved (cooling off), 0.5% ready, 2% unconfirmed, the rest finished (completed, denied,
  expired, withdrawn, cancelled by the owner); open cases queued in the last 3 weeks (some past
  the 7-day target), finished ones spread over two years with decisions in the last 30 days
  too (the metrics window). Each case has 0-3 proofs, its audit trail (one row per
  transition, each with its ``account:recovery:transition`` event) and messages. One case in
  50 names no account (a typo); about one open case in 97 is contested.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import secrets
import sys
import time
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgresql://postgres@127.0.0.1:5432/lifeline_scale"
PASSWORD = "scale-bench-password-1"  # noqa: S105 - every generated account's password (bench only)
STAFF = 10  # users 1..STAFF are support staff
NOW = datetime.now(UTC).replace(microsecond=0)
CHUNK = 1 << 20  # bytes per COPY write


def ts(value: datetime | None) -> str:
    return r"\N" if value is None else value.isoformat()


def b(value: bool) -> str:
    return "t" if value else "f"


def js(value: object) -> str:
    # COPY text format: escape backslashes (JSON strings here hold none, but be safe).
    return json.dumps(value, separators=(",", ":")).replace("\\", "\\\\")


def copy_rows(conn, table: str, columns: list[str], lines: Iterable[str]) -> int:
    """COPY ``lines`` (tab-separated, no newline) into ``table``; returns the row count."""
    count = 0
    buffer = io.StringIO()
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with conn.cursor() as cur, cur.copy(sql) as copy:
        for line in lines:
            buffer.write(line)
            buffer.write("\n")
            count += 1
            if buffer.tell() > CHUNK:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
        copy.write(buffer.getvalue())
    return count


# --- accounts ---------------------------------------------------------------------------------


def user_lines(users: int, password_hash: str) -> Iterator[str]:
    for i in range(1, users + 1):
        joined = NOW - timedelta(seconds=(users - i) * 60)
        staff = i <= STAFF
        yield (
            f"{i}\t{password_hash}\t\\N\tf\t\t\tuser{i}@mail{i % 5000}.example\t{b(staff)}\tt\t"
            f"{ts(joined)}\tuser{i}\tf\t\\N\t\t0"
        )


USER_COLUMNS = [
    "id",
    "password",
    "last_login",
    "is_superuser",
    "first_name",
    "last_name",
    "email",
    "is_staff",
    "is_active",
    "date_joined",
    "username",
    "is_critical",
    "frozen_at",
    "frozen_reason",
    "session_epoch",
]


def email_lines(users: int) -> Iterator[str]:
    for i in range(1, users + 1):
        yield f"{i}\tuser{i}@mail{i % 5000}.example\tt\tt\t{i}"


def signup_event_lines(users: int) -> Iterator[str]:
    for i in range(1, users + 1):
        joined = NOW - timedelta(seconds=(users - i) * 60)
        yield f"account:account:create\t\t{ts(joined)}\t\\N\t\t{{}}\t{i}\t{i}"


EVENT_COLUMNS = ["tag", "project", "created", "ip", "user_agent", "details", "actor_id", "user_id"]


# --- projects -------------------------------------------------------------------------------


def releases_of(project: int) -> int:
    return 120 if project % 500 == 0 else 1 + project % 3


def owner_of(project: int, users: int) -> int:
    return (project * 7919) % users + 1


def maintainers_of(project: int, users: int) -> list[int]:
    count = 6 if project % 200 == 0 else 2 if project % 4 == 0 else 0
    owner = owner_of(project, users)
    found: list[int] = []
    k = 1
    while len(found) < count and k < 100:
        candidate = (owner - 1 + k * 104729) % users + 1
        if candidate != owner and candidate not in found:
            found.append(candidate)
        k += 1
    return found


def project_lines(projects: int) -> Iterator[str]:
    for p in range(1, projects + 1):
        created = NOW - timedelta(seconds=(projects - p) * 300)
        yield f"{p}\tproj-{p}\tproj-{p}\t{ts(created)}\t{releases_of(p) * 2}\t{ts(created)}"


def release_and_file_lines(projects: int, users: int) -> tuple[Iterator[str], list[str]]:
    """Releases (yielded) and files (collected, written after the releases)."""
    files: list[str] = []

    def releases() -> Iterator[str]:
        release_id = 0
        file_id = 0
        for p in range(1, projects + 1):
            owner = owner_of(p, users)
            base = NOW - timedelta(seconds=(projects - p) * 300)
            urls = js({"Source": f"https://code.example/u{owner}/proj-{p}"})
            for r in range(releases_of(p)):
                release_id += 1
                created = base + timedelta(days=r)
                version = f"1.{r}"
                yield (
                    f"{release_id}\t{version}\t{version}\t{ts(created)}\t2.1\t"
                    f"A package for benchmarks\t\t\thttps://proj-{p}.example/\t{urls}\t\t\t\t\t"
                    f"MIT\t\t[]\t>=3.9\t[]\tf\t\t\\N\t{p}\t{owner}\t\t"
                )
                for kind, suffix in (("sdist", ".tar.gz"), ("bdist_wheel", "-py3-none-any.whl")):
                    file_id += 1
                    name = f"proj_{p}-{version}{suffix}"
                    key = str(file_id).encode()
                    sha = hashlib.sha256(key).hexdigest()
                    blake = hashlib.blake2b(key, digest_size=32).hexdigest()
                    pyver = "source" if kind == "sdist" else "py3"
                    files.append(
                        f"{file_id}\t{name}\t{sha[:2]}/{sha[2:4]}/{name}\t{10_000 + file_id}\t"
                        f"{sha}\t{blake}\t\t{kind}\t{pyver}\t>=3.9\t{ts(created)}\t\t{owner}\t"
                        f"{release_id}"
                    )

    return releases(), files


RELEASE_COLUMNS = [
    "id",
    "version",
    "canonical_version",
    "created",
    "metadata_version",
    "summary",
    "description",
    "description_content_type",
    "home_page",
    "project_urls",
    "author",
    "author_email",
    "maintainer",
    "maintainer_email",
    "license",
    "keywords",
    "classifiers",
    "requires_python",
    "requires_dist",
    "yanked",
    "yanked_reason",
    "yanked_at",
    "project_id",
    "uploader_id",
    "description_html",
    "description_rendered_by",
]
FILE_COLUMNS = [
    "id",
    "filename",
    "path",
    "size",
    "sha256_digest",
    "blake2_256_digest",
    "md5_digest",
    "packagetype",
    "python_version",
    "requires_python",
    "upload_time",
    "metadata_sha256",
    "uploader_id",
    "release_id",
]


def role_lines(projects: int, users: int) -> Iterator[str]:
    for p in range(1, projects + 1):
        created = ts(NOW - timedelta(seconds=(projects - p) * 300))
        yield f"owner\t{created}\t{p}\t{owner_of(p, users)}"
        for m in maintainers_of(p, users):
            yield f"maintainer\t{created}\t{p}\t{m}"


# --- recovery -------------------------------------------------------------------------------

# (state, path of states from "submitted"), by case number modulo 200.
TERMINAL_MIX = (
    ["completed"] * 80 + ["denied"] * 40 + ["expired"] * 40 + ["withdrawn"] * 14 + ["cancelled"] * 4
)


def state_of(j: int) -> str:
    slot = j % 200
    if slot < 6:
        return "open"
    if slot < 8:
        return "needs_info"
    if slot == 8:
        return "approved"
    if slot == 9:
        return "ready"
    if slot < 14:
        return "submitted"
    return TERMINAL_MIX[(slot - 14) % len(TERMINAL_MIX)]


PATHS = {
    "submitted": ["submitted"],
    "open": ["submitted", "open"],
    "needs_info": ["submitted", "open", "needs_info"],
    "approved": ["submitted", "open", "approved"],
    "ready": ["submitted", "open", "approved", "ready"],
    "completed": ["submitted", "open", "approved", "ready", "completed"],
    "denied": ["submitted", "open", "denied"],
    "expired": ["submitted", "expired"],
    "withdrawn": ["submitted", "open", "withdrawn"],
    "cancelled": ["submitted", "open", "cancelled_by_owner"],
}
PROOFS = [
    ("api_token", "strong", "api_token", "A valid API token of this account."),
    ("repository", "strong", "repository:code.example/u", "The challenge was found."),
    ("email_code", "medium", "domain:mail.example", "The code matched."),
    ("knowledge", "weak", "knowledge", "Two of three answers matched."),
]


def case_rows(cases: int, users: int) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {k: [] for k in ("req", "proof", "audit", "msg", "event")}
    span = timedelta(days=730)
    for j in range(1, cases + 1):
        state = state_of(j)
        path = PATHS[state]
        live = state in ("open", "needs_info", "approved", "ready", "submitted")
        if live:
            created = NOW - timedelta(minutes=(j * 37) % (21 * 24 * 60)) - timedelta(hours=1)
        else:
            created = NOW - timedelta(
                seconds=int(span.total_seconds() * ((j * 7577) % cases) / cases)
            )
            created -= timedelta(days=1)
        user_id = None if (j % 50 == 0 and not live) else (j * 104729) % users + 1
        queued = created + timedelta(minutes=20) if "open" in path else None
        verified = queued
        first_response = decided = completes = None
        step = timedelta(hours=6 + j % 90)
        times = [created]
        for _ in path[1:]:
            times.append(times[-1] + (timedelta(minutes=20) if len(times) == 1 else step))
        if live:  # transitions of a live case all lie in the past
            times = [min(t, NOW - timedelta(minutes=1)) for t in times]
        if len(path) > 2:
            first_response = times[2]
        if "approved" in path or "denied" in path:
            decided = times[path.index("approved" if "approved" in path else "denied")]
        if state == "approved":
            completes = NOW + timedelta(hours=12)
        contested = state == "cancelled" or (state == "open" and j % 97 == 0)
        assignee = (j % STAFF) + 1 if state in ("needs_info", "approved", "ready") else None
        if state == "open" and j % 3 == 0:
            assignee = (j % STAFF) + 1
        final = "cancelled_by_owner" if state == "cancelled" else state
        out["req"].append(
            f"{j}\t{uuid.uuid4()}\t{final}\t{ts(times[-1])}\tuser{user_id or f'nobody{j}'}\t"
            f"contact{j}@contact.example\t{ts(verified)}\t{b(j % 2 == 0)}\tf\t{b(j % 3 == 0)}\t"
            f"{b(j % 3 == 0)}\tI lost access to my account after changing jobs.\t{ts(created)}\t"
            f"203.0.113.{j % 250 + 1}\tMozilla/5.0 (X11; Linux x86_64) Firefox/140.0\t"
            f"{ts(queued)}\t{ts(decided)}\t{ts(first_response)}\t{b(contested)}\t{ts(completes)}\t"
            f"{'keep' if decided and state != 'denied' else ''}\t\t{secrets.token_hex(16)}\t"
            f"{assignee or chr(92) + 'N'}\t{user_id or chr(92) + 'N'}\tf\t{ts(created)}"
        )
        if queued is not None:
            for k in range(j % 4):
                method, strength, boundary, reason = PROOFS[(j + k) % len(PROOFS)]
                ok = (j + k) % 5 != 0
                out["proof"].append(
                    f"{method}\t{'ok' if ok else 'failed'}\t{strength}\t{boundary}\t{reason}\t"
                    f"{{}}\t{ts(queued + timedelta(minutes=5 + k))}\t{j}\t"
                )
        for k in range(1, len(path)):
            frm, to = path[k - 1], path[k]
            staff = to in ("needs_info", "approved", "denied") and frm == "open"
            actor_kind = (
                "staff" if staff else "system" if to in ("expired", "ready") else "requester"
            )
            if to == "cancelled_by_owner":
                actor_kind = "owner"
            actor = (j % STAFF) + 1 if staff else None
            just = "Token and repository proofs both check out." if staff else ""
            out["audit"].append(
                f"{frm}\t{to}\t{actor_kind}\t{just}\t{{}}\t{ts(times[k])}\t"
                f"{actor or chr(92) + 'N'}\t{j}"
            )
            tag = (
                "account:recovery:cancel"
                if to == "cancelled_by_owner"
                else ("account:recovery:transition")
            )
            details = js({"request": f"R-{j:08X}", "from": frm, "to": to, "actor_kind": actor_kind})
            out["event"].append(
                f"{tag}\t\t{ts(times[k])}\t\\N\t\t{details}\t{actor or chr(92) + 'N'}\t"
                f"{user_id or chr(92) + 'N'}"
            )
        if queued is not None:
            out["msg"].append(
                f"note\trequester\tMy old address was at my previous employer.\t{{}}\t"
                f"{ts(created)}\t\\N\t{j}"
            )
        if first_response is not None:
            out["msg"].append(
                f"message\tstaff\tThank you, we are looking at your request.\t{{}}\t"
                f"{ts(first_response)}\t{(j % STAFF) + 1}\t{j}"
            )
    return out


REQUEST_COLUMNS = [
    "id",
    "public_id",
    "state",
    "state_changed_at",
    "username_entered",
    "contact_email",
    "contact_verified_at",
    "lost_email_access",
    "email_wrong_from_start",
    "lost_2fa",
    "lost_recovery_codes",
    "description",
    "created",
    "submitted_ip",
    "submitted_user_agent",
    "queued_at",
    "decided_at",
    "first_response_at",
    "contested",
    "completes_at",
    "tokens_decision",
    "verify_token_hash",
    "challenge",
    "assignee_id",
    "user_id",
    "owner_alert_deferred",
    "owner_alerted_at",
]
PROOF_COLUMNS = [
    "method",
    "result",
    "strength",
    "boundary",
    "reason",
    "details",
    "created",
    "request_id",
    "requester_reason",
]
AUDIT_COLUMNS = [
    "from_state",
    "to_state",
    "actor_kind",
    "justification",
    "details",
    "created",
    "actor_id",
    "request_id",
]
MESSAGE_COLUMNS = ["kind", "author_kind", "body", "details", "created", "author_id", "request_id"]


# --- driver ---------------------------------------------------------------------------------


SETVAL = (
    "SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {t}))"
)


def with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def recreate(url: str) -> None:
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    if not name.startswith("lifeline_scale"):
        sys.exit(f"refusing to drop {name!r}: the name must start with lifeline_scale")
    with psycopg.connect(with_db(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lifeline.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--projects", type=int, default=200_000)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--db", default=DEFAULT_DB)
    args = parser.parse_args()
    if args.users <= STAFF or args.cases > args.users:
        sys.exit("need more than 10 users and no more cases than users")
    started = time.perf_counter()
    timings: list[tuple[str, int, float]] = []

    def step(label: str, fn) -> object:
        t0 = time.perf_counter()
        result = fn()
        rows = result if isinstance(result, int) else 0
        timings.append((label, rows, time.perf_counter() - t0))
        print(f"  {label:<28} {rows:>10,} rows {time.perf_counter() - t0:7.1f} s", flush=True)
        return result

    step("create database", lambda: recreate(args.db))
    setup_django(args.db)
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection

    step("migrate", lambda: call_command("migrate", verbosity=0))
    # ONE real hash with the production hasher and parameters, reused for every account.
    password_hash = make_password(PASSWORD)
    print(f"  password hash: {password_hash.split('$', 4)[:4]} (one hash, shared)")

    import psycopg

    connection.close()
    conn = psycopg.connect(args.db)
    u, p = args.users, args.projects
    step(
        "accounts_user",
        lambda: copy_rows(conn, "accounts_user", USER_COLUMNS, user_lines(u, password_hash)),
    )
    step(
        "account_emailaddress",
        lambda: copy_rows(
            conn,
            "account_emailaddress",
            ["id", "email", "verified", '"primary"', "user_id"],
            email_lines(u),
        ),
    )
    conn.commit()
    with conn.cursor() as cur:
        cur.execute("INSERT INTO auth_group (name) VALUES ('support') ON CONFLICT DO NOTHING")
        cur.execute(
            "INSERT INTO accounts_user_groups (user_id, group_id) SELECT u.id, g.id FROM "
            "accounts_user u, auth_group g WHERE g.name = 'support' AND u.id <= %s",
            [STAFF],
        )
    step(
        "index_project",
        lambda: copy_rows(
            conn,
            "index_project",
            ["id", "name", "normalized_name", "created", "serial", "last_changed"],
            project_lines(p),
        ),
    )
    releases, files = release_and_file_lines(p, u)
    step("index_release", lambda: copy_rows(conn, "index_release", RELEASE_COLUMNS, releases))
    step("index_file", lambda: copy_rows(conn, "index_file", FILE_COLUMNS, files))
    step(
        "index_usedfilename",
        lambda: copy_rows(
            conn,
            "index_usedfilename",
            ["filename", "created"],
            (f"{line.split(chr(9), 2)[1]}\t{ts(NOW)}" for line in files),
        ),
    )
    files.clear()
    step(
        "index_role",
        lambda: copy_rows(
            conn, "index_role", ["role", "created", "project_id", "user_id"], role_lines(p, u)
        ),
    )
    conn.commit()
    rows = case_rows(args.cases, u)
    step(
        "recovery_recoveryrequest",
        lambda: copy_rows(conn, "recovery_recoveryrequest", REQUEST_COLUMNS, rows["req"]),
    )
    step(
        "recovery_recoveryproof",
        lambda: copy_rows(conn, "recovery_recoveryproof", PROOF_COLUMNS, rows["proof"]),
    )
    step(
        "recovery_recoveryaudit",
        lambda: copy_rows(conn, "recovery_recoveryaudit", AUDIT_COLUMNS, rows["audit"]),
    )
    step(
        "recovery_recoverymessage",
        lambda: copy_rows(conn, "recovery_recoverymessage", MESSAGE_COLUMNS, rows["msg"]),
    )
    step(
        "events_securityevent",
        lambda: copy_rows(
            conn,
            "events_securityevent",
            EVENT_COLUMNS,
            list(signup_event_lines(u)) + rows["event"],
        ),
    )
    conn.commit()

    def finish() -> int:
        with conn.cursor() as cur:
            for table in (
                "accounts_user",
                "account_emailaddress",
                "index_project",
                "index_release",
                "index_file",
                "index_usedfilename",
                "index_role",
                "recovery_recoveryrequest",
                "recovery_recoveryproof",
                "recovery_recoveryaudit",
                "recovery_recoverymessage",
                "events_securityevent",
                "auth_group",
            ):
                cur.execute(SETVAL.format(t=table))  # fixed table names
        conn.commit()
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
        return 0

    step("sequences + VACUUM ANALYZE", finish)
    total = time.perf_counter() - started
    size = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()
    conn.close()
    print(f"done in {total:.0f} s ({total / 60:.1f} min); database size {size[0]}")


if __name__ == "__main__":
    main()
