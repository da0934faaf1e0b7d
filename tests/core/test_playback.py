"""core.playback: which epoch is on screen when, for each pace."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.playback import DEFAULT_PACE, LIVE_REPLAY_SECONDS, PACES, STEP_SECONDS, WATCHABLE_SECONDS


def test_the_three_paces_in_order_with_watchable_the_default():
    assert list(PACES) == ["Live", "Watchable", "Step by step"]
    assert DEFAULT_PACE == "Watchable"


def test_live_shows_whatever_is_computed():
    live = PACES["Live"]
    assert live.is_live
    assert [live.epoch_at(t, 500, c) for t, c in [(0.0, 0), (0.0, 7), (0.01, 480)]] == [0, 7, 480]


@pytest.mark.parametrize("total", [15, 300, 4592, 20_000])
def test_watchable_draws_the_whole_run_over_the_same_seconds(total):
    pace = PACES["Watchable"]
    assert pace.epoch_at(WATCHABLE_SECONDS, total, total) == total
    assert pace.epoch_at(100 * WATCHABLE_SECONDS, total, total) == total
    # log-epochs: the first √n epochs, where the cost falls fastest, take half the time
    assert pace.epoch_at(WATCHABLE_SECONDS / 2, total, total) == math.ceil(math.sqrt(total) - 1e-9)
    assert pace.epoch_at(0.0, total, total) == 1
    assert pace.epoch_at(WATCHABLE_SECONDS * 0.9, total, total) < total
    # a slow fit caps it: the drawing follows the computation
    assert pace.epoch_at(WATCHABLE_SECONDS, total, total // 3) == total // 3


def test_step_by_step_shows_one_epoch_per_step():
    pace = PACES["Step by step"]
    assert [pace.epoch_at(k * STEP_SECONDS + 1e-9, 100, 100) for k in range(4)] == [1, 2, 3, 4]
    assert pace.epoch_at(10 * STEP_SECONDS + 1e-9, 100, 5) == 5
    assert pace.frame_seconds() == STEP_SECONDS


def test_a_live_replay_is_short_but_paced_and_the_others_replay_at_their_own_pace():
    replay = PACES["Live"].replay()
    assert replay.epoch_at(LIVE_REPLAY_SECONDS, 300, 300) == 300
    assert replay.epoch_at(LIVE_REPLAY_SECONDS / 2, 300, 300) == 18  # ⌈√300⌉
    assert PACES["Watchable"].replay() == PACES["Watchable"]


@settings(max_examples=80, deadline=None)
@given(
    name=st.sampled_from(list(PACES)),
    total=st.integers(1, 20_000),
    times=st.lists(st.floats(0, 100), min_size=2, max_size=10),
)
def test_the_epoch_on_screen_never_goes_back_and_never_passes_the_computed_one(name, total, times):
    pace = PACES[name]
    shown = [pace.epoch_at(t, total, total) for t in sorted(times)]
    assert shown == sorted(shown)
    assert all(0 <= s <= total for s in shown)
