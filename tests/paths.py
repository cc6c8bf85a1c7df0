"""Where the tests find the project's files, wherever in tests/ a module sits."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
GOLDEN = ROOT / "tests" / "statements" / "importing" / "golden"
