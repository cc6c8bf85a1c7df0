"""Fill a scratch database with a synthetic archive for the benchmarks:

    python -m bench.corpus --statements 10000 [--seed 0] [--force] [--verbose]

Deterministic for a seed (bench/synthetic.py builds it). Refuses a database holding real
statements unless --force: synthetic content must never mix with an archive.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable


class CorpusError(Exception):
    """A request the generator refuses; the message says why."""


def generate(
    *,
    statements: int,
    seed: int = 0,
    force: bool = False,
    progress: Callable[[int], None] | None = None,
) -> str:
    """Add ``statements`` synthetic statements; return a line that sums up what was made."""
    from bench import synthetic

    if statements < 1:
        raise CorpusError("--statements must be at least 1.")
    real = synthetic.non_synthetic_statements().count()
    if real and not force:
        raise CorpusError(
            f"This database holds {real} real (non-synthetic) statement(s); synthetic "
            "content would mix with them. Use an empty database, or pass --force."
        )
    started = time.perf_counter()
    result = synthetic.corpus_generate(statements=statements, seed=seed, progress=progress)
    synthetic.planner_statistics_refresh(vacuum=True)
    elapsed = time.perf_counter() - started
    return (
        f"Generated {result.statements} statements ({result.paragraphs} paragraphs, "
        f"{result.citations} citations, {result.resolutions_created} new resolutions, "
        f"{result.meetings} meetings) in {elapsed:.1f} s "
        f"({result.statements / elapsed:.0f} statements/s)."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.corpus", description=__doc__)
    parser.add_argument("--statements", type=int, required=True, metavar="N")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--force", action="store_true", help="Add to a database holding real statements."
    )
    parser.add_argument("--verbose", action="store_true", help="Report every batch.")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mofa_site.settings")
    import django

    django.setup()

    def progress(done: int) -> None:
        print(f"  {done}/{args.statements} statements", flush=True)

    try:
        print(
            generate(
                statements=args.statements,
                seed=args.seed,
                force=args.force,
                progress=progress if args.verbose else None,
            )
        )
    except CorpusError as error:
        print(f"bench.corpus: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
