"""Template dependencies follow the same layers as imports (pyproject.toml, import-linter).

import-linter sees Python imports only. A template that ``{% load %}``s a tag library, or
``{% include %}``s / ``{% extends %}`` a template, depends on the app that owns it just as an
import would, so a template of a lower app must not load or include anything of a higher app
(or of an app its layer says it is independent of). The layer order is read from the
``[tool.importlinter]`` contract with id ``layers``: one source of truth.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path

import pytest
from django.apps import apps
from django.template.backends.django import get_installed_libraries

ROOT = Path(__file__).resolve().parents[2]
PROJECT_TEMPLATES = ROOT / "lifeline" / "templates"
# Project-level templates (settings.TEMPLATES DIRS) are the shared chrome every app uses
# (base.html, includes/, allauth's layouts, elements and the account nav): core. The mfa/
# pages override allauth's 2FA views with accounts' tags (lifeline_mfa): accounts.
PROJECT_OWNERS = {"mfa/": "lifeline.accounts"}
TEMPLATE_SUFFIXES = {".html", ".txt"}

LOAD = re.compile(r"{%-?\s*load\s+(.+?)\s*-?%}")
NAMED = re.compile(r"{%-?\s*(include|extends)\s+(['\"])([^'\"]+)\2")

# Known violations waiting for their owner's fix (see /tmp/helper_docs/layers.md). Each entry
# fails the test once it is no longer a violation, so the list only ever shrinks.
PENDING: set[tuple[str, str]] = set()


@cache
def layers() -> list[list[str]]:
    """The layers, top first; each a list of apps (independent ones joined by ``|``)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (contract,) = [c for c in config["contracts"] if c.get("id") == "layers"]
    rows = []
    for layer in contract["layers"]:
        if ":" in layer:
            raise AssertionError("non-independent siblings (':'): teach allowed() about them")
        rows.append([name.strip() for name in layer.split("|")])
    return rows


def rank(app: str) -> int:
    for index, row in enumerate(layers()):
        if app in row:
            return index
    raise AssertionError(f"{app} is in no layer of pyproject.toml's layers contract")


def allowed(user: str, used: str) -> bool:
    """May ``user`` depend on ``used``? Only on itself and on the layers below it."""
    return user == used or rank(user) < rank(used)


def owning_app(module_or_path: str) -> str | None:
    """``lifeline.recovery.templatetags.x`` or ``lifeline/recovery/...`` → ``lifeline.recovery``."""
    parts = module_or_path.replace("/", ".").split(".")
    if len(parts) < 2 or parts[0] != "lifeline":
        return None  # Django, allauth, ...: outside the project
    return f"lifeline.{parts[1]}"


def project_owner(name: str) -> str:
    owners = (app for prefix, app in PROJECT_OWNERS.items() if name.startswith(prefix))
    return next(owners, "lifeline.core")


def template_files() -> list[tuple[Path, str, str]]:
    """(path, template name, owning app) for every template of the project."""
    found = [
        (path, path.relative_to(PROJECT_TEMPLATES).as_posix())
        for path in sorted(PROJECT_TEMPLATES.rglob("*"))
        if path.suffix in TEMPLATE_SUFFIXES
    ]
    result = [(path, name, project_owner(name)) for path, name in found]
    for config in apps.get_app_configs():
        if not config.name.startswith("lifeline."):
            continue
        for directory in sorted(Path(config.path).rglob("templates")):
            for path in sorted(directory.rglob("*")):
                if path.suffix in TEMPLATE_SUFFIXES:
                    name = path.relative_to(directory).as_posix()
                    result.append((path, name, owning_app(config.name) or config.name))
    return result


@cache
def template_owners() -> dict[str, str]:
    """Template name → owning app, as Django finds it (project DIRS first, then apps)."""
    owners: dict[str, str] = {}
    for _path, name, app in template_files():
        owners.setdefault(name, app)
    return owners


def dependencies(text: str) -> list[tuple[str, str | None]]:
    """(what, owning app) for each tag library loaded and each template named in ``text``."""
    libraries = get_installed_libraries()
    found: list[tuple[str, str | None]] = []
    for match in LOAD.finditer(text):
        bits = match.group(1).split()
        names = [bits[-1]] if len(bits) >= 3 and bits[-2] == "from" else bits
        for library in names:
            found.append((f"load {library}", owning_app(libraries.get(library, ""))))
    for match in NAMED.finditer(text):
        found.append((f"{match.group(1)} {match.group(3)}", template_owners().get(match.group(3))))
    return found


def violations() -> set[tuple[str, str]]:
    bad = set()
    for path, _name, app in template_files():
        for what, used in dependencies(path.read_text()):
            if used is not None and not allowed(app, used):
                bad.add((path.relative_to(ROOT).as_posix(), what))
    return bad


def test_every_app_with_templates_is_in_a_layer():
    for _path, _name, app in template_files():
        rank(app)


def test_the_rule_reads_the_pyproject_layers():
    assert allowed("lifeline.desk", "lifeline.recovery")
    assert allowed("lifeline.recovery", "lifeline.core")
    assert not allowed("lifeline.accounts", "lifeline.recovery")  # upwards
    assert not allowed("lifeline.events", "lifeline.notifications")  # independent siblings
    assert not allowed("lifeline.ops", "lifeline.desk")


def test_the_scanner_sees_loads_includes_and_extends():
    text = (
        '{% extends "base.html" %}{% load humanize security_page %}'
        '{% load recovery_workflow %}{% include "desk/includes/nav.html" with x=1 %}'
    )
    assert dependencies(text) == [
        ("load humanize", None),
        ("load security_page", "lifeline.accounts"),
        ("load recovery_workflow", "lifeline.recovery"),
        ("extends base.html", "lifeline.core"),
        ("include desk/includes/nav.html", "lifeline.desk"),
    ]


def test_no_template_depends_on_a_higher_app():
    found = violations()
    new = sorted(found - PENDING)
    assert not new, "templates reaching up the layers (use a hook owned by the lower app):\n" + (
        "\n".join(f"  {path}: {what}" for path, what in new)
    )
    fixed = sorted(PENDING - found)
    if fixed:
        pytest.fail(f"no longer violations, remove them from PENDING: {fixed}")
