"""Golden answers: what the site answered before a change meant to alter none of it."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest


def golden(path: Path, now: dict[str, str], *, write: bool) -> dict[str, str]:
    """The answers kept at ``path``, to compare with ``now``; with ``write``, ``now`` is
    kept there instead (run on the code before the change) and the test is skipped."""
    if write:
        path.parent.mkdir(exist_ok=True)
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            json.dump(now, handle, indent=0, sort_keys=True)
        pytest.skip(f"wrote {path}")
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)
