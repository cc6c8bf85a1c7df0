"""The layout states the architecture (docs/architecture.md, "Parts"): the faces sit on
the domain and never import each other, the domain never imports a face, and the
importer knows nothing of Django."""

import ast
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
