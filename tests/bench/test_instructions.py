"""bench/instructions.py: what it reads from callgrind and what it reports."""

from __future__ import annotations

import pytest

from bench.instructions import collected, per_request

REPORT = """==4242== Callgrind, a call-graph generating cache profiler
==4242==
==4242== Events    : Ir
==4242== Collected : 3763794325
==4242==
==4242== I   refs:      3,763,794,325
"""


def test_the_count_is_read_from_callgrinds_report():
    assert collected(REPORT) == 3_763_794_325


def test_a_report_without_a_count_is_an_error_not_a_zero():
    with pytest.raises(ValueError):
        collected("==4242== Callgrind, a call-graph generating cache profiler\n")


def test_a_request_costs_what_the_counted_requests_added_to_the_baseline():
    assert per_request(3_763_794_325, 3_767_655_346, 2) == pytest.approx(1.9305105)


@pytest.mark.parametrize(("baseline", "total", "requests"), [(10, 5, 2), (10, 20, 0)])
def test_a_run_that_served_nothing_more_is_refused(baseline, total, requests):
    with pytest.raises(ValueError):
        per_request(baseline, total, requests)
