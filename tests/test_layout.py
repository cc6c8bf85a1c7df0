"""The layout states the architecture (docs/architecture.md, "Parts"): the faces sit on
the domain and never import each other, the domain never imports a face, the importer
knows nothing of Django, and no table name is written by hand outside derived.py."""

import ast
import functools
import re
from pathlib import Path

import pytest

from tests.paths import ROOT

FACES = ("statements.pages", "statements.api", "statements.admin")


def modules_under(package: str) -> list[Path]:
    path = ROOT.joinpath(*package.split("."))
    return sorted(path.rglob("*.py")) if path.is_dir() else [path.with_suffix(".py")]


def imported_by(path: Path) -> set[str]:
    """Every module a file imports, at any depth (imports inside functions count)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def offending(package: str, forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in modules_under(package):
        for name in sorted(imported_by(path)):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                found.append(f"{path.relative_to(ROOT)} imports {name}")
    return found


@pytest.mark.parametrize("face", FACES)
def test_a_face_never_imports_another_face(face):
    others = tuple(f for f in FACES if f != face)
    assert offending(face, others) == []


def domain_modules() -> list[str]:
    faces = {face.rsplit(".", 1)[1] for face in FACES}
    package = ROOT / "statements"
    return [
        f"statements.{path.stem}"
        for path in sorted(package.iterdir())
        if path.name not in faces and path.name != "migrations" and not path.name.startswith("_")
        if path.suffix == ".py" or (path / "__init__.py").exists()
    ]


def test_the_domain_never_imports_a_face():
    found = [line for module in domain_modules() for line in offending(module, FACES)]
    assert found == []
    assert "statements.services" in domain_modules()  # the scan reads the real packages


def test_the_importer_knows_nothing_of_django():
    assert offending("statements.importing", ("django", "rest_framework", "mofa_site")) == []


def test_the_benchmark_corpus_is_not_part_of_the_site():
    shipped = ("mofa_site", "statements")
    assert [line for package in shipped for line in offending(package, ("bench",))] == []


# --- Table names ---------------------------------------------------------------------------

# statements/derived.py declares what the database keeps and takes every table name from
# the models; the historical migrations are frozen. Everything else that writes SQL takes
# its table names from derived.py or from a model's _meta.db_table.
DERIVED = ROOT / "statements" / "derived.py"
HISTORY = ROOT / "statements" / "migrations"
NOT_SHIPPED = {"tests", "var", "staticfiles", "screenshots", "node_modules"}


def shipped_modules() -> list[Path]:
    """Every Python file of the project but the tests (the site, the bench, manage.py)."""
    paths = list(ROOT.glob("*.py"))
    for child in sorted(ROOT.iterdir()):
        if child.is_dir() and not child.name.startswith(".") and child.name not in NOT_SHIPPED:
            paths += child.rglob("*.py")
    return sorted(path for path in paths if path != DERIVED and HISTORY not in path.parents)


@functools.cache
def table_name_patterns() -> tuple[re.Pattern, ...]:
    """The name of any installed model's table or of derived.py's search tables, wherever
    it is written; and any name of the app's tables after an SQL keyword."""
    from django.apps import apps

    from statements import derived
    from statements.models import Statement

    tables = {model._meta.db_table for model in apps.get_models(include_auto_created=True)}
    tables |= {table.name for table in derived.SQLITE_TABLES}
    app = re.escape(Statement._meta.app_label)
    return (
        re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, tables))) + r")\b"),
        re.compile(rf"\b(?:FROM|JOIN|INTO|UPDATE|TABLE|EXISTS)\s+[\"'`]?{app}_\w+", re.I),
    )


def hand_written_table_names(path: Path) -> list[str]:
    found = set()
    for number, line in enumerate(path.read_text().splitlines(), 1):
        for pattern in table_name_patterns():
            found |= {f"{path.relative_to(ROOT)}:{number}: {m[0]}" for m in pattern.finditer(line)}
    return sorted(found)


def test_no_table_name_is_written_by_hand_outside_derived():
    found = [line for path in shipped_modules() for line in hand_written_table_names(path)]
    assert found == []
    # The scan reads the real files, and would see a table's name where one is written.
    assert ROOT / "statements" / "pages" / "views.py" in shipped_modules()
    assert ROOT / "bench" / "probe.py" in shipped_modules()
    assert hand_written_table_names(HISTORY / "0011_search_in_date_order.py") != []
