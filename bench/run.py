"""`make bench`: measure the site under gunicorn against Django's own floor.

Builds a scratch database with a synthetic corpus, serves it with gunicorn in production
mode on a loopback port, and drives every target with wrk. Throughput is reported as a
ratio to /healthz/live (the full middleware stack and nothing else), so the figures mean
the same on any machine. Also counts SQL queries per page, reads the workers' memory, and
times loaddata and import_statements. Writes var/bench/<timestamp>.json; exits non-zero
when a page answered with an error.

Settings (environment):
    BENCH_STATEMENTS     corpus size (10000)
    BENCH_SEED           corpus seed (0)
    BENCH_SECONDS        wrk duration per target (5)
    BENCH_CONNECTIONS    wrk connections (4)
    BENCH_THREADS        wrk threads (2)
    BENCH_WORKERS        gunicorn workers (2)
    BENCH_PORTS          loopback ports to try, e.g. 8200-8299 (8200-8299)
    BENCH_IMPORT_PAGES   pages for the import timing (1000)
    BENCH_WARMUP_SECONDS wrk load per target before the memory baseline (2), repeated
    BENCH_WARMUP_REQUESTS  until each worker served this many of it (200; at most 15 s)
    BENCH_DATABASE_URL   postgres://… to benchmark PostgreSQL instead of SQLite; the
                         database named there and <name>_import are dropped and recreated
    BENCH_ONLY           comma-separated substrings: measure only matching targets
Other variables (REDIS_URL, DJANGO_CONN_MAX_AGE, …) pass through to the server.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
PYTHON = sys.executable
LUA = ROOT / "bench" / "report.lua"
GUNICORN_CONFIG = ROOT / "mofa_site" / "gunicorn.conf.py"


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    try:
        return int(raw) if raw else default
    except ValueError:
        sys.exit(f"{name} must be a whole number, not {raw!r}.")


STATEMENTS = env_int("BENCH_STATEMENTS", 10_000)
SEED = env_int("BENCH_SEED", 0)
SECONDS = env_int("BENCH_SECONDS", 5)
CONNECTIONS = env_int("BENCH_CONNECTIONS", 4)
THREADS = env_int("BENCH_THREADS", 2)
WORKERS = env_int("BENCH_WORKERS", 2)
IMPORT_PAGES = env_int("BENCH_IMPORT_PAGES", 1000)
WARMUP_SECONDS = env_int("BENCH_WARMUP_SECONDS", 2)
WARMUP_REQUESTS = env_int("BENCH_WARMUP_REQUESTS", 200)


def say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


# --- The scratch databases and the processes around them ----------------------------------


def scratch_database(suffix: str = "") -> str:
    """A fresh, empty database URL: a SQLite file under var/bench, or a recreated
    PostgreSQL database when BENCH_DATABASE_URL is set."""
    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:
        path = OUT / f"bench{suffix}.sqlite3"
        for leftover in OUT.glob(f"bench{suffix}.sqlite3*"):
            leftover.unlink()
        return f"sqlite:///{path}"
    import psycopg
    from psycopg import sql

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/") + suffix
    if not name or name in {"postgres", "template0", "template1"}:
        sys.exit("BENCH_DATABASE_URL must name a scratch database (it is dropped), not postgres.")
    admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def server_env(database_url: str) -> dict[str, str]:
    """Production settings: DEBUG off, a strong one-off key, the loopback host only."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="mofa_site.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        # wrk speaks plain HTTP on loopback: no redirect to HTTPS (production keeps it).
        DJANGO_SECURE_SSL_REDIRECT="0",
        # One client on loopback asks for far more than a reader would: the throttle still
        # runs (and costs what it costs) but never refuses.
        API_ANON_RATE=os.environ.get("API_ANON_RATE", "100000000/minute"),
        DATABASE_URL=database_url,
        DJANGO_STATIC_ROOT=str(OUT / "static"),
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def manage(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if check and result.returncode:
        sys.exit(f"manage.py {' '.join(args[:2])} failed:\n{result.stdout}{result.stderr}")
    return result


def generate_corpus(env: dict[str, str], *args: str) -> None:
    """Fill the scratch database with bench/corpus.py."""
    result = subprocess.run(
        [PYTHON, "-m", "bench.corpus", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        sys.exit(f"bench.corpus failed:\n{result.stdout}{result.stderr}")
    print(result.stdout.strip())


def probe(env: dict[str, str], *args: str):
    # probe.py answers in JSON on stdout and sends the site's log lines to stderr.
    quiet = {**env, "DJANGO_LOG_LEVEL": "WARNING"}
    result = subprocess.run(
        [PYTHON, "bench/probe.py", *args], cwd=ROOT, env=quiet, capture_output=True, text=True
    )
    if result.returncode:
        sys.exit(f"bench/probe.py {args[0]} failed:\n{result.stdout}{result.stderr}")
    return json.loads(result.stdout) if result.stdout.strip() else None


def free_port() -> int:
    first, _, last = os.environ.get("BENCH_PORTS", "8200-8299").partition("-")
    for port in range(int(first), int(last or first) + 1):
        with socket.socket() as probe_socket:
            try:
                probe_socket.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    sys.exit(f"No free loopback port in BENCH_PORTS={first}-{last}.")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # report the 3xx itself, as wrk sees it


_opener = urllib.request.build_opener(_NoRedirects)


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        # Generous: an uncached page may be slow, and a cache is only filled once it answers.
        with _opener.open(request, timeout=60) as response:
            response.read()
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers)


class Server:
    """gunicorn serving the project, as production would."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = OUT / "gunicorn.log"
        gunicorn = Path(PYTHON).with_name("gunicorn")
        # Production's own gunicorn configuration, told where to listen and how many
        # workers to run; only the logging differs.
        self.process = subprocess.Popen(
            [
                str(gunicorn),
                f"--config={GUNICORN_CONFIG}",
                f"--error-logfile={self.log}",
                "--log-level=warning",
            ],
            cwd=ROOT,
            env={**env, "GUNICORN_BIND": f"127.0.0.1:{self.port}", "WEB_CONCURRENCY": str(WORKERS)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"gunicorn exited ({self.process.returncode}):\n{self.log_tail()}")
            try:
                status, _ = fetch(f"{self.base}/healthz/ready")
                if status == 200:
                    return
                last = f"HTTP {status}"
            except OSError as exc:
                last = str(exc)
            time.sleep(0.2)
        self.stop()
        sys.exit(f"/healthz/ready never answered 200 ({last}):\n{self.log_tail()}")

    def log_tail(self) -> str:
        return "\n".join(self.log.read_text().splitlines()[-30:]) if self.log.exists() else ""

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        if children.exists():
            return [int(pid) for pid in children.read_text().split()]
        return [
            int(stat.parent.name)
            for stat in Path("/proc").glob("[0-9]*/stat")
            if _ppid(stat) == self.process.pid
        ]

    def worker_rss_kib(self) -> dict[int, int]:
        rss = {}
        for pid in self.workers():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        rss[pid] = int(line.split()[1])
            except FileNotFoundError:  # a worker restarting
                continue
        return rss

    def stop(self) -> None:
        if self.process.poll() is None:
            workers = self.workers()
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                for pid in workers:  # a worker stuck in a slow page would outlive its master
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)


def _ppid(stat: Path) -> int | None:
    try:
        return int(stat.read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


# --- Measuring ---------------------------------------------------------------------------


def run_wrk(
    url: str, headers: dict[str, str], seconds: int = SECONDS, clients: int = CONNECTIONS
) -> dict:
    command = [
        "wrk",
        f"--threads={min(THREADS, clients)}",
        f"--connections={clients}",
        f"--duration={seconds}s",
        "--timeout=10s",
        "--latency",
        f"--script={LUA}",
    ]
    for name, value in headers.items():
        command += ["--header", f"{name}: {value}"]
    result = subprocess.run([*command, url], capture_output=True, text=True)
    for line in result.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            return json.loads(line.removeprefix("BENCH_JSON "))
    sys.exit(f"wrk gave no result for {url}:\n{result.stdout}{result.stderr}")


def measure(server: Server, target: dict) -> dict:
    url = server.base + target["path"]
    expected = {304} if target.get("conditional") else set(target.get("expect", ())) or None
    if target.get("conditional") and not target.get("headers"):
        return {**target, "error": "the page sends no ETag or Last-Modified to revalidate"}
    try:
        first_status, first_headers = fetch(url, target.get("headers"))
    except OSError as exc:
        return {**target, "error": f"no answer within 60 s: {exc}"}
    clients = target.get("clients", CONNECTIONS)
    raw = run_wrk(url, target.get("headers", {}), clients=clients)
    # wrk stops waiting at the deadline, but sync workers still owe the queued requests:
    # let them drain so a slow page does not eat into the next target's time.
    queued = math.ceil(clients / WORKERS)
    time.sleep(min(10.0, raw["latency_us"]["max"] / 1e6 * queued))
    seconds = raw["duration_us"] / 1e6
    statuses = {int(code): n for code, n in raw["statuses"].items()}
    bad = sum(
        n
        for code, n in statuses.items()
        if (code not in expected if expected else not 200 <= code < 400)
    )
    socket_errors = sum(v for k, v in raw["errors"].items() if k != "status")
    row = {
        **target,
        "requests": raw["requests"],
        "rps": raw["requests"] / seconds if seconds else 0.0,
        "latency_ms": {k: v / 1000 for k, v in raw["latency_us"].items()},
        "statuses": statuses,
        "bad_responses": bad,
        "socket_errors": socket_errors,
        "worker_rss_kib": server.worker_rss_kib(),
    }
    if 300 <= first_status < 400 and first_status != 304:
        # Allowed, but then wrk measures the redirect, not the page: say so.
        row["redirects_to"] = first_headers.get("Location", "")
    if bad or socket_errors or not raw["requests"]:
        codes = ", ".join(f"{n}× {code}" for code, n in sorted(statuses.items()))
        row["error"] = f"{codes or 'no responses'}; {socket_errors} socket errors"
    return row


def validators(server: Server, path: str) -> dict[str, str]:
    status, headers = fetch(server.base + path)
    found = {}
    if status == 200 and headers.get("ETag"):
        found["If-None-Match"] = headers["ETag"]
    if status == 200 and headers.get("Last-Modified"):
        found["If-Modified-Since"] = headers["Last-Modified"]
    return found


def timed(env: dict[str, str], *args: str) -> dict:
    started = time.perf_counter()
    result = manage(env, *args, check=False)
    elapsed = time.perf_counter() - started
    row = {"seconds": round(elapsed, 2)}
    if result.returncode:
        row["error"] = (result.stderr or result.stdout).strip().splitlines()[-1:]
    return row


def time_loading(seed: int) -> dict:
    """loaddata of the fixtures and import_statements of rendered pages, in a scratch
    database; each time includes the command's own start-up (about half a second)."""
    env = server_env(scratch_database("_import"))
    manage(env, "migrate", "--noinput")
    fixtures = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "fixtures").glob("*.json"))
    results = {"loaddata": {"fixtures": len(fixtures), **timed(env, "loaddata", *fixtures)}}
    if manage(env, "help", "import_statements", check=False).returncode:
        results["import_statements"] = {"skipped": "import_statements is not on this branch yet"}
        return results
    pages_dir = OUT / "pages"
    probe(env, "pages", str(pages_dir), str(IMPORT_PAGES), str(seed + 1))
    pages = len(list(pages_dir.glob("*.txt")))
    row = timed(env, "import_statements", str(pages_dir))
    row["pages"] = pages
    if "error" not in row:
        row["pages_per_second"] = round(pages / row["seconds"], 1)
    results["import_statements"] = row
    return results


