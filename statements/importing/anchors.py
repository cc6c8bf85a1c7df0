"""Permalink anchors of a statement's blocks, from their label paths.

A labelled block's anchor is "p" and the keys of the labels from the top down, joined by
"-": "2" -> "p2", "(1)" under "2" -> "p2-1", "a" under it -> "p2-1-a". Unlabelled
ancestors are skipped (their children are still cited by their own labels); an
unlabelled block, or one whose label path another block already took, is "p-<position>".
Keys never start with "-", so the two forms cannot meet. Pure: the services store the
result, and the pages and the API read it back.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_NOT_KEY = re.compile(r"[^0-9a-z]+")


def label_key(label: str) -> str:
    """The label without its brackets and stops, lower case: "(1)" -> "1", "IV." -> "iv"."""
    return _NOT_KEY.sub("", label.lower())


def block_anchors(blocks: Sequence[tuple[int, str, int | None]]) -> list[str]:
    """Anchors for ``(position, label, parent position)`` triples in reading order."""
    paths: dict[int, str] = {}
    taken: set[str] = set()
    anchors = []
    for position, label, parent in blocks:
        key = label_key(label)
        above = paths.get(parent, "") if parent is not None else ""
        path = f"{above}-{key}" if above and key else key or ""
        anchor = f"p{path}" if path and f"p{path}" not in taken else f"p-{position}"
        if path:
            paths[position] = path if anchor == f"p{path}" else above
        else:
            paths[position] = above  # an unlabelled block passes its parent's path on
        taken.add(anchor)
        anchors.append(anchor)
    return anchors
