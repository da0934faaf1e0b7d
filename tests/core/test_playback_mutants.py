"""core.playback: what mutation testing found the playback tests did not pin down.

The wait between redraws for the paces without a per-epoch step, and the name a Live replay
keeps (the page shows a pace by its name).
"""

from core.playback import PACES, STEP_SECONDS


def test_paces_without_a_step_redraw_ten_times_a_second():
    assert PACES["Watchable"].frame_seconds() == 0.1
    assert PACES["Live"].frame_seconds() == 0.1
    assert PACES["Live"].replay().frame_seconds() == 0.1
    assert PACES["Step by step"].replay().frame_seconds() == STEP_SECONDS


def test_a_replay_keeps_the_paces_name():
    for name, pace in PACES.items():
        assert pace.replay().name == name
    assert not PACES["Live"].replay().is_live
