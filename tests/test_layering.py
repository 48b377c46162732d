"""Apps depend downward only, and no import hides inside a function.

reporting → funding → projects → provinces → planning → notifications → workflow → accounts.
notifications knows no domain app: the domain apps register what they owe with it.
Every module's imports are read with ``ast``: an upward import, or an import of a project
app inside a function or class body (the usual way to dodge a cycle), fails here.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Floors: an app may import only the apps on a lower floor (and itself).
FLOOR = {
    "accounts": 0,
    "workflow": 0.25,  # its pages (import jobs) declare roles with accounts.access
    "notifications": 1,
    "planning": 2,
    "provinces": 3,
    "projects": 4,
    "funding": 4.5,
    "reporting": 5,
    # manage.py bench and loadtest: imports every app to measure it, imported by none.
    "bench": 6,
}
# config is the roof (root URLs, WSGI/ASGI put every app together) and, for the rest
# (settings, the Celery app, API defaults), a floor between workflow/accounts, which its
# API defaults use, and the apps that use those defaults.
ROOF = {"config.urls", "config.wsgi", "config.asgi"}
CONFIG_FLOOR = 0.5
PROJECT = set(FLOOR) | {"config"}


def modules() -> list[Path]:
    return sorted(
        path
        for app in PROJECT
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.relative_to(ROOT).parts
    )


def imported(node: ast.AST, app: str) -> set[str]:
    """The project modules an import statement names (a relative import names its own app)."""
    if isinstance(node, ast.ImportFrom):
        names = {app} if node.level else {node.module or ""}
    elif isinstance(node, ast.Import):
        names = {alias.name for alias in node.names}
    else:
        return set()
    return {n for n in names if n.split(".")[0] in PROJECT}


def refused(module: str, app: str, other: str) -> bool:
    """May ``module`` (of ``app``) not import the project module ``other``?"""
    target = other.split(".")[0]
    if module in ROOF or target == app:
        return False
    if target == "config" and any(other == r or other.startswith(f"{r}.") for r in ROOF):
        return True
    floor = {**FLOOR, "config": CONFIG_FLOOR}
    return floor[target] >= floor[app]


def nested_imports(node: ast.AST, scope: str | None = None):
    """(import statement, name of the innermost function or class around it) pairs."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import | ast.ImportFrom) and scope is not None:
            yield child, scope
        inner = (
            child.name
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            else scope
        )
        yield from nested_imports(child, inner)


def violations(path: Path, root: Path = ROOT) -> list[str]:
    rel = path.relative_to(root)
    app = rel.parts[0]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(rel))
    found = []
    module = ".".join(rel.with_suffix("").parts)
    for node in ast.walk(tree):
        for other in imported(node, app):
            if refused(module, app, other):
                found.append(f"{rel}:{node.lineno} imports {other} (not below {app})")
    for node, scope in nested_imports(tree):
        if imported(node, app) and not (rel.name == "apps.py" and scope == "ready"):
            # (AppConfig.ready runs once the models are loaded: Django's place for them.)
            found.append(f"{rel}:{node.lineno} imports inside {scope}()")
    return found


def test_every_app_is_on_a_floor():
    apps = {p.parent.name for p in ROOT.glob("*/apps.py") if (p.parent / "__init__.py").exists()}
    assert apps <= PROJECT, f"place {apps - PROJECT} on a floor"


def test_apps_depend_downward_and_import_at_module_top():
    found = {re.sub(r":\d+ ", " ", v, count=1) for path in modules() for v in violations(path)}
    assert not found, "\n".join(sorted(found))


@pytest.mark.parametrize(
    ("app", "source", "expected"),
    [
        ("notifications", "from provinces.models import Province\n", "imports provinces"),
        ("planning", "import provinces.models\n", "imports provinces"),
        ("provinces", "from reporting import digest\n", "imports reporting"),
        ("accounts", "from workflow.machine import apply_transition\n", "imports workflow"),
        ("provinces", "def f():\n    from planning.models import Plan\n", "inside f()"),
        ("provinces", "def f():\n    from .models import Case\n", "inside f()"),
        ("reporting", "class A:\n    import provinces\n", "inside A()"),
        ("provinces", "from config.urls import urlpatterns\n", "imports config.urls"),
        (
            "provinces",
            "class A:\n    def ready(self):\n        import planning\n",
            "inside ready()",
        ),
        ("config", "from provinces.models import Province\n", "imports provinces"),
        ("workflow", "from config.api import VisibleModelViewSet\n", "imports config.api"),
        ("reporting", "from bench.harness import Row\n", "imports bench"),
    ],
)
def test_the_rule_catches(tmp_path, app, source, expected):
    """The check itself can fail: each of these is refused."""
    path = tmp_path / app / "probe.py"
    path.parent.mkdir()
    path.write_text(source, encoding="utf-8")
    assert any(expected in v for v in violations(path, tmp_path))


def test_downward_and_top_level_imports_pass(tmp_path):
    path = tmp_path / "reporting" / "probe.py"
    path.parent.mkdir()
    path.write_text(
        "from notifications.obligations import register\nfrom provinces.models import Case\n"
        "from config.api import VisibleModelViewSet\nfrom .models import AnnualSummary\n\n\n"
        "def f():\n    import json\n",
        encoding="utf-8",
    )
    assert violations(path, tmp_path) == []
