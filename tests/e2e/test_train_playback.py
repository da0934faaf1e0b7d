"""Watching the cost fall: the Train page's Playback paces the drawing, not the training.

The progress line ``Epoch k of n`` is sampled from inside the page (a MutationObserver
records every text it shows, with the page's own clock), not by polling from the driver,
so a fast run cannot slip between two polls unnoticed.
"""

import re
import time

import pytest
from conftest import ARTIFACTS

pytestmark = pytest.mark.e2e

# Records every distinct "Epoch k of n" progress text with performance.now(), from now on.
RECORD_PROGRESS_JS = """() => {
  window.__epochSamples = [];
  const pattern = /Epoch ([\\d,]+) of ([\\d,]+)/;
  const sample = () => {
    for (const bar of document.querySelectorAll('[data-testid="stProgress"]')) {
      const match = pattern.exec(bar.innerText || "");
      const samples = window.__epochSamples;
      if (match && (!samples.length || samples[samples.length - 1].text !== match[0])) {
        samples.push({t: performance.now(), text: match[0],
                      k: Number(match[1].replace(/,/g, "")), n: Number(match[2].replace(/,/g, ""))});
      }
    }
  };
  window.__epochObserver = new MutationObserver(sample);
  window.__epochObserver.observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def _train_and_time(app) -> tuple[float, list[dict]]:
    """Press Train, wait for the run to end; (seconds from click to idle, progress samples)."""
    app.page.evaluate(RECORD_PROGRESS_JS)
    started = time.perf_counter()
    app.button("Train").click()
    app.expect(app.main.get_by_text("Trained for", exact=False)).to_be_visible(timeout=120_000)
    app.idle(timeout=120_000)
    elapsed = time.perf_counter() - started
    return elapsed, app.page.evaluate("() => window.__epochSamples")


def test_watchable_draws_the_loan_demo_over_seconds_and_live_keeps_its_speed(app):
    app.page.set_default_timeout(120_000)  # a busy shared machine makes single clicks slow, not wrong
    app.open("")  # a fresh session: the loan demo, Train a model, the default features
    app.goto_page("Train")
    playback = app.page.get_by_role("radiogroup", name="Playback", exact=True)
    app.expect(playback.get_by_role("radio", name="Watchable")).to_be_checked()

    watchable_s, samples = _train_and_time(app)
    app.screenshot("train-playback-after")

    print("\nWatchable, ms after the first text -> epoch:", [(round(s["t"] - samples[0]["t"]), s["k"]) for s in samples])
    epochs = [s["k"] for s in samples]
    assert len(set(epochs)) >= 4, f"the progress line showed only {samples}"
    assert epochs == sorted(epochs), f"the epoch on screen went backwards: {epochs}"
    span = (samples[-1]["t"] - samples[0]["t"]) / 1000
    assert span >= 2.0, f"the drawing took {span:.2f} s in the page; Watchable should take about 4 s"
    trained_for = app.main.get_by_text(re.compile(r"Trained for [\d,]+ epochs")).inner_text()
    n = int(re.search(r"Trained for ([\d,]+)", trained_for).group(1).replace(",", ""))
    # the last frames can arrive together with the line's removal, so they may never be painted
    assert samples[-1]["n"] == n and samples[-1]["k"] > n / 2, (samples[-1], n)
    # after the drawing, the Epoch slider takes over
    app.expect(app.slider("Epoch")).to_be_visible()
    assert app.page.get_by_test_id("stProgress").count() == 0

    # Replay draws the same run again, at the same pace, without training: look at it mid-way
    app.button("Replay").click()
    app.expect(app.page.get_by_test_id("stProgress")).to_be_visible(timeout=30_000)
    app.page.wait_for_timeout(1_000)
    app.page.screenshot(path=str(ARTIFACTS / "train-playback-during.png"))  # the viewport: quick, mid-drawing
    app.idle(timeout=120_000)
    app.expect(app.slider("Epoch")).to_be_visible()

    app.radio("Playback", "Live")
    live_s, live_samples = _train_and_time(app)
    # Watchable waits about 4 s on purpose; Live waits for nothing but the computation. (On a
    # quiet machine: Live 0.7 s, Watchable 5-6 s from click to idle on the loan demo.)
    assert live_s < watchable_s, f"Live took {live_s:.2f} s, Watchable {watchable_s:.2f} s"
    print(f"\nloan demo, defaults: Watchable {watchable_s:.2f} s ({len(samples)} progress texts over {span:.2f} s), "
          f"Live {live_s:.2f} s ({len(live_samples)} progress texts)")
    app.screenshot("train-playback-live")
    app.assert_clean()
