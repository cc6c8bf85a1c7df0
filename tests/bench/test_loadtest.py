"""bench/loadtest.py's verdict: any error response, socket error, dead worker or more than
10% memory growth fails the soak."""

import importlib.util

import pytest

from tests.paths import ROOT

LOADTEST = ROOT / "bench" / "loadtest.py"


@pytest.fixture(scope="module")
def loadtest():
    spec = importlib.util.spec_from_file_location("loadtest", LOADTEST)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def wrk_result(statuses: dict[str, int], **errors: int) -> dict:
    return {
        "requests": sum(statuses.values()),
        "duration_us": 60_000_000,
        "errors": {"connect": 0, "read": 0, "write": 0, "status": 0, "timeout": 0, **errors},
        "latency_us": {"p50": 8000, "p90": 20000, "p95": 30000, "p99": 90000, "max": 200000},
        "statuses": statuses,
    }


def test_a_clean_soak_with_stable_memory_passes(loadtest):
    result = loadtest.summarise(wrk_result({"200": 5000, "304": 10}), {1: 80_000}, {1: 86_000})
    assert result["rps"] == pytest.approx(5010 / 60)
    assert result["latency_ms"]["p99"] == 90.0
    assert result["memory"]["growth_percent"] == 7.5
    assert loadtest.failures(result) == []


@pytest.mark.parametrize(
    ("statuses", "errors", "rss_end", "expected"),
    [
        ({"200": 100, "503": 1}, {}, {1: 80_000}, "1 error responses, 0 socket errors"),
        ({"200": 100}, {"timeout": 2}, {1: 80_000}, "0 error responses, 2 socket errors"),
        ({"200": 100}, {}, {1: 90_000}, "worker memory grew by 12.5%"),
        ({"200": 100}, {}, {2: 80_000}, "1 worker(s) died and were replaced"),
        ({}, {}, {1: 80_000}, "no responses at all"),
    ],
)
def test_errors_dead_workers_and_memory_growth_fail_the_soak(
    loadtest, statuses, errors, rss_end, expected
):
    result = loadtest.summarise(wrk_result(statuses, **errors), {1: 80_000}, rss_end)
    assert any(expected in problem for problem in loadtest.failures(result))
