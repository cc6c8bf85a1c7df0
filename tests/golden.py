"""Golden answers: what the site answered before a change meant to alter none of it."""

from __future__ import annotations

import difflib
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


def assert_pages_unchanged(now: dict[str, str], then: dict[str, str]) -> None:
    """Every page of ``then`` is in ``now`` with the same bytes; the first that differs
    fails with its diff."""
    assert sorted(now) == sorted(then)
    for url in then:
        if now[url] != then[url]:
            diff = difflib.unified_diff(
                then[url].splitlines(), now[url].splitlines(), "before", "now", lineterm=""
            )
            pytest.fail(f"{url} changed:\n" + "\n".join(list(diff)[:60]))
