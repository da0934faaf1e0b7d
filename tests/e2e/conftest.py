"""Real-browser fixtures: one Streamlit server and one headless Chromium per test session.

* ``app_server`` starts the app as ``make run`` does (``python -m pages._server``: ``streamlit run
  streamlit_app.py`` with the first page's imports done first) on a free loopback port, waits for
  ``/_stcore/health`` and stops the whole process group by its PID afterwards.
* ``browser`` is Debian's ``/usr/bin/chromium`` driven by Playwright's sync API (never a
  downloaded browser build). Without it the tests skip, except under ``CI`` where they fail:
  CI must never pass by silently skipping the browser.
* ``app`` is a fresh browser context (so a fresh Streamlit session) per test, wrapped in
  :class:`StreamlitPage`, which speaks the UI contract's labels and fails the test on any
  JavaScript dialog or page error.

The server and browser helpers are plain context managers so ``benchmarks/bench_sessions.py``
drives the app exactly the way the tests do.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
# The app has finished its script run; only meaningful after asserting the expected change,
# since a rerun triggered by an action may not have started yet.
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
# Counts the app's script runs in the page. A widget change sends its rerun request without
# changing ``data-test-script-state``: until the server says the run has started the app still
# looks idle, so "idle" right after an action can be the state before the action's own run.
RUN_COUNTER_JS = """(() => {
    window.__cutoffRuns = 0;
    const seen = () => {
        const app = document.querySelector('[data-testid="stApp"]');
        const state = app && app.getAttribute("data-test-script-state");
        if (state === "running" && window.__cutoffLastState !== "running") window.__cutoffRuns += 1;
        window.__cutoffLastState = state;
    };
    // Only this attribute's changes are queued, so the observer costs nothing while a page draws.
    new MutationObserver(seen).observe(document, {
        subtree: true, attributes: true, attributeFilter: ["data-test-script-state"],
    });
})();"""
# In-page predicate: a run has started since ``before`` and the app is idle again.
RUN_AFTER_JS = """(before) => window.__cutoffRuns > before && !!document.querySelector('%s')""" % IDLE
# In-page predicate: the run is over and the URL's ``t`` (written by the Threshold page at
# the end of each run) is the value the "Decision threshold" slider shows.
THRESHOLD_SETTLED_JS = """(expected) => {
    if (!document.querySelector('%s')) return false;
    const params = new URL(location.href).searchParams;
    // Settings the caller just entered: the page writes them to the URL at the end of the run
    // that used them, after that run's metrics, so until they show up the metrics may be older.
    for (const [name, value] of Object.entries(expected)) {
        if (params.get(name) !== value) return false;
    }
    const t = params.get("t");
    const slider = [...document.querySelectorAll('[data-testid="stSlider"]')]
        .find(s => s.querySelector('[data-testid="stWidgetLabel"]')?.innerText.trim() === "Decision threshold");
    const shown = slider?.querySelector('input[type="range"]')?.getAttribute("aria-valuetext");
    // The slider shows 3 decimals (its steps are 0.001 apart) and may snap a half either way.
    return t !== null && shown != null && Math.abs(Number(t) - Number(shown)) <= 0.00051;
}""" % IDLE
# The UI contract's pages, in navigation order.
PAGE_TITLES = ["Data", "Train", "Threshold", "Learn", "Report"]
# Directories whose content a test run legitimately changes.
UNTRACKED_DIRS = {".venv", ".git", ".pytest_cache", ".hypothesis", "test-artifacts", "__pycache__"}


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require_chromium() -> None:
    """Skip (locally) or fail (in CI) when the system Chromium is not installed."""
    if CHROMIUM.exists():
        return
    message = f"{CHROMIUM} is missing; install Debian's chromium (`make chromium`) to run the browser tests"
    if in_ci():
        pytest.fail(message + " (CI must run them, not skip them)", pytrace=False)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class ServerHandle:
    url: str
    process: subprocess.Popen
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def peak_rss_bytes(self) -> int:
        """The server's peak resident set size (``VmHWM``), read from /proc."""
        status = Path(f"/proc/{self.pid}/status").read_text()
        kib = int(re.search(r"^VmHWM:\s+(\d+)\s+kB", status, re.M).group(1))
        return kib * 1024

    def log_tail(self, n: int = 40) -> str:
        return tail(self.log_path, n)


