"""Periodic jobs of the serving process."""

from __future__ import annotations

import threading

from govpulse.web.background import PeriodicJob


def test_a_job_runs_first_after_its_own_delay_then_every_interval():
    ran = threading.Event()
    job = PeriodicJob("probe", ran.set, interval=3600, first_after=0).start()
    try:
        assert ran.wait(10)  # not an hour: the first run does not wait for the interval
    finally:
        job.stop()


def test_a_failing_job_keeps_its_thread():
    calls = []

    def flaky():
        calls.append(1)
        raise RuntimeError("catalogue away")

    job = PeriodicJob("flaky", flaky, interval=0.01, first_after=0).start()
    try:
        for _ in range(500):
            if len(calls) >= 2:
                break
            threading.Event().wait(0.01)
        assert len(calls) >= 2 and job._thread.is_alive()
    finally:
        job.stop()
