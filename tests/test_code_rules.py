"""Rules of the code base that a reading test can hold."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATE_ARGS = {"state", "to_state", "from_state"}


def views_modules() -> list[Path]:
    found = [*ROOT.glob("*/views*.py"), *ROOT.glob("*/views/*.py")]
    return sorted(p for p in found if ".venv" not in p.parts)


def raw_states(path: Path) -> list[str]:
    """String literals compared with, or passed as, a state (``x.state == "returned"``)."""
    hits = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        values: list[ast.expr] = []
        if isinstance(node, ast.Compare) and getattr(node.left, "attr", None) == "state":
            values = node.comparators
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
            f"{path.relative_to(ROOT)}:{node.lineno} {v.value!r}"
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