def tail(path: Path, n: int) -> str:
    """The last ``n`` lines of a text file ("" if it cannot be read)."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return ""


@contextlib.contextmanager
def running_server(*extra_args: str, timeout: float = 60.0, script: str = "streamlit_app.py") -> Iterator[ServerHandle]:
    """Run the app (or another Streamlit ``script``, relative to the repository) on a free
    loopback port; stop its process group on exit."""
    ARTIFACTS.mkdir(exist_ok=True)
    port = free_port()
    log_path = ARTIFACTS / f"streamlit-{port}.log"
    # The app as `make run` starts it (pages/_server.py: `streamlit run` with the first page's
    # imports done before the server starts); any other script with plain `streamlit run`.
    start = [sys.executable, "-m", "pages._server"] if script == "streamlit_app.py" else \
        [sys.executable, "-m", "streamlit", "run", script]
    cmd = [
        *start,
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--server.headless", "true",
        # Engineers edit files while tests run; a reload mid-test would be a false failure.
        "--server.fileWatcherType", "none",
        *extra_args,
    ]
    with log_path.open("wb") as log:
        # Its own session (process group) so teardown reaches any child it spawns.
        process = subprocess.Popen(cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    handle = ServerHandle(url=f"http://127.0.0.1:{port}", process=process, log_path=log_path)
    try:
        _wait_healthy(handle, timeout)
        yield handle
    finally:
        _stop(process)


def _wait_healthy(handle: ServerHandle, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if handle.process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {handle.process.returncode}:\n{handle.log_tail()}")
        try:
            with urllib.request.urlopen(f"{handle.url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"streamlit did not become healthy in {timeout:.0f} s:\n{handle.log_tail()}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@contextlib.contextmanager
def launched_browser(playwright=None):
    """Headless system Chromium; starts (and stops) Playwright unless one is given."""
    from playwright.sync_api import sync_playwright

    with contextlib.ExitStack() as stack:
        pw = playwright or stack.enter_context(sync_playwright())
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        stack.callback(browser.close)
        yield browser


def project_files() -> set[str]:
    """Every file path under the project, outside tool and cache folders (relative, sorted by caller).

    Paths, not contents: engineers edit files while the suite runs, and what a session
    must never do is leave a file behind (an upload, a cache, an export).
    """
    listing = set()
    for root, dirs, files in os.walk(REPO):
        dirs[:] = [d for d in dirs if d not in UNTRACKED_DIRS]
        listing.update(str(Path(root, name).relative_to(REPO)) for name in files)
    return listing


@dataclass
class BrowserProblems:
    """JavaScript dialogs, uncaught page errors and console errors seen by one page."""

    dialogs: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)  # anything not to the app's own server


class StreamlitPage:
    """A Playwright page on the Cutoff app, addressed by the UI contract's labels.

    Navigation goes through the sidebar links: loading a new URL would open a new Streamlit
    session and lose the uploaded data.
    """

    def __init__(self, page, base_url: str, name: str = "app", server_log: Path | None = None):
        from playwright.sync_api import expect

        self.page = page
        self.base_url = base_url
        self.name = name
        self.server_log = server_log
        # Assertions wait as long as actions do: on a loaded 2-core machine an upload's run can
        # take longer than Playwright's 5 s default before the sidebar changes.
        expect.set_options(timeout=30_000)
        self.expect = expect
        self.problems = BrowserProblems()
        page.set_default_timeout(30_000)
        # Dismissing keeps the page usable; recording fails the test at teardown.
        page.on("dialog", lambda d: (self.problems.dialogs.append(f"{d.type}: {d.message}"), d.dismiss()))
        page.on("pageerror", lambda e: self.problems.page_errors.append(str(e)))
        page.on("console", self._on_console)
        page.on("request", self._on_request)
        page.add_init_script(RUN_COUNTER_JS)

    def _on_request(self, request) -> None:
        if not request.url.startswith((self.base_url, "data:", "blob:", "about:")):
            self.problems.external_requests.append(request.url)

    def local_console_errors(self) -> list[str]:
        """Console errors about the app's own resources (external ones: ``external_requests``)."""
        return [e for e in self.problems.console_errors if "@ http" not in e or f"@ {self.base_url}" in e]

    def _on_console(self, msg) -> None:
        url = msg.location.get("url", "")
        # Streamlit's frontend probes <page path>/_stcore/* to find its base path; those 404s
        # are its own, not the app's.
        if msg.type == "error" and "/_stcore/" not in url:
            self.problems.console_errors.append(f"{msg.text} @ {url}")

    # --- loading and waiting -------------------------------------------------------------
    def open(self, path: str = "", query: str = "") -> "StreamlitPage":
        """Load a URL (a new Streamlit session) and wait until the app's navigation has run."""
        url = f"{self.base_url}/{path.lstrip('/')}" + (f"?{query}" if query else "")
        self.page.goto(url)
        self.nav_link("Data").or_(self.exceptions()).first.wait_for()
        self.idle()
        if self.exceptions().count():
            pytest.fail(f"the app raised on {url}:\n{self.exceptions().first.inner_text()}\n{self.server_log_tail()}")
        return self

    def server_log_tail(self, n: int = 25) -> str:
        return "" if self.server_log is None else "server log:\n" + tail(self.server_log, n)

    def nav_titles(self) -> list[str]:
        """The page titles the sidebar navigation lists (icons stripped)."""
        links = self.page.get_by_test_id("stSidebarNavLink").all()
        return [link.inner_text().split("\n")[-1].strip() for link in links]

    def nav_link(self, title: str):
        return self.page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True)

    def idle(self, timeout: float = 60_000) -> None:
        self.page.locator(IDLE).wait_for(timeout=timeout)

    def runs(self) -> int:
        """How many script runs this page has seen start (``RUN_COUNTER_JS``)."""
        return self.page.evaluate("window.__cutoffRuns")

    def wait_run_after(self, before: int, timeout: float = 60_000) -> None:
        """Wait until a run has started since the count ``before`` and the app is idle again.

        A short run can start and end between two of the browser's redraws: the app then never
        shows "running" and the count stays put. So when no run is seen within a few seconds
        (a run normally shows within milliseconds of the action), wait for the app to be idle
        and quiet instead.
        """
        from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

        try:
            self.page.wait_for_function(RUN_AFTER_JS, arg=before, timeout=min(timeout, 5_000))
        except PlaywrightTimeoutError:
            self.page.wait_for_timeout(300)
            self.idle(timeout=timeout)

    def goto_page(self, title: str) -> None:
        """Click a page in the sidebar navigation (same session) and wait for it to render."""
        link = self.nav_link(title)
        link.click()
        self.expect(link).to_have_attribute("aria-current", "page")
        # Elements of the previous page stay (stale) until the new run replaces them.
        self.expect(self.page.locator('[data-testid="stElementContainer"][data-stale="true"]')).to_have_count(0)
        self.idle()

    @property
    def main(self):
        return self.page.get_by_test_id("stMain")

    @property
    def sidebar(self):
        return self.page.get_by_test_id("stSidebar")

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    # --- widgets by label --------------------------------------------------------------
    def widget(self, testid: str, label: str):
        """The widget container of type ``testid`` whose label is exactly ``label``."""
        return self.page.get_by_test_id(testid).filter(
            has=self.page.get_by_test_id("stWidgetLabel").get_by_text(label, exact=True)
        )

    def upload(self, label: str, filename: str, data: bytes, mime: str = "text/csv") -> None:
        uploader = self.widget("stFileUploader", label)
        uploader.locator('input[type="file"]').set_input_files(
            files=[{"name": filename, "mimeType": mime, "buffer": data}]
        )
        # The chip may shorten a long name, so wait for the upload itself, not the text.
        self.expect(uploader.get_by_test_id("stFileChip")).to_have_count(1)
        self.expect(uploader.get_by_test_id("stFileChipIconSpinner")).to_have_count(0)

    def combobox(self, label: str):
        return self.page.get_by_role("combobox", name=label, exact=True)

    def select(self, label: str, option: str) -> None:
        box = self.combobox(label)
        if box.input_value() == option:
            return
        box.click()
        box.fill(option)
        before = self.runs()
        self.page.get_by_role("option", name=option, exact=True).click()
        self.expect(box).to_have_value(option)
        self.wait_run_after(before)

    def multiselect_values(self, label: str) -> list[str]:
        tags = self.widget("stMultiSelect", label).locator("[data-tag] span[title]")
        return [t.get_attribute("title") for t in tags.all()]

    def radio(self, label: str, option: str) -> None:
        group = self.page.get_by_role("radiogroup", name=label, exact=True)
        # Options may carry captions, so match the option's own text exactly.
        choice = group.get_by_test_id("stRadioOption").filter(has=self.page.get_by_text(option, exact=True))
        if choice.locator("input").is_checked():
            self.idle()
            return
        before = self.runs()
        choice.click()
        self.expect(choice.locator("input")).to_be_checked()
        self.wait_run_after(before)

    def number_input(self, label: str):
        return self.widget("stNumberInput", label).locator("input")

    def set_number(self, label: str, value: float) -> None:
        box = self.number_input(label)
        pattern = re.compile(_number_pattern(value))
        if pattern.match(box.input_value()):  # unchanged: Enter would start no run to wait for
            self.idle()
            return
        before = self.runs()
        box.fill(str(value))
        box.press("Enter")
        self.expect(box).to_have_value(pattern)
        self.wait_run_after(before)

    def button(self, label: str):
        return self.main.get_by_role("button", name=label, exact=True)

    def metric(self, label: str):
        return self.page.get_by_test_id("stMetric").filter(
            has=self.page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)
        ).get_by_test_id("stMetricValue")

    def metric_text(self, label: str) -> str:
        return self.metric(label).inner_text().strip()

    def slider(self, label: str = "Decision threshold"):
        return self.widget("stSlider", label).get_by_role("slider")

    def slider_value(self, label: str = "Decision threshold") -> float:
        return float(self.slider(label).input_value())

    def query(self) -> dict[str, str]:
        """The page URL's query parameters (the Threshold page mirrors its setting there)."""
        from urllib.parse import parse_qsl, urlsplit

        return dict(parse_qsl(urlsplit(self.page.url).query))

    def wait_threshold_settled(self, **expected: str) -> float:
        """Wait until the run is over and the URL's ``t`` is what the slider shows; return ``t``.

        The page writes ``t`` (exactly, as repr) at the end of each run, so this is the value
        the displayed metrics were computed at. ``expected`` names URL values (``fn="300"``) that
        a run must have written first: right after typing a cost, the app can look idle before
        the rerun for it has even started, so idleness alone does not prove the metrics are new.
        """
        self.page.wait_for_function(THRESHOLD_SETTLED_JS, arg=expected)
        return float(self.query()["t"])

    def download(self, button_text: re.Pattern | str) -> tuple[str, bytes]:
        """Click the download button whose text matches; return (suggested filename, bytes)."""
        button = self.page.get_by_test_id("stDownloadButton").filter(has_text=button_text).first.get_by_role("button")
        with self.page.expect_download() as info:
            button.click()
        download = info.value
        return download.suggested_filename, Path(download.path()).read_bytes()

    def exceptions(self):
        return self.page.get_by_test_id("stException")

    def assert_clean(self) -> None:
        """No dialog, no uncaught page error and no uncaught Streamlit exception."""
        assert not self.problems.dialogs, f"{self.name}: a JavaScript dialog opened: {self.problems.dialogs}"
        assert not self.problems.page_errors, f"{self.name}: page errors: {self.problems.page_errors}"
        if self.exceptions().count():
            pytest.fail(f"{self.name}: {self.exceptions().first.inner_text()}\n{self.server_log_tail()}")


