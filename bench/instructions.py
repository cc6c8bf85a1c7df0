"""`make instructions`: the instructions a request of each bench target costs, counted by
valgrind's callgrind. The same code counts the same on any load, where `make bench`'s
figures moved by 10-30% between runs on a shared machine (docs/performance.md, rounds
9-16): the measure for a change of a few per cent.

For each target, one process serves its warm-up requests and then BENCH_REQUESTS more
through Django's test client, under callgrind; a second serves the warm-up alone; the
difference, over BENCH_REQUESTS, is the target's instructions a request. Production
settings, the bench's synthetic corpus (the same database for the same settings), no
page cache unless DJANGO_PAGE_CACHE_SECONDS says otherwise, `PYTHONHASHSEED=0` and the
garbage collector off for the counted requests. The runs share the machine's cores.

    BENCH_STATEMENTS=1000 BENCH_ONLY="statement detail,resolution list" make instructions

Settings (environment): BENCH_STATEMENTS (1000), BENCH_SEED (0), BENCH_ONLY (as for
`make bench`), BENCH_REQUESTS (10), BENCH_DATABASE_URL (as for `make bench`). Writes
var/bench/instructions-<timestamp>.json.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import gc
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import (  # noqa: E402
    OUT,
    PYTHON,
    env_int,
    generate_corpus,
    machine,
    manage,
    probe,
    say,
    scratch_database,
    server_env,
)

STATEMENTS = env_int("BENCH_STATEMENTS", 1000)
SEED = env_int("BENCH_SEED", 0)
REQUESTS = env_int("BENCH_REQUESTS", 10)
WARMUP = 5

# What callgrind reports on stderr when the process ends.
_COLLECTED = re.compile(r"Collected : (\d+)")


def collected(report: str) -> int:
    """The instructions callgrind counted, from its report on stderr."""
    found = _COLLECTED.findall(report)
    if not found:
        raise ValueError("callgrind reported no count")
    return int(found[-1])


def per_request(baseline: int, total: int, requests: int) -> float:
    """Millions of instructions a request: what ``requests`` more added to the baseline."""
    if requests <= 0 or total < baseline:
        raise ValueError("the counted run must serve more than the baseline")
    return (total - baseline) / requests / 1e6


def counted(env: dict[str, str], target: dict, requests: int) -> int:
    """Run ``serve`` for one target under callgrind; the instructions it took."""
    with tempfile.TemporaryDirectory() as scratch:
        command = [
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={scratch}/callgrind.out",
            PYTHON,
            __file__,
            "serve",
            json.dumps(target),
            str(requests),
        ]
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"counting {target['name']} failed:\n{result.stderr[-3000:]}")
    return collected(result.stderr)


def serve(target: dict, requests: int) -> None:
    """In the counted process: the target's warm-up, then ``requests`` more."""
    import django

    django.setup()
    from django.test import Client

    client = Client()
    headers = {}
    if target.get("conditional"):
        headers["If-None-Match"] = client.get(target["path"])["ETag"]
    expected = {304} if target.get("conditional") else None
    for _ in range(WARMUP):
        status = client.get(target["path"], headers=headers).status_code
        if status >= 500 or (expected and status not in expected):
            sys.exit(f"{target['path']} answered {status}")
    gc.collect()
    gc.disable()
    for _ in range(requests):
        client.get(target["path"], headers=headers)


def main() -> int:
    if not shutil.which("valgrind"):
        print("valgrind is not installed. On Debian or Ubuntu: apt-get install -y valgrind")
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    database_url = scratch_database("_instructions")
    env = server_env(database_url)
    # The test client's host; a fixed key and hash seed, so that the same code counts the same.
    env.update(
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_SECRET_KEY="instructions-" + "k" * 50,
        DJANGO_LOG_LEVEL="WARNING",
        DJANGO_PAGE_CACHE_SECONDS=os.environ.get("DJANGO_PAGE_CACHE_SECONDS", "0"),
        PYTHONHASHSEED="0",
        # One connection for the whole run: under callgrind a run outlasts the default 60
        # seconds, and the reconnection (SQLite reading its schema again) fell among the
        # counted requests or not by how busy the machine was, 0.1-0.2 M a request.
        DJANGO_CONN_MAX_AGE="86400",
    )
    say("migrating the scratch database")
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput", "-v0")
    say(f"generating {STATEMENTS} statements")
    generate_corpus(env, f"--statements={STATEMENTS}", f"--seed={SEED}")
    targets = probe(env, "targets")
    only = [word for word in os.environ.get("BENCH_ONLY", "").split(",") if word]
    if only:
        targets = [t for t in targets if t.get("floor") or any(w in t["name"] for w in only)]
    say(f"counting {len(targets)} targets, {REQUESTS} requests each, under callgrind")
    with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        runs = {
            (target["name"], requests): pool.submit(counted, env, target, requests)
            for target in targets
            for requests in (0, REQUESTS)
        }
        rows = [
            {
                "name": target["name"],
                "path": target["path"],
                "millions": per_request(
                    runs[target["name"], 0].result(),
                    runs[target["name"], REQUESTS].result(),
                    REQUESTS,
                ),
            }
            for target in targets
        ]
    floor = next((row["millions"] for row in rows if row["name"].startswith("healthz")), None)
    print(f"{'target':<60} {'M instr.':>9} {'floor ÷':>8}")
    for row in rows:
        share = f"{floor / row['millions']:.3f}" if floor else "-"
        print(f"{row['name']:<60} {row['millions']:>9.2f} {share:>8}")
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    report = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "corpus": {"statements": STATEMENTS, "seed": SEED, "database": database_url.split(":")[0]},
        "requests": REQUESTS,
        "targets": rows,
    }
    path = OUT / f"instructions-{stamp}.json"
    path.write_text(json.dumps(report, indent=1))
    say(f"written to {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "serve":
        os.chdir(ROOT)
        serve(json.loads(sys.argv[2]), int(sys.argv[3]))
    else:
        sys.exit(main())
