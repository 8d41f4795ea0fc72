"""Exponential backoff, one formula for every wait that grows after failures: a feed that fails, a
message a platform refused for now, a platform probed while it is down, a hub that does not
answer, delivery rounds while the database fails. Pure (the jitter's random source is a parameter).
"""

from __future__ import annotations

import math
import random


def backoff(first: float, step: int, cap: float = math.inf, *, doublings: int | None = None, jitter: float = 0.0,
            rng: random.Random | None = None) -> float:
    """Seconds to wait: `first` doubled `step` times (a negative step counts as 0; at most
    `doublings` times when given), at most `cap`; then, with jitter j, scaled by a random factor
    in [1 - j, 1 + j] (so a jittered wait may pass the cap by that factor)."""
    n = max(step, 0)
    if doublings is not None:
        n = min(n, doublings)
    wait = min(first * 2**n, cap)
    if jitter:
        wait *= (rng or random).uniform(1 - jitter, 1 + jitter)
    return wait
