"""`make loadtest`: a soak of the production server under a mix of pages and API calls.

Generates a corpus in a scratch database (bench/run.py's, with bench/corpus.py), serves it
with gunicorn and mofa_site/gunicorn.conf.py in production mode, and drives it with wrk
(bench/mix.lua) rotating through home, the statement list, a statement, a resolution, a
meeting, two searches, and the API list and detail. Reports requests/s, latency p50/p99,
errors and the workers' resident memory at start and end; exits non-zero on any error
(a status outside 2xx/3xx, or a socket error) or when memory grew by more than 10%.

Settings (environment):
    LOADTEST_SECONDS       duration (60)
    LOADTEST_CONNECTIONS   wrk connections (32)
    LOADTEST_THREADS       wrk threads (2)
    LOADTEST_STATEMENTS    corpus size (2000)
    LOADTEST_WARMUP_SECONDS  the same mix before memory is first read (10)
    LOADTEST_EXCLUDE       comma-separated words: leave out the targets whose names hold
                           them (e.g. "search"), to soak the rest when one page is too slow
    WEB_CONCURRENCY        gunicorn workers (the config's default: 2 x cores + 1, at most 12)
    BENCH_DATABASE_URL     postgres://… to test PostgreSQL instead of SQLite (dropped first)
    API_ANON_RATE          left very high unless set: the anonymous API throttle would
                           otherwise answer 429s, which this measures as errors
"""

from __future__ import annotations

import datetime as dt
import json
import os
import runpy
import shutil
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # bench/run.py: one way to build the database and to serve it

ROOT = bench.ROOT
MIX = ROOT / "bench" / "mix.lua"
MAX_MEMORY_GROWTH = 0.10

SECONDS = bench.env_int("LOADTEST_SECONDS", 60)
CONNECTIONS = bench.env_int("LOADTEST_CONNECTIONS", 32)
THREADS = bench.env_int("LOADTEST_THREADS", 2)
STATEMENTS = bench.env_int("LOADTEST_STATEMENTS", 2000)
WARMUP_SECONDS = bench.env_int("LOADTEST_WARMUP_SECONDS", 10)


def say(message: str) -> None:
    print(f"loadtest: {message}", file=sys.stderr, flush=True)


def default_workers() -> int:
    config = runpy.run_path(str(ROOT / "mofa_site" / "gunicorn.conf.py"))
    return config["workers"]


def mixed_paths(targets: list[dict], exclude: list[str]) -> list[str]:
    return [
        t["path"]
        for t in targets
        if not t.get("floor")
        and not t.get("conditional")
        and not any(word in t["name"] for word in exclude)
    ]


def run_wrk(base: str, paths: list[str], seconds: int) -> dict:
    command = [
        "wrk",
        f"--threads={THREADS}",
        f"--connections={CONNECTIONS}",
        f"--duration={seconds}s",
        "--timeout=10s",
        "--latency",
        f"--script={MIX}",
        base,
        "--",
        *paths,
    ]
    result = subprocess.run(command, capture_output=True, text=True)
    for line in result.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            return json.loads(line.removeprefix("BENCH_JSON "))
    sys.exit(f"wrk gave no result:\n{result.stdout}{result.stderr}")


def summarise(raw: dict, rss_start: dict[int, int], rss_end: dict[int, int]) -> dict:
    statuses = {int(code): n for code, n in raw["statuses"].items()}
    bad = sum(n for code, n in statuses.items() if not 200 <= code < 400)
    socket_errors = sum(v for k, v in raw["errors"].items() if k != "status")
    start, end = bench.mib(rss_start), bench.mib(rss_end)
    return {
        "requests": raw["requests"],
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "latency_ms": {k: v / 1000 for k, v in raw["latency_us"].items()},
        "statuses": statuses,
        "bad_responses": bad,
        "socket_errors": socket_errors,
        "memory": {
            "start_mib": round(start, 1),
            "end_mib": round(end, 1),
            "growth_percent": round((end / start - 1) * 100, 1) if start else 0.0,
            # A worker that died (crash, timeout) is replaced under another process id.
            "workers_replaced": len(set(rss_start) - set(rss_end)),
        },
    }


