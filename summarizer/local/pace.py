"""How fast this process reads and writes tokens now, and how long a generation may take.

A fixed deadline cannot fit the embedded model: the same article takes 20 s on an idle
laptop and 120 s on one that is building something, since llama.cpp's threads share the
cores with whatever else runs. So a generation is bounded by its work instead: the
tokens it reads and the tokens it may write, at the pace this process measures as it
goes (`Pace`, updated by every prompt batch and every few tokens decoded), times a
margin (`allowance`). A loaded machine slows the pace and so lengthens the bound; only a
generation far slower than the machine has lately been is ended.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

# Seconds a token before anything is measured: a slow, loaded 2-core machine (measured
# here: 150 tokens/s read and 39 written when idle, 3 to 6 times slower when busy). Too
# slow errs on the side of waiting; the first prompt batch corrects it.
PRIOR_READ_S = 1 / 25
PRIOR_WRITE_S = 1 / 6
# How far the newest measurement moves the pace: a few batches or a few dozen tokens
# follow a machine that became busy.
WEIGHT = 0.3
# A generation may take this many times its work at the measured pace, plus SLACK_S (the
# grammar's full passes, a batch at a bad moment, the model's first use).
MARGIN = 3.0
SLACK_S = 10.0


@dataclass(frozen=True)
class Rates:
    read_s: float  # seconds per prompt token evaluated
    write_s: float  # seconds per token generated


class Pace:
    """Seconds per token read and written, a moving average over this process's work."""

    def __init__(self, read_s: float = PRIOR_READ_S, write_s: float = PRIOR_WRITE_S) -> None:
        self._lock = threading.Lock()
        self._rates = Rates(read_s, write_s)

    @property
    def rates(self) -> Rates:
        return self._rates

    def read(self, tokens: int, seconds: float) -> None:
        """`tokens` of a prompt were evaluated in `seconds`."""
        if tokens > 0 and seconds > 0:
            with self._lock:
                r = self._rates
                self._rates = Rates(_moved(r.read_s, seconds / tokens), r.write_s)

    def wrote(self, tokens: int, seconds: float) -> None:
        """`tokens` were generated in `seconds`."""
        if tokens > 0 and seconds > 0:
            with self._lock:
                r = self._rates
                self._rates = Rates(r.read_s, _moved(r.write_s, seconds / tokens))

    def allowance(self, to_read: int, to_write: int) -> float:
        """Seconds a generation that reads `to_read` tokens and writes up to `to_write`
        may take, at the pace measured now."""
        r = self._rates
        return MARGIN * (to_read * r.read_s + to_write * r.write_s) + SLACK_S


def _moved(old: float, new: float) -> float:
    return (1 - WEIGHT) * old + WEIGHT * new


PACE = Pace()  # this process's: one model decodes at a time (`transport._lock`)
