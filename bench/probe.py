"""The parts of the benchmark that need Django itself, run by bench/run.py in a subprocess
with the benchmark's database and settings.

    python bench/probe.py targets               # JSON: the URLs to measure
    python bench/probe.py queries TARGETS.json  # JSON: SQL queries and status per target
    python bench/probe.py pages DIR COUNT SEED  # write COUNT synthetic MOFA-style pages
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mofa_site.settings")

import django  # noqa: E402

django.setup()

# The answer is JSON on stdout: the site's log lines go to stderr instead.
for handler in {*logging.getLogger().handlers, *logging.getLogger("django").handlers}:
    if isinstance(handler, logging.StreamHandler):
        handler.setStream(sys.stderr)

from django.db import connection  # noqa: E402
from django.db.models import Count, F  # noqa: E402
from django.db.models.functions import Abs  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench import synthetic  # noqa: E402
from statements import search  # noqa: E402
from statements.api.pagination import MAX_PAGE_SIZE, MAX_RESULT_WINDOW  # noqa: E402
from statements.models import Meeting, Resolution, Statement  # noqa: E402

DETAIL_PARAGRAPHS = 30

# Issue 21's targets, as ratios to the floor measured in the same run: without the page
# cache (DJANGO_PAGE_CACHE_SECONDS=0) per target; with it, CACHED for every page.
STATEMENT_DETAIL = 0.35
LIST = 0.25  # lists, details, API lists and details
SEARCH = 0.10
CONDITIONAL = 0.65  # a 304
CACHED = 0.80


def targets() -> list[dict]:
    """What the issue asks to measure, picked from the generated corpus."""
    statement = (
        Statement.objects.published()
        .annotate(paragraph_count=Count("paragraphs"))
        .annotate(distance=Abs(F("paragraph_count") - DETAIL_PARAGRAPHS))
        .order_by("distance", "id")
        .first()
    )
    resolution = Resolution.objects.order_by("-citation_count", "number")[0]
    meeting = Meeting.objects.published().order_by("id").first()
    if statement is None or meeting is None:
        raise SystemExit("The benchmark database holds no published statement or meeting.")
    detail = f"/statements/{statement.slug}/"
    rows = [
        {"name": "healthz/live (floor)", "path": "/healthz/live", "floor": True},
        {"name": "home", "path": "/"},
        {"name": "statement list", "path": "/statements/", "uncached_target": LIST},
        {
            "name": f"statement detail ({statement.paragraph_count} ¶)",
            "path": detail,
            "uncached_target": STATEMENT_DETAIL,
        },
        {
            "name": f"resolution detail ({resolution.citation_count} citing ¶)",
            "path": f"/resolutions/{resolution.number}/",
            "uncached_target": LIST,
        },
        {"name": "meeting detail", "path": f"/meetings/{meeting.slug}/", "uncached_target": LIST},
        # Issue 20: a filtered list with its counts, a symbol search, the feed of a list.
        {
            "name": "statement list, filtered",
            "path": f"/statements/?year={statement.date.year}&resolution={resolution.number}",
            "uncached_target": LIST,
        },
        {
            "name": "search, resolution symbol",
            "path": f"/search/?q=S/RES/{resolution.number}",
            "uncached_target": SEARCH,
        },
        {
            "name": "feed, filtered list",
            "path": f"/statements/feed/?resolution={resolution.number}",
        },
        {
            "name": "search, common word",
            "path": f"/search/?q={synthetic.COMMON_SEARCH_WORD}",
            "uncached_target": SEARCH,
        },
        {
            "name": "search, rare phrase",
            "path": "/search/?q=" + synthetic.RARE_SEARCH_PHRASE.replace(" ", "+"),
            "uncached_target": SEARCH,
        },
        # The search target is a p95 for one reader at a time, not a throughput.
        {
            "name": "search, common word, 1 client",
            "path": f"/search/?q={synthetic.COMMON_SEARCH_WORD}",
            "clients": 1,
        },
        {
            "name": "search, rare phrase, 1 client",
            "path": "/search/?q=" + synthetic.RARE_SEARCH_PHRASE.replace(" ", "+"),
            "clients": 1,
        },
        *worst_cases(),
        {"name": "API statement list", "path": "/api/v1/statements/", "uncached_target": LIST},
        {
            "name": "API statement detail",
            "path": f"/api/v1/statements/{statement.slug}/",
            "uncached_target": LIST,
        },
        # Issue 21: every list and detail the issue sets a target for, uncached.
        {"name": "meeting list", "path": "/meetings/", "uncached_target": LIST},
        {"name": "resolution list", "path": "/resolutions/", "uncached_target": LIST},
        {"name": "API meeting list", "path": "/api/v1/meetings/", "uncached_target": LIST},
        {
            "name": "API meeting detail",
            "path": f"/api/v1/meetings/{meeting.slug}/",
            "uncached_target": LIST,
        },
        {"name": "API resolution list", "path": "/api/v1/resolutions/", "uncached_target": LIST},
        {
            "name": "API resolution detail",
            "path": f"/api/v1/resolutions/{resolution.number}/",
            "uncached_target": LIST,
        },
        {
            "name": "statement detail, conditional (304)",
            "path": detail,
            "conditional": True,
            "uncached_target": CONDITIONAL,
            "cached_target": CONDITIONAL,
        },
    ]
    for row in rows:
        if not row.get("floor") and "clients" not in row:
            row.setdefault("cached_target", CACHED)
    return rows


def worst_cases() -> list[dict]:
    """The reads an attacker would pick (issue 16, finding 1): the commonest words, the
    deepest pages served, and pages past the window (a 404, which must stay as cheap). One
    client at a time, like the search p95."""
    common = synthetic.COMMON_SEARCH_WORD
    deepest_search = search.MAX_HITS // MAX_PAGE_SIZE
    deepest = MAX_RESULT_WINDOW // MAX_PAGE_SIZE
    size = f"page_size={MAX_PAGE_SIZE}"
    cases = [
        ("API search paragraphs, common word", f"/api/v1/paragraphs/?q={common}", 200),
        ("API search statements, common word", f"/api/v1/statements/?q={common}", 200),
        (
            f"API search paragraphs, page {deepest_search}",
            f"/api/v1/paragraphs/?q={common}&page={deepest_search}&{size}",
            200,
        ),
        (
            "API search, position order",
            f"/api/v1/paragraphs/?q={common}+or+council&ordering=position&{size}",
            200,
        ),
        (
            "API search, position order at page 100 (past the window: 404)",
            f"/api/v1/paragraphs/?q={common}+or+council&ordering=position&page=100&{size}",
            404,
        ),
        (f"API paragraphs, page {deepest}", f"/api/v1/paragraphs/?page={deepest}&{size}", 200),
        (
            f"API paragraphs, position order at page {deepest}",
            f"/api/v1/paragraphs/?ordering=position&page={deepest}&{size}",
            200,
        ),
        (
            "API paragraphs, position order at page 1000 (past the window: 404)",
            f"/api/v1/paragraphs/?ordering=position&page=1000&{size}",
            404,
        ),
        ("search, common word, last page", f"/search/?q={common}&page=50", 200),
    ]
    return [
        {"name": f"worst: {name}", "path": path, "clients": 1, "expect": [status]}
        for name, path, status in cases
    ]


def queries(targets: list[dict]) -> dict[str, dict]:
    """SQL queries per page: the first request (cold caches) and a repeat."""
    host = os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1").split(",")[0]
    client = Client(HTTP_HOST=host, raise_request_exception=False)
    results = {}
    for target in targets:
        headers = target.get("headers", {})
        counts, statuses = [], []
        for _ in range(2):
            with CaptureQueriesContext(connection) as captured:
                response = client.get(target["path"], headers=headers)
            counts.append(len(captured.captured_queries))
            statuses.append(response.status_code)
        results[target["name"]] = {"first": counts[0], "repeat": counts[1], "status": statuses}
    return results


def pages(directory: Path, count: int, seed: int) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("*.txt"):
        old.unlink()
    pool = synthetic.ResolutionPool.for_seed(seed)
    for index in range(count):
        spec = synthetic.build_statement(seed, index, pool)
        (directory / f"synthetic_{index:05d}.txt").write_text(
            synthetic.render_page(spec), encoding="utf-8"
        )


def main(argv: list[str]) -> None:
    command = argv[1]
    if command == "targets":
        print(json.dumps(targets()))
    elif command == "queries":
        print(json.dumps(queries(json.loads(Path(argv[2]).read_text()))))
    elif command == "pages":
        pages(Path(argv[2]), int(argv[3]), int(argv[4]))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
