"""The one backoff formula (bot/backoff.py) gives every wait the hand-written formulas gave."""

from __future__ import annotations

import random
from datetime import timedelta

from bot.backoff import backoff
from bot.websub.protocol import MAX_RETRY, retry_delay


def test_doubling_from_the_first_wait_up_to_the_cap():
    assert [backoff(5, n, 600) for n in range(9)] == [5, 10, 20, 40, 80, 160, 320, 600, 600]
    assert backoff(2.0, -1, 300) == 2.0  # before any failure: the first wait
    assert backoff(0.5, 40, 300, doublings=12) == 300
    assert backoff(1.0, 40, doublings=6) == 64  # no cap: at most 2**doublings times the first


def test_the_waits_the_formulas_written_by_hand_gave():
    for n in range(1, 30):  # after the n-th failure
        assert backoff(2.0, n - 1, 300.0, doublings=10) == min(2.0 * 2 ** min(n - 1, 10), 300.0)
        assert backoff(0.5, n, 300.0, doublings=12) == min(0.5 * 2 ** min(n, 12), 300.0)
        assert retry_delay(n) == min(timedelta(minutes=1) * 2 ** min(max(n - 1, 0), 20), MAX_RETRY)


def test_jitter_scales_within_its_band_after_the_cap():
    rng = random.Random(3)
    waits = [backoff(5, 12, 600, doublings=12, jitter=0.2, rng=rng) for _ in range(500)]
    assert 480 <= min(waits) < 500 and 700 < max(waits) <= 720
    assert backoff(5, 3, 600, jitter=0.2, rng=random.Random(9)) == 40 * random.Random(9).uniform(0.8, 1.2)