def _number_pattern(value: float) -> str:
    """Regex for how a number input may render ``value`` (e.g. 5 as "5", "5.0" or "5.00")."""
    if float(value).is_integer():
        return rf"^{int(value)}(\.0+)?$"
    text = repr(float(value))
    return rf"^{re.escape(text)}0*$"


def csv_bytes(frame) -> bytes:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue().encode()


def parse_number(text: str) -> float:
    """A displayed number ("0.873", "$12,300", "-$4,100", "−1,234.5") as a float."""
    cleaned = text.replace("\u2212", "-").replace(",", "")
    match = re.search(r"(-)?[^\d\-.]*(\d+(?:\.\d+)?)", cleaned)
    assert match, f"no number in {text!r}"
    return float(match.group(2)) * (-1 if match.group(1) or cleaned.strip().startswith("-") else 1)


def decimals_shown(text: str) -> int:
    match = re.search(r"\.(\d+)", text)
    return len(match.group(1)) if match else 0


# --- fixtures ----------------------------------------------------------------------------
@pytest.fixture(scope="session")
def app_server() -> Iterator[ServerHandle]:
    require_chromium()
    for stale in [*ARTIFACTS.glob("FAILED-*.png"), *ARTIFACTS.glob("streamlit-*.log")]:
        stale.unlink(missing_ok=True)
    with running_server() as server:
        yield server