# --- Reporting ---------------------------------------------------------------------------


def machine() -> dict:
    import django

    cpu = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    commit = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return {
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "commit": commit,
    }


def page_cache_on() -> bool:
    """As the server reads DJANGO_PAGE_CACHE_SECONDS (mofa_site/settings.py)."""
    return os.environ.get("DJANGO_PAGE_CACHE_SECONDS", "600").strip() not in {"0", ""}


def target_of(row: dict, cached: bool) -> float | None:
    """Issue 21's ratio to the floor for this target, with or without the page cache
    (bench/probe.py); None for the floor and for one-client rows (no ratio)."""
    if row.get("floor") or "clients" in row:
        return None
    if cached:
        return row.get("cached_target")
    return row.get("uncached_target")


def floor_rps(rows: list[dict]) -> float:
    """The floor is the mean of its measurements at the start and at the end."""
    floors = [r["rps"] for r in rows if r.get("floor") and "error" not in r]
    return sum(floors) / len(floors) if floors else 0.0


def table(report: dict) -> str:
    floor = report["floor_rps"]
    lines = [
        f"{'target':<44} {'req/s':>8} {'÷floor':>7} {'goal':>6} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'queries':>8} {'RSS MiB':>8}  result",
    ]
    cached = report["settings"]["page_cache"]
    below = []
    for row in report["pages"]:
        q = report["queries"].get(row["name"], {})
        queries = f"{q['first']}/{q['repeat']}" if q else "-"
        if "rps" not in row:
            lines.append(
                f"{row['name']:<44} {'-':>8} {'-':>7} {'-':>6} {'-':>8} {'-':>8} {'-':>8} "
                f"{queries:>8} {'-':>8}  ERROR: {row['error']}"
            )
            continue
        # A single client's throughput is no ratio to a floor measured with several.
        ratio = f"{row['rps'] / floor:.2f}" if floor and "clients" not in row else "-"
        goal = target_of(row, cached)
        if goal is not None and floor and row["rps"] / floor < goal:
            below.append(row["name"])
        rss = max(row["worker_rss_kib"].values(), default=0) / 1024
        result = f"ERROR: {row['error']}" if "error" in row else "ok"
        if "redirects_to" in row:
            result += f" (measured a redirect to {row['redirects_to']})"
        lines.append(
            f"{row['name']:<44} {row['rps']:>8.0f} {ratio:>7} "
            f"{f'≥{goal:.2f}' if goal is not None else '-':>6} {row['latency_ms']['p50']:>8.1f} "
            f"{row['latency_ms']['p95']:>8.1f} {row['latency_ms']['p99']:>8.1f} {queries:>8} "
            f"{rss:>8.1f}  {result}"
        )
    memory = report["memory"]
    lines += [
        "",
        f"goal: issue 21's ratio to the floor, {'with' if cached else 'without'} the page cache"
        + (f"; below it: {', '.join(below)}" if below else "; every goal met"),
        "queries: first request / repeat (cold, then warm caches); RSS: largest worker after "
        "the target",
        f"worker RSS (mean of workers): {memory['start_mib']:.1f} MiB at start, "
        f"{memory['before_mib']:.1f} MiB after warming every target, "
        f"{memory['after_mib']:.1f} MiB after {memory['requests']} more requests "
        f"({memory['growth_percent']:+.1f}%; the worker that grew most: "
        + (
            f"{memory['worst_worker_growth_percent']:+.1f}%)"
            if memory.get("worst_worker_growth_percent") is not None
            else "none survived)"
        ),
    ]
    floors = [r["rps"] for r in report["pages"] if r.get("floor") and "rps" in r]
    if len(floors) == 2 and min(floors):
        lines.append(
            f"floor: {floor:.0f} req/s (start and end differ by "
            f"{abs(floors[0] - floors[1]) / min(floors) * 100:.0f}%; above 10% the machine was "
            f"not quiet: load average {report['load_average']['start']:.2f} at start)"
        )
    for name, row in report["loading"].items():
        if "skipped" in row:
            lines.append(f"{name}: skipped ({row['skipped']})")
        elif "error" in row:
            lines.append(f"{name}: ERROR after {row['seconds']} s: {row['error']}")
        else:
            detail = ", ".join(f"{k} {v}" for k, v in row.items() if k != "seconds")
            lines.append(f"{name}: {row['seconds']} s ({detail})")
    corpus = report["corpus"]
    lines.append(
        f"corpus: {corpus['statements']} statements (seed {corpus['seed']}) on {corpus['database']}"
        f", generated in {corpus['seconds']} s; {SECONDS} s per target, {CONNECTIONS} connections,"
        f" {WORKERS} workers"
    )
    return "\n".join(lines)


