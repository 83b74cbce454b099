"""The directions of the house: the engine and the catalog know nothing of the edge."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RULES = {
    "matcher/engine": (
        "flask",
        "sqlalchemy",
        "marshmallow",
        "vendors",
        "werkzeug",
        "matcher.api",
        "matcher.web",
        "matcher.cli",
        "matcher.db",
    ),
    # The per-vendor oracle the engine is held to lives with the tests; the service never uses it.
    "matcher": ("tests", "bench"),
    # The two entry points share the edge and never import each other; the edge knows neither.
    "matcher/api": ("matcher.web",),
    "matcher/web": ("matcher.api",),
    "matcher/edge": ("matcher.api", "matcher.web"),
    "vendors": ("flask", "matcher", "werkzeug"),
    "migrations": ("matcher", "flask"),
}


def imports_of(path: Path) -> list[str]:
    """Return the absolute names of the modules a file imports, relative imports resolved."""
    package = list(path.relative_to(ROOT).parent.parts)
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            names.append(".".join([*base, *([node.module] if node.module else [])]))
    return names


def test_relative_imports_are_resolved_before_they_are_judged() -> None:
    model = ROOT / "matcher" / "engine" / "model.py"

    assert imports_of(model) == ["__future__", "dataclasses", "typing"]


@pytest.mark.parametrize("folder", sorted(RULES))
def test_a_package_imports_nothing_it_must_not(folder: str) -> None:
    banned = RULES[folder]
    crossing = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted((ROOT / folder).rglob("*.py"))
        for name in imports_of(path)
        if any(name == ban or name.startswith(ban + ".") for ban in banned)
    ]
    assert crossing == []


def test_wsgi_only_creates_the_app() -> None:
    lines = [line for line in (ROOT / "wsgi.py").read_text().splitlines() if line.strip()]
    assert lines == ["from matcher import create_app", "app = create_app()"]


# The views of the API and the pages: they translate in and out and call the services.
VIEWS = ("matcher/api", "matcher/web")
TRANSACTION_CALLS = {"commit", "rollback", "settle"}


@pytest.mark.parametrize("folder", VIEWS)
def test_views_neither_commit_nor_write_sql_the_services_do(folder: str) -> None:
    found = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in TRANSACTION_CALLS
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} calls {node.func.attr}")
        found += [
            f"{path.relative_to(ROOT)} imports {name}"
            for name in imports_of(path)
            if name == "sqlalchemy" or name.startswith("sqlalchemy.")
        ]
    assert found == []


def test_every_service_owns_its_transaction_and_the_catalog_never_commits() -> None:
    # The catalog flushes and the caller decides; only the service layer (and the job runner's
    # own bookkeeping, and the command line's account commands) end a transaction.
    committing = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in sorted((ROOT / "vendors").rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "commit"
    ]
    assert committing == []
    services = sorted((ROOT / "matcher" / "services").glob("*.py"))
    assert {path.stem for path in services} >= {"catalog", "searches", "prospects", "outcomes"}