@pytest.fixture(scope="session")
def app_url(app_server, browser) -> str:
    """The shared server's URL, after one visit to its root page.

    Streamlit starts in its legacy "pages/ folder" mode until some session has run
    ``st.navigation``; the root visit does that once, so each test exercises its own flow.
    test_shared_url.py covers the first-visitor case on a server of its own.
    """
    page = browser.new_page()
    try:
        StreamlitPage(page, app_server.url, server_log=app_server.log_path).open("")
    finally:
        page.close()
    return app_server.url


@pytest.fixture(scope="session")
def browser():
    require_chromium()
    try:
        import playwright  # noqa: F401
    except ImportError:
        if in_ci():
            pytest.fail("playwright is not installed (requirements-dev.txt)", pytrace=False)
        pytest.skip("playwright is not installed")
    with launched_browser() as browser:
        yield browser


@pytest.fixture
def new_app(browser, app_url, app_server, request):
    """Factory: a fresh browser context (a fresh Streamlit session) on the app, as many as asked."""
    opened: list[tuple[object, StreamlitPage]] = []

    def make(name: str = "app") -> StreamlitPage:
        context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000})
        app = StreamlitPage(context.new_page(), app_url, name=name, server_log=app_server.log_path)
        opened.append((context, app))
        return app

    yield make
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    unexpected = []
    for context, app in opened:
        if failed:
            with contextlib.suppress(Exception):
                app.screenshot(f"FAILED-{request.node.name}-{app.name}")
        unexpected += [f"{app.name}: {p}" for p in app.problems.dialogs + app.problems.page_errors]
        context.close()
    if unexpected and not failed:
        pytest.fail(f"JavaScript dialogs or page errors during the test: {unexpected}", pytrace=False)


