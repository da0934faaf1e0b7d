"""In-page latency for the browser benchmarks (bench_threshold_page, bench_sessions).

A benchmark evaluates :data:`INSTRUMENT_JS` in a page, then presses keys; the page itself
times each action and keeps the results in ``window.__cutoffLatency.done``. Their
``--everything`` runs switch on money per case, a segment column and a second model with
:func:`choose_extras` and :func:`money_per_case`.
"""

from __future__ import annotations

# window.__cutoffLatency.done collects {kind, ms}. A keydown of Enter in a number input starts a
# "cost" measurement that ends when the run is over and the URL's fn is the typed value; a keydown
# on the slider starts a "slider" one that ends when the URL's t has changed to the value the
# slider shows and the run is over. The end is taken in the next animation frame, i.e. when the
# browser is about to paint the finished run.
#
# The checks run on events, not on a timer: when the page's DOM or the app's run state changes
# (MutationObserver) and when the page writes the URL (history API). They read attributes and
# textContent only, never layout-dependent properties: polling every 2 ms with innerText, as this
# benchmark used to, forced the browser to lay the page out in the middle of rendering it and
# added its own time to what it measured.
INSTRUMENT_JS = """() => {
    const state = window.__cutoffLatency = {done: [], pending: null, framing: false};
    const app = () => document.querySelector('[data-testid="stApp"]');
    const shownThreshold = () => {
        for (const slider of document.querySelectorAll('[data-testid="stSlider"]')) {
            const label = slider.querySelector('[data-testid="stWidgetLabel"]');
            if (label && label.textContent.trim() === "Decision threshold") {
                return slider.querySelector('[role="slider"]')?.getAttribute("aria-valuetext")
                    ?? slider.querySelector('input[type="range"]')?.getAttribute("aria-valuetext");
            }
        }
        return null;
    };
    const finished = p => {
        if (app()?.getAttribute("data-test-script-state") !== "notRunning") return false;
        const params = new URL(location.href).searchParams;
        for (const [name, value] of Object.entries(p.want || {})) {
            if (params.get(name) !== value) return false;
        }
        const t = params.get("t");
        if (p.kind === "slider" && t === p.from) return false;
        const shown = shownThreshold();
        return t !== null && shown != null && Math.abs(Number(t) - Number(shown)) <= 0.00051;
    };
    const check = () => {
        const p = state.pending;
        if (!p || state.framing || !finished(p)) return;
        state.framing = true;
        requestAnimationFrame(() => {
            state.framing = false;
            if (state.pending !== p || !finished(p)) return;  // something moved on: wait for the next change
            state.done.push({kind: p.kind, ms: performance.now() - p.start});
            state.pending = null;
        });
    };
    new MutationObserver(check).observe(document.body, {subtree: true, childList: true, attributes: true,
                                                       characterData: true});
    for (const method of ["pushState", "replaceState"]) {
        const original = history[method].bind(history);
        history[method] = (...args) => { const result = original(...args); queueMicrotask(check); return result; };
    }
    document.addEventListener("keydown", e => {
        if (state.pending) return;
        if (e.key === "Enter" && e.target?.tagName === "INPUT" && e.target.type !== "range") {
            state.pending = {kind: "cost", start: performance.now(), want: {fn: String(Number(e.target.value))}};
        } else if (e.target?.getAttribute?.("role") === "slider" || e.target?.type === "range") {
            state.pending = {kind: "slider", start: performance.now(), from: new URL(location.href).searchParams.get("t")};
        }
    }, true);
}"""


def wait_measured(page, pause_ms: int = 300) -> None:
    """Until the page has timed the action; polled every 100 ms with a trivial check, so the
    driver adds no work to the page while it renders; then a pause so actions do not overlap."""
    page.wait_for_function("() => !window.__cutoffLatency.pending", polling=100, timeout=120_000)
    if pause_ms:
        page.wait_for_timeout(pause_ms)


def measured(page, kind: str) -> list[float]:
    """Seconds of every ``kind`` ("slider" or "cost") action the page timed."""
    return [item["ms"] / 1000 for item in page.evaluate("() => window.__cutoffLatency.done") if item["kind"] == kind]


def choose_extras(app, amount: str, segment: str, compare: str) -> None:
    """On the Data page: the Amount column, the Segment column and one Compare with column,
    each step awaited (its own run), so the Threshold page does all three on every move."""
    for label, column in (("Amount column", amount), ("Segment column", segment)):
        app.select(label, column)  # waits for its own run (StreamlitPage.wait_run_after)
    box = app.combobox("Compare with")
    box.click()
    before = app.runs()
    app.page.get_by_role("option", name=compare).click()
    app.page.keyboard.press("Escape")
    app.wait_run_after(before, timeout=180_000)


def money_per_case(app, percent: int = 60) -> None:
    """On the Threshold page: a false negative costs ``percent`` % of the case's amount."""
    app.set_number("False negative: % of amount", percent)
    app.wait_threshold_settled(fna=str(percent))
