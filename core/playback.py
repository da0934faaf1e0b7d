"""Playback of a training run: which epoch the Train page shows at each moment.

Training runs at full speed; only the drawing is paced. A pace maps the time since the
drawing started to the epoch on screen, capped by how far training has got, so on data
where training itself is slower than the pace the drawing simply follows the computation.

* ``Live``: every frame shows the latest computed epoch (as fast as it computes).
* ``Watchable``: the whole run over :data:`WATCHABLE_SECONDS`, however many epochs. The
  clock runs in log-epochs (epoch ``n ** (t / T)`` at time ``t``): the cost falls fastest
  in the first epochs, so the first ``√n`` epochs get half the time, where a steady pace
  would spend 90% of it on the flat tail of a 300-epoch run.
* ``Step by step``: one epoch every :data:`STEP_SECONDS`.

No Streamlit here: the page asks :meth:`Pace.epoch_at` what to draw and
:meth:`Pace.frame_seconds` how long to wait between frames.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Pace", "PACES", "DEFAULT_PACE", "WATCHABLE_SECONDS", "STEP_SECONDS", "LIVE_REPLAY_SECONDS"]

#: A watchable run takes this long to draw, whatever its number of epochs.
WATCHABLE_SECONDS = 4.0
#: Step by step shows one epoch this often.
STEP_SECONDS = 0.25
#: A replay at the Live pace (nothing to compute, so "as fast as it computes" would be a
#: single frame) takes this long: quick, yet visibly a replay.
LIVE_REPLAY_SECONDS = 1.0
# Ten redraws a second look smooth; each redraw costs a few milliseconds in the browser.
_FRAME_SECONDS = 0.1


@dataclass(frozen=True)
class Pace:
    """How fast a run is drawn. ``name`` is the label the page shows."""

    name: str
    seconds_per_run: float | None = None  # the whole run in this long (Watchable)
    seconds_per_epoch: float | None = None  # one epoch this often (Step by step)

    @property
    def is_live(self) -> bool:
        return self.seconds_per_run is None and self.seconds_per_epoch is None

    def frame_seconds(self) -> float:
        """The wait between two redraws."""
        return self.seconds_per_epoch if self.seconds_per_epoch is not None else _FRAME_SECONDS

    def epoch_at(self, elapsed: float, total: int, computed: int) -> int:
        """The epoch to show ``elapsed`` seconds into the drawing of a ``total``-epoch run
        of which ``computed`` epochs exist so far (0 <= result <= computed).

        ``total`` is the run's length when known, else its epoch limit.
        """
        computed = max(int(computed), 0)
        if self.is_live:
            return computed
        if self.seconds_per_epoch is not None:
            paced = 1 + math.floor(max(elapsed, 0.0) / self.seconds_per_epoch)
        else:
            share = min(max(elapsed, 0.0) / self.seconds_per_run, 1.0)
            paced = math.ceil(max(int(total), 1) ** share - 1e-9)
        return min(max(paced, 0), computed)

    def replay(self) -> "Pace":
        """The pace a replay uses: the same, except that Live takes :data:`LIVE_REPLAY_SECONDS`."""
        return Pace(self.name, seconds_per_run=LIVE_REPLAY_SECONDS) if self.is_live else self


PACES = {
    pace.name: pace
    for pace in (
        Pace("Live"),
        Pace("Watchable", seconds_per_run=WATCHABLE_SECONDS),
        Pace("Step by step", seconds_per_epoch=STEP_SECONDS),
    )
}
DEFAULT_PACE = "Watchable"
