"""Imports import-linter can't see follow the layers too (pyproject.toml's ``layers``).

A module naming another app in a string (``import_module("lifeline.x")``, ``import_string``,
``apps.get_model("label", ...)``, a lazy model reference such as ``ForeignKey("label.Model")``,
``include("lifeline.x.urls")``) depends on it as much as an import does, but no linter sees it.
This finds such calls with a literal argument and applies the layer rule of
tests/core/test_template_layers.py. (A name held in a variable is not seen: don't.)
"""

from __future__ import annotations

import ast

from django.apps import apps

from tests.core.test_template_layers import ROOT, allowed, owning_app

LIFELINE = ROOT / "lifeline"
# Outside the layers (pyproject.toml): they wire everything together by name.
OUTSIDE = ("lifeline/settings/", "lifeline/urls.py")
DOTTED = {"import_module", "import_string", "include"}
LABELLED = {"get_model", "ForeignKey", "OneToOneField", "ManyToManyField"}

# (importing app, imported app) pairs waiting for a fix: none left.
PENDING: set[tuple[str, str]] = set()


def _name(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _target(call: ast.Call) -> str | None:
    """The app a call names with a literal first argument, if it names one of ours."""
    if not call.args or not isinstance(call.args[0], ast.Constant):
        return None
    value, name = call.args[0].value, _name(call.func)
    if not isinstance(value, str):
        return None
    if name in DOTTED:
        return owning_app(value)
    if name in LABELLED and value not in ("self",):
        label = value.split(".")[0] if "." in value else value
        try:
            return owning_app(apps.get_app_config(label).name)
        except LookupError:
            return None
    return None


def string_dependencies(source: str) -> list[tuple[int, str]]:
    return [
        (node.lineno, target)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and (target := _target(node))
    ]


def violations() -> dict[tuple[str, str], list[str]]:
    found: dict[tuple[str, str], list[str]] = {}
    for path in sorted(LIFELINE.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        app = owning_app(relative.removesuffix(".py"))
        if relative.startswith(OUTSIDE) or app is None or "/migrations/" in relative:
            continue
        for line, target in string_dependencies(path.read_text()):
            if not allowed(app, target):
                found.setdefault((app, target), []).append(f"{relative}:{line}")
    return found


def test_the_scanner_sees_each_kind_of_string_import():
    source = (
        'import_module("lifeline.recovery.models")\n'
        'apps.get_model("index", "Role")\n'
        'models.ForeignKey("tokens.ApiToken", on_delete=None)\n'
        "import_string(path)\n"  # a variable: not seen
        'models.ForeignKey("self", on_delete=None)\n'
    )
    assert string_dependencies(source) == [
        (1, "lifeline.recovery"),
        (2, "lifeline.index"),
        (3, "lifeline.tokens"),
    ]


def test_no_module_names_a_higher_app_in_a_string():
    found = violations()
    new = {pair: where for pair, where in found.items() if pair not in PENDING}
    assert not new, "string imports reaching up the layers (use a hook or signal):\n" + (
        "\n".join(f"  {a} -> {b}: {', '.join(where)}" for (a, b), where in sorted(new.items()))
    )
