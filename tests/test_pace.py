"""summarizer.local.pace and the decoder's clock: a generation is bounded by its work at
the pace this process measures, not by a constant."""

from __future__ import annotations

import time

import pytest

from summarizer.local import pace
from summarizer.local.decode import OutOfTime, _Clock
from summarizer.local.pace import Pace


def test_a_slower_machine_allows_more_time_for_the_same_work() -> None:
    quiet, busy = Pace(1 / 150, 1 / 39), Pace(1 / 150, 1 / 39)
    for _ in range(10):
        busy.read(512, 512 / 25)  # six times slower: another job on the same cores
        busy.wrote(16, 16 / 6.5)
    assert busy.allowance(3000, 300) > 5 * quiet.allowance(3000, 300) - 5 * pace.SLACK_S


def test_the_allowance_follows_the_work() -> None:
    p = Pace(1 / 150, 1 / 39)
    assert p.allowance(6000, 300) > p.allowance(3000, 300) > p.allowance(3000, 0)
    # The old fixed deadline (120 s) was shorter than a 10,000-word prompt read on a busy
    # machine; this bound is not.
    busy = Pace(1 / 25, 1 / 6.5)
    assert busy.allowance(13_000, 400) > 13_000 / 25 + 400 / 6.5


def test_a_measurement_moves_the_pace_part_of_the_way() -> None:
    p = Pace(read_s=1.0, write_s=1.0)
    p.read(10, 0.0)  # nothing measured: no change
    p.read(100, 10.0)  # 0.1 s a token
    assert p.rates.read_s == pytest.approx((1 - pace.WEIGHT) * 1.0 + pace.WEIGHT * 0.1)
    assert p.rates.write_s == 1.0


def test_the_clock_ends_only_a_generation_far_slower_than_its_work_allows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pace, "SLACK_S", 0.0)
    fast = Pace(read_s=1e-4, write_s=1e-4)
    clock = _Clock(fast, to_read=100, to_write=100, max_seconds=None)
    clock.check()  # just started: within 3 x 0.02 s
    time.sleep(0.1)
    with pytest.raises(OutOfTime, match=r"longer than the 0 s its work allows .*0 of 100"):
        clock.check()
    slow = Pace(read_s=1.0, write_s=1.0)  # a machine this slow: the same wait is nothing
    clock = _Clock(slow, to_read=100, to_write=100, max_seconds=None)
    time.sleep(0.1)
    clock.check()
    clock.max_seconds = 0.05  # an explicit bound still holds
    with pytest.raises(OutOfTime):
        clock.check()


def test_the_clock_measures_as_it_goes() -> None:
    p = Pace(read_s=1.0, write_s=1.0)
    clock = _Clock(p, to_read=512, to_write=64, max_seconds=None)
    clock.read(512, 512 / 150)
    for _ in range(_Clock.EVERY):
        clock.wrote_one()
    assert p.rates.read_s < 1.0 and p.rates.write_s < 1.0
    assert (clock.read_n, clock.written_n) == (512, _Clock.EVERY)
