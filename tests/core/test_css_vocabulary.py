"""The CSS vocabulary is one closed set: docs/design.md documents it, site.css styles it, and the
templates, JS and Python markup use it. Every class used has a rule, every rule is used, and
every class with a rule is documented."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "lifeline"
STYLESHEETS = [APP / "static/lifeline/site.css", APP / "static/lifeline/mfa.css"]
DESIGN_DOC = ROOT / "docs/design.md"

# Classes that need no rule of their own, with the reason.
HOOKS_WITHOUT_STYLE = {
    "copy-label": "copy.js finds the label text it swaps to 'Copied'",
}
# Classes with a rule whose markup comes from a library, not from our templates.
STYLED_THIRD_PARTY = {
    "docutils": "readme_renderer's reStructuredText output (inline literals)",
    "literal": "readme_renderer's reStructuredText output (inline literals)",
}

_TEMPLATE_VAR = re.compile(r"\{\{.*?\}\}")
_TEMPLATE_TAG = re.compile(r"\{%.*?%\}")
_DYNAMIC = "\x00"


def css_classes() -> set[str]:
    """Every class named in a selector of our stylesheets."""
    classes: set[str] = set()
    for sheet in STYLESHEETS:
        text = re.sub(r"/\*.*?\*/", "", sheet.read_text(), flags=re.S)
        for selector in re.findall(r"([^{}]+)\{", text):
            if selector.strip().startswith("@"):
                continue
            classes |= set(re.findall(r"\.(-?[_a-zA-Z][\w-]*)", selector))
    return classes


def _split_class_value(value: str, used: set[str], prefixes: set[str]) -> None:
    value = _TEMPLATE_VAR.sub(_DYNAMIC, value)
    value = _TEMPLATE_TAG.sub(" ", value)
    for token in value.split():
        if _DYNAMIC not in token:
            used.add(token)
        elif not token.startswith(_DYNAMIC) and token.endswith(_DYNAMIC):
            prefixes.add(token.rstrip(_DYNAMIC))  # "badge-{{ level }}": some badge- class


def used_classes() -> tuple[set[str], set[str]]:
    """(classes, dynamic prefixes) used by templates, JS and Python markup under lifeline/."""
    used: set[str] = set()
    prefixes: set[str] = set()
    for path in APP.rglob("*.html"):
        raw = path.read_text()
        for value in re.findall(r"\{% block main_class %\}(.*?)\{% endblock", raw):
            _split_class_value(value, used, prefixes)
        # Tags may hold quotes ({% if kind == "checkbox" %}): blank them before reading attributes.
        text = _TEMPLATE_TAG.sub(" ", _TEMPLATE_VAR.sub(_DYNAMIC, raw))
        for value in re.findall(r'\bclass="([^"]*)"', text):
            _split_class_value(value, used, prefixes)
    for path in [*APP.rglob("*.py"), *APP.rglob("*.js")]:
        text = path.read_text()
        for value in re.findall(r'\bclass="([^"{]*)"', text):
            used |= set(value.split())
        for call in re.findall(r"classList\.\w+\(([^)]*)\)", text):
            used |= set(re.findall(r"[\"']([\w-]+)[\"']", call))
    # desk/svg.py adds its css_class argument to the chart's class attribute.
    for path in APP.rglob("*.py"):
        used |= set(re.findall(r"\bcss_class=\"([\w-]+)\"", path.read_text()))
    return used, prefixes


def documented_classes() -> set[str]:
    """Classes listed on docs/design.md's `Classes:` and `Page layouts:` lines."""
    lines = DESIGN_DOC.read_text().splitlines()
    listed = [line for line in lines if line.startswith(("Classes:", "Page layouts:"))]
    return {name for line in listed for name in re.findall(r"`([\w-]+)`", line)}


def test_every_class_used_has_a_css_rule():
    defined = css_classes()
    used, prefixes = used_classes()
    missing = sorted(used - defined - set(HOOKS_WITHOUT_STYLE))
    assert not missing, f"classes used with no CSS rule: {missing}"
    for prefix in prefixes:
        assert any(c.startswith(prefix) for c in defined), f"no rule for any {prefix}* class"


def test_every_css_rule_is_for_a_class_something_uses():
    used, prefixes = used_classes()
    unused = sorted(
        c
        for c in css_classes() - used - set(STYLED_THIRD_PARTY)
        if not any(c.startswith(prefix) for prefix in prefixes)
    )
    assert not unused, f"CSS rules for classes nothing uses: {unused}"


def test_every_css_class_is_documented_in_design_md():
    undocumented = sorted(css_classes() - documented_classes())
    assert not undocumented, f"classes with CSS but not in docs/design.md: {undocumented}"
    unstyled = sorted(documented_classes() - css_classes() - {"stack"} - set(HOOKS_WITHOUT_STYLE))
    assert not unstyled, f"classes in docs/design.md with no CSS rule: {unstyled}"


def test_the_scanner_sees_template_conditionals_and_dynamic_suffixes():
    used: set[str] = set()
    prefixes: set[str] = set()
    _split_class_value(
        "badge{% if ok %} badge-ok{% endif %} banner-{{ level }} {{ extra }}", used, prefixes
    )
    assert used == {"badge", "badge-ok"}
    assert prefixes == {"banner-"}