def failures(result: dict) -> list[str]:
    problems = []
    if result["bad_responses"] or result["socket_errors"]:
        codes = ", ".join(f"{n}× {code}" for code, n in sorted(result["statuses"].items()))
        problems.append(
            f"{result['bad_responses']} error responses, {result['socket_errors']} socket "
            f"errors ({codes})"
        )
    if not result["requests"]:
        problems.append("no responses at all")
    if result["memory"]["growth_percent"] > MAX_MEMORY_GROWTH * 100:
        problems.append(f"worker memory grew by {result['memory']['growth_percent']}%")
    if result["memory"]["workers_replaced"]:
        problems.append(f"{result['memory']['workers_replaced']} worker(s) died and were replaced")
    return problems


def main() -> int:
    if not shutil.which("wrk"):
        print("wrk is not installed. On Debian or Ubuntu: apt-get install -y wrk", file=sys.stderr)
        return 2
    bench.OUT.mkdir(parents=True, exist_ok=True)
    workers = int(os.environ.get("WEB_CONCURRENCY") or default_workers())
    bench.WORKERS = workers  # bench.Server passes it to gunicorn as WEB_CONCURRENCY

    # PostgreSQL: the very database BENCH_DATABASE_URL names (dropped and recreated);
    # SQLite: a file of its own beside the benchmark's.
    database_url = bench.scratch_database(
        "" if os.environ.get("BENCH_DATABASE_URL") else "_loadtest"
    )
    env = bench.server_env(database_url)
    env.setdefault("API_ANON_RATE", "1000000/minute")
    scheme = urllib.parse.urlsplit(database_url).scheme
    say(f"migrating a {scheme} scratch database and collecting static files")
    bench.manage(env, "migrate", "--noinput")
    bench.manage(env, "collectstatic", "--noinput", "-v0")
    say(f"generating {STATEMENTS} statements")
    bench.generate_corpus(env, f"--statements={STATEMENTS}", "--seed=0")
    exclude = [word for word in os.environ.get("LOADTEST_EXCLUDE", "").split(",") if word]
    paths = mixed_paths(bench.probe(env, "targets"), exclude)

    server = bench.Server(env)
    try:
        server.wait_ready()
        for path in paths:  # warm every worker: imports, template compilation
            for _ in range(2 * workers):
                try:
                    bench.fetch(server.base + path)
                except OSError as exc:
                    print(f"FAILED: {path} while warming up: {exc}", file=sys.stderr)
                    return 1
        # Then the same mix at full concurrency, so every worker has served every page
        # (imports, compiled templates, caches) before its memory is taken as the start.
        say(f"warming up for {WARMUP_SECONDS} s")
        warmup = summarise(run_wrk(server.base, paths, WARMUP_SECONDS), {}, {})
        rss_start = server.worker_rss_kib()
        say(f"{SECONDS} s, {CONNECTIONS} connections, {workers} workers, {len(paths)} paths")
        raw = run_wrk(server.base, paths, SECONDS)
        time.sleep(1)
        rss_end = server.worker_rss_kib()
    finally:
        server.stop()

    result = summarise(raw, rss_start, rss_end)
    # An error while warming up is an error too.
    result["bad_responses"] += warmup["bad_responses"]
    result["socket_errors"] += warmup["socket_errors"]
    report = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": bench.machine(),
        "load_average": os.getloadavg()[0],
        "settings": {
            "seconds": SECONDS,
            "connections": CONNECTIONS,
            "threads": THREADS,
            "workers": workers,
            "statements": STATEMENTS,
            "database": scheme,
        },
        "paths": paths,
        "excluded": exclude,
        **result,
    }
    path = bench.OUT / f"loadtest-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    latency, memory = result["latency_ms"], result["memory"]
    print(
        f"{result['requests']} requests in {SECONDS} s: {result['rps']:.0f} req/s, "
        f"p50 {latency['p50']:.1f} ms, p99 {latency['p99']:.1f} ms, max {latency['max']:.0f} ms\n"
        f"errors: {result['bad_responses']} error responses, {result['socket_errors']} socket "
        f"errors; statuses {result['statuses']}\n"
        f"worker RSS (mean of {workers}): {memory['start_mib']} MiB at start, "
        f"{memory['end_mib']} MiB at end ({memory['growth_percent']:+.1f}%), "
        f"{memory['workers_replaced']} worker(s) replaced\n"
        f"{STATEMENTS} statements on {scheme}; load average {report['load_average']:.2f}; "
        f"written to {path.relative_to(ROOT)}",
        flush=True,
    )
    problems = failures(result)
    for problem in problems:
        print(f"FAILED: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