def mib(rss: dict[int, int]) -> float:
    return sum(rss.values()) / len(rss) / 1024 if rss else 0.0


def worst_growth(before: dict[int, int], after: dict[int, int]) -> float | None:
    """The largest growth of one worker, in percent (None when every worker was
    replaced in between, which gunicorn does only if one died)."""
    grown = [(after[pid] / before[pid] - 1) * 100 for pid in before.keys() & after.keys()]
    return max(grown) if grown else None


def main() -> int:
    if not shutil.which("wrk"):
        print("wrk is not installed. On Debian or Ubuntu: apt-get install -y wrk", file=sys.stderr)
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    load_start = os.getloadavg()[0]
    if load_start > 0.5:
        say(f"load average is {load_start:.2f}: other work will skew the figures")

    database_url = scratch_database()
    env = server_env(database_url)
    say(f"migrating {urllib.parse.urlsplit(database_url).scheme} scratch database")
    manage(env, "migrate", "--noinput")
    # Production pages link to collectstatic's hashed files; without them every page is a 500.
    manage(env, "collectstatic", "--noinput", "-v0")
    say(f"generating {STATEMENTS} statements")
    generation_started = time.perf_counter()
    generate_corpus(env, f"--statements={STATEMENTS}", f"--seed={SEED}")
    corpus = {
        "statements": STATEMENTS,
        "seed": SEED,
        "database": urllib.parse.urlsplit(database_url).scheme,
        "seconds": round(time.perf_counter() - generation_started, 1),
    }
    targets = probe(env, "targets")
    only = [word for word in os.environ.get("BENCH_ONLY", "").split(",") if word]
    if only:
        targets = [t for t in targets if t.get("floor") or any(w in t["name"] for w in only)]

    server = Server(env)
    try:
        server.wait_ready()
        for target in targets:
            if target.get("conditional"):
                target["headers"] = validators(server, target["path"])
        rss_start = server.worker_rss_kib()
        # Warm every worker on every target until its memory has settled (imports,
        # compiled templates, caches that fill to a size): the growth measured after this
        # is what requests keep adding.
        say(f"warming every target ({WARMUP_REQUESTS} requests a worker)")
        for target in targets:
            try:
                fetch(server.base + target["path"], target.get("headers"))
            except OSError as exc:  # too slow: measure() reports it
                say(f"warming {target['name']}: {exc}")
                continue
            # At least WARMUP_REQUESTS a worker: a page's memory settles after 100-150 of
            # it, and a slow page gets fewer than that in a couple of seconds.
            served, spent = 0, 0
            while WARMUP_SECONDS and served < WARMUP_REQUESTS * WORKERS and spent < 15:
                raw = run_wrk(
                    server.base + target["path"], target.get("headers", {}), WARMUP_SECONDS
                )
                served, spent = served + raw["requests"], spent + WARMUP_SECONDS
        rss_before = server.worker_rss_kib()
        rows = []
        for target in targets:
            say(f"measuring {target['name']}")
            rows.append(measure(server, target))
        say("measuring the floor again, to see drift")
        rows.append(measure(server, {**targets[0], "name": f"{targets[0]['name']}, again"}))
        rss_after = server.worker_rss_kib()
    finally:
        server.stop()

    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(targets, handle)
    say("counting queries per page")
    queries = probe(env, "queries", handle.name)
    os.unlink(handle.name)
    say("timing loaddata and import_statements")
    loading = time_loading(SEED)

    before, after = mib(rss_before), mib(rss_after)
    report = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": {
            "seconds": SECONDS,
            "connections": CONNECTIONS,
            "threads": THREADS,
            "workers": WORKERS,
            "page_cache": page_cache_on(),
        },
        "corpus": corpus,
        "load_average": {"start": load_start, "end": os.getloadavg()[0]},
        "floor_rps": floor_rps(rows),
        "pages": rows,
        "queries": queries,
        "memory": {
            "start_mib": mib(rss_start),
            "before_mib": before,
            "after_mib": after,
            "growth_percent": (after / before - 1) * 100 if before else 0.0,
            "worst_worker_growth_percent": worst_growth(rss_before, rss_after),
            "requests": sum(r.get("requests", 0) for r in rows),
        },
        "loading": loading,
        "total_seconds": round(time.perf_counter() - started, 1),
    }
    path = OUT / f"{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(table(report))
    print(f"\nwritten to {path.relative_to(ROOT)} in {report['total_seconds']} s", flush=True)
    failed = [r["name"] for r in rows if "error" in r]
    if failed:
        print(f"\n{len(failed)} target(s) failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