@pytest.fixture
def app(new_app) -> StreamlitPage:
    return new_app()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    # Lets fixtures know whether the test body failed (for the failure screenshot).
    report = yield
    if report.when == "call":
        item.rep_call = report
    return report


# --- test data -------------------------------------------------------------------------
FORMULA_PLANS = ("basic", "=1+2", "@SUM(A1)", "-2+3", "+plus")


def churn_table(n: int, seed: int = 7):
    """A churn table: numeric ``tenure`` and ``spend`` (negatives included), categorical
    ``plan`` (some values look like spreadsheet formulas) and target ``churn`` (yes/no, ~30% yes).
    """
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    tenure = rng.integers(1, 72, n)
    spend = rng.normal(0.0, 1.0, n).round(3)
    plan = rng.choice(FORMULA_PLANS, n)
    logit = -1.2 + 1.3 * spend - 0.03 * (tenure - 36) + np.where(plan == "basic", 0.6, -0.2)
    churn = np.where(rng.random(n) < 1.0 / (1.0 + np.exp(-logit)), "yes", "no")
    return pd.DataFrame({"tenure": tenure, "spend": spend, "plan": plan, "churn": churn})


# --- checking what the Threshold page shows ---------------------------------------------
RATIO_METRICS = ("Precision", "Recall", "F1", "Accuracy")
COST_LABELS = {
    "fp": "Cost of a false positive",
    "fn": "Cost of a false negative",
    "tp": "Value of a true positive",
    "tn": "Value of a true negative",
}


