"""Compare two `make bench` reports, e.g. 1,000 against 100,000 statements, or uncached
against cached: each target's throughput ratio to its floor in both runs, and how much
slower (p50) the second run is.

    python bench/compare.py var/bench/A.json var/bench/B.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def ratio(value: float | None) -> str:
    return f"{value:.2f}" if value is not None else "-"


def load(path: str) -> dict:
    report = json.loads(Path(path).read_text())
    floors = [r["rps"] for r in report["pages"] if r.get("floor") and "error" not in r]
    floor = report.get("floor_rps") or (sum(floors) / len(floors) if floors else 0)
    rows = {}
    for row in report["pages"]:
        if "rps" in row and "error" not in row:
            key = row["path"] + (" (304)" if row.get("conditional") else "")
            key += f" ({row['clients']} client)" if row.get("clients") else ""
            rows[key] = {
                "name": row["name"],
                # A single client's throughput is no ratio to a floor measured with several.
                "ratio": row["rps"] / floor if floor and "clients" not in row else None,
                "p50": row["latency_ms"]["p50"],
                "p95": row["latency_ms"].get("p95"),
            }
    return {"corpus": report["corpus"], "rows": rows}


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    a, b = load(argv[1]), load(argv[2])
    print(
        f"A: {a['corpus']['statements']} statements on {a['corpus']['database']}   "
        f"B: {b['corpus']['statements']} statements on {b['corpus']['database']}"
    )
    print(f"{'target':<44} {'A ÷floor':>9} {'B ÷floor':>9} {'B p50 / A p50':>14}")
    for key, row in a["rows"].items():
        other = b["rows"].get(key)
        if not other:
            print(f"{row['name']:<44} {ratio(row['ratio']):>9} {'-':>9} {'-':>14}")
            continue
        slowdown = other["p50"] / row["p50"] if row["p50"] else float("nan")
        print(
            f"{row['name']:<44} {ratio(row['ratio']):>9} {ratio(other['ratio']):>9} "
            f"{slowdown:>13.2f}x"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
