"""Rules of the code base that a reading test can hold."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATE_ARGS = {"state", "to_state", "from_state"}


def views_modules() -> list[Path]:
    found = [*ROOT.glob("*/views*.py"), *ROOT.glob("*/views/*.py")]
    return sorted(p for p in found if ".venv" not in p.parts)


def obligations_modules() -> list[Path]:
    return sorted(p for p in ROOT.glob("*/obligations.py") if ".venv" not in p.parts)


def _names_a_state(node: ast.expr) -> bool:
    """``x.state``, ``x.spending_report.state`` or ``row["state"]``/``row["x__state"]``."""
    if isinstance(node, ast.Attribute):
        return node.attr == "state"
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        key = node.slice.value
        return isinstance(key, str) and (key == "state" or key.endswith("__state"))
    return False


def raw_states(path: Path) -> list[str]:
    """String literals compared with, or passed as, a state (``x.state == "returned"``,
    ``x.state in ("submitted", "confirmed")``, ``state__in=["submitted"]``)."""
    hits = []
    label = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        values: list[ast.expr] = []
        if isinstance(node, ast.Compare) and _names_a_state(node.left):
            values = [v for c in node.comparators for v in (c, *getattr(c, "elts", []))]
        elif (
            isinstance(node, ast.keyword)
            and node.arg
            and (
                node.arg in STATE_ARGS
                or node.arg.startswith("state__")
                or node.arg.endswith("__state")
            )
        ):
            values = [node.value, *getattr(node.value, "elts", [])]
        hits += [
            f"{label}:{node.lineno} {v.value!r}"
            for v in values
            if isinstance(v, ast.Constant) and isinstance(v.value, str)
        ]
    return hits


def test_views_name_states_through_their_choices_not_raw_strings():
    modules = views_modules()
    found = {str(p.relative_to(ROOT)) for p in modules}
    assert {
        "provinces/views/registrations.py",
        "reporting/views/cases.py",
        "notifications/views/inbox.py",
    } <= found, "the views packages' modules are read too"
    hits = [hit for path in modules for hit in raw_states(path)]
    assert not hits, "use the model's State choices: " + ", ".join(hits)


def test_obligations_name_states_through_their_choices_not_raw_strings():
    """What is owed depends on states: each app's ``obligations.py`` names them through the
    model's choices (``Registration.HANDED_IN``, ``Case.State.CONFIRMED``), never as text."""
    modules = obligations_modules()
    found = {str(p.relative_to(ROOT)) for p in modules}
    assert {
        "notifications/obligations.py",
        "provinces/obligations.py",
        "funding/obligations.py",
        "projects/obligations.py",
        "reporting/obligations.py",
    } <= found
    hits = [hit for path in modules for hit in raw_states(path)]
    assert not hits, "use the model's State choices: " + ", ".join(hits)


def test_the_state_rule_sees_raw_states(tmp_path):
    bad = tmp_path / "obligations.py"
    bad.write_text(
        'if reg.state == "submitted": pass\n'
        'if reg.state not in ("submitted", "confirmed"): pass\n'
        'if row["report__state"] in ["returned"]: pass\n'
        'Case.objects.filter(state__in=["confirmed"])\n'
        "Case.objects.filter(state=Case.State.CONFIRMED)\n"
        "if reg.state in Registration.HANDED_IN: pass\n",
        encoding="utf-8",
    )
    assert [h.split(":", 1)[1] for h in raw_states(bad)] == [
        "1 'submitted'",
        "2 'submitted'",
        "2 'confirmed'",
        "3 'returned'",
        "4 'confirmed'",
    ]


NOTIFY_FUNCTIONS = {"notify", "notify_province"}
TRANSLATING_CALLS = {"_", "gettext", "pgettext", "ngettext"}


def source_modules() -> list[Path]:
    skipped = {".venv", "tests", "migrations", "node_modules", "scripts"}
    return sorted(
        p for p in ROOT.glob("*/**/*.py") if not skipped.intersection(p.relative_to(ROOT).parts)
    )


def translated_notifications(path: Path) -> list[str]:
    """``notify(…)`` calls whose message is already translated or already formatted."""
    hits = []
    label = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name not in NOTIFY_FUNCTIONS:
            continue
        message = next((k.value for k in node.keywords if k.arg == "message"), None)
        if message is None and len(node.args) >= 3:
            message = node.args[2]
        formatted = isinstance(message, ast.BinOp) or isinstance(message, ast.JoinedStr)
        translated = isinstance(message, ast.Call) and (
            getattr(message.func, "id", None) in TRANSLATING_CALLS
        )
        if formatted or translated:
            hits.append(f"{label}:{node.lineno}")
    return hits


def test_notifications_are_stored_untranslated():
    """A notification is a gettext_noop sentence plus params, rendered in the reader's
    language: ``notify(users, kind, gettext_noop("…%(x)s…"), params={"x": …}, link=…)``."""
    modules = source_modules()
    assert ROOT / "provinces" / "services.py" in modules
    hits = [hit for path in modules for hit in translated_notifications(path)]
    assert not hits, "pass gettext_noop(…) and params=, not a translated text: " + ", ".join(hits)


def test_the_notification_rule_sees_a_translated_message(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(
        'notify(u, "decision", _("甲%(a)s") % {"a": 1})\n'
        'notify_province(1, "decision", message=gettext("乙"))\n'
        'notify(u, "decision", gettext_noop("丙"), params={})\n',
        encoding="utf-8",
    )
    hits = translated_notifications(bad)
    assert [h.rsplit(":", 1)[1] for h in hits] == ["1", "2"]