def reference_metrics(y, scores, threshold: float, costs: dict[str, float]) -> dict[str, float]:
    """scikit-learn's metrics (and the cost, by hand) with ``score >= threshold`` as positive."""
    import numpy as np
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_score, recall_score

    y = np.asarray(y).astype(int)
    predicted = (np.asarray(scores, dtype=float) >= threshold).astype(int)
    tn, fp, fn, tp = confusion_matrix(y, predicted, labels=[0, 1]).ravel()
    return {
        "Precision": precision_score(y, predicted, zero_division=np.nan),
        "Recall": recall_score(y, predicted, zero_division=np.nan),
        "F1": f1_score(y, predicted, zero_division=np.nan),
        "Accuracy": accuracy_score(y, predicted),
        "Business cost": fp * costs["fp"] + fn * costs["fn"] - tp * costs["tp"] - tn * costs["tn"],
    }


def lowest_cost(y, scores, costs: dict[str, float]) -> float:
    """The minimum business cost over every possible cut (each distinct score, and nobody flagged)."""
    import numpy as np

    cuts = np.append(np.unique(scores), np.inf)
    return min(reference_metrics(y, scores, t, costs)["Business cost"] for t in cuts)


def shown_costs(app: StreamlitPage) -> dict[str, float]:
    return {key: float(app.number_input(label).input_value()) for key, label in COST_LABELS.items()}


def assert_threshold_metrics(app: StreamlitPage, y, scores, threshold: float, costs: dict[str, float]) -> dict:
    """The five metrics on screen equal the reference values at ``threshold`` (to the digits shown)."""
    import math

    expected = reference_metrics(y, scores, threshold, costs)
    shown = {label: app.metric_text(label) for label in expected}
    for label in RATIO_METRICS:
        want = "n/a" if math.isnan(expected[label]) else f"{expected[label]:.3f}"
        assert shown[label] == want, f"{label} at t={threshold!r}: shown {shown[label]!r}, scikit-learn gives {want}"
    cost = parse_number(shown["Business cost"])
    tolerance = 0.5 * 10 ** -decimals_shown(shown["Business cost"]) + 1e-9
    assert abs(cost - expected["Business cost"]) <= tolerance, (
        f"Business cost at t={threshold!r}: shown {shown['Business cost']!r}, expected {expected['Business cost']:,.2f}"
    )
    return shown
