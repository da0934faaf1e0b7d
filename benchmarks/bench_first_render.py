"""First render: a fresh server's first visitor, and later visitors, until the Data page is ready.

Starts a fresh Cutoff server process ``--servers`` times. Each time, a new browser context
opens the app's root address (as a first visitor does: it hops to ``/data``), and then
``--visitors`` more contexts do the same on that server (later visitors: the server has
imported everything and built the default demo, but each browser context starts with an
empty cache). Latency runs from the navigation's start (``performance.timeOrigin``: the
page's clock starts at 0 there) to the moment the Data page is rendered and idle: the app's
script state is "not running", nothing on the page is stale, and the Data page's last
element (its "Next" link) and its contract table are shown. It is read with
``performance.now()`` inside the page, so the Python driver's polling does not count.

Also measures the same visits to ``benchmarks/_bare_app.py`` (a title, a two-row table and the
"Next" link behind the same hop from the root address; nothing of Cutoff), on one more fresh
server: Streamlit's own floor on this machine, and later visitors' time as a ratio of it.

Also prints how long the HTML and the frontend's scripts took (DOMContentLoaded), the server
process's CPU time per visit (what a loaded machine stretches, counted once), and, from
one more server started with ``PYTHONPROFILEIMPORTTIME=1`` (not timed), the seconds spent
importing modules while the server started and during the first visitor's run, with the
heaviest top-level packages of that run.

    .venv/bin/python benchmarks/bench_first_render.py [--servers 5] [--visitors 5]
    .venv/bin/python benchmarks/bench_first_render.py --warm-demo-cache   # restarts
    .venv/bin/python benchmarks/bench_first_render.py --smoke     # 1 server, 1 later visitor

The demo cache (``CUTOFF_DEMO_CACHE``, see core/demos.py) is pointed at a fresh temporary
folder for every server, so each server builds the default demo on its first visitor's run (a
server started without ``make run`` on a new machine); with ``--warm-demo-cache`` the tables are
built there first, as ``make run`` does before it starts the server (``python -m core.demos``),
and as a restart finds them. Exits with status 1 when nothing was
measured or the page showed an error.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _common import SMOKE_HELP  # noqa: E402

import numpy as np  # noqa: E402

from tests.e2e.conftest import (  # noqa: E402  one home for launching the app and browser
    IDLE,
    StreamlitPage,
    launched_browser,
    running_server,
)

# Runs before any of the page's own scripts: records performance.now() (ms since the
# navigation started) the first time the Data page is complete and the app is idle.
READY_JS = """(() => {
    const ready = () => {
        if (!document.querySelector('%s')) return false;
        const main = document.querySelector('[data-testid="stMain"]');
        if (!main || main.querySelector('[data-testid="stElementContainer"][data-stale="true"]')) return false;
        const next = [...main.querySelectorAll('[data-testid="stPageLink"]')]
            .some(a => a.innerText.includes("Train a model") || a.innerText.includes("Choose a threshold"));
        // the contract table: plain for a few columns, a grid for many
        return next && !!main.querySelector('.cutoff-table table, [data-testid="stDataFrame"]')
            && location.pathname.endsWith("/data");
    };
    const poll = () => {
        if (window.__cutoffReady == null && ready()) {
            window.__cutoffReady = performance.now();
            const nav = performance.getEntriesByType("navigation")[0];
            window.__cutoffLoaded = nav ? nav.domContentLoadedEventEnd : null;
            return;
        }
        setTimeout(poll, 2);
    };
    poll();
})();""" % IDLE

# One line of ``-X importtime`` output: "import time: self [us] | cumulative | name".
IMPORT_LINE = re.compile(r"^import time:\s+(\d+)\s+\|\s+(\d+)\s+\|( *)(\S+)")


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def visit(browser, server, name: str) -> tuple[float, float | None, list[str]]:
    """One new browser context opens the root URL; returns (seconds to ready, seconds to DOMContentLoaded, errors)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        context.add_init_script(READY_JS)
        app = StreamlitPage(context.new_page(), server.url, name=name, server_log=server.log_path)
        app.page.set_default_timeout(120_000)
        app.page.goto(server.url + "/")
        app.page.wait_for_function("() => window.__cutoffReady != null", timeout=120_000)
        ready, loaded = app.page.evaluate("() => [window.__cutoffReady, window.__cutoffLoaded]")
        problems = [*app.problems.page_errors, *app.problems.dialogs]
        if app.exceptions().count():
            problems.append(app.exceptions().first.inner_text())
        return ready / 1000, (loaded / 1000 if loaded else None), problems
    finally:
        context.close()


@contextlib.contextmanager
def environment(**values: str):
    """Set environment variables for the server processes started inside the block."""
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def demo_cache(folder: str, k: int, warm: bool) -> str:
    """The demo cache folder for server ``k``: the shared, pre-built one, or a new empty one."""
    return folder if warm else tempfile.mkdtemp(dir=folder, prefix=f"server-{k}-")


def prebuild_demos(folder: str) -> None:
    """Build the demo tables into ``folder`` as ``make run`` does before it starts the server
    (``python -m core.demos``), or as a server that ran before would have left them."""
    with environment(CUTOFF_DEMO_CACHE=folder):
        from core.demos import prepare_demo_cache

        prepare_demo_cache()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` so far (all its threads), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(servers: int, visitors: int, folder: str, warm: bool, browser) -> tuple[dict[str, list[float]], list[str]]:
    out: dict[str, list[float]] = defaultdict(list)
    problems: list[str] = []
    for k in range(servers):
        store = str(Path(folder) / f"store-{k}.sqlite")  # a store on disk, as deployed, but not the user's
        with environment(CUTOFF_DEMO_CACHE=demo_cache(folder, k, warm), CUTOFF_STORE=store), \
                running_server(timeout=300) as server:
            for v in range(visitors + 1):
                kind = "first" if v == 0 else "later"
                # The server's CPU per visit counts whatever load the machine is under only once.
                cpu = cpu_seconds(server.pid)
                ready, loaded, errors = visit(browser, server, f"{kind}-{k}-{v}")
                out[f"{kind}_cpu"].append(cpu_seconds(server.pid) - cpu)
                out[kind].append(ready)
                out[f"{kind}_loaded"].append(loaded or float("nan"))
                problems += errors
    return out, problems


def floor(visitors: int, folder: str, browser) -> dict[str, list[float]]:
    """The same visits to benchmarks/_bare_app.py (Streamlit's own floor), on one fresh server."""
    out: dict[str, list[float]] = defaultdict(list)
    with environment(CUTOFF_STORE=str(Path(folder) / "store-floor.sqlite")), \
            running_server(timeout=300, script="benchmarks/_bare_app.py") as server:
        for v in range(visitors + 1):
            kind = "first" if v == 0 else "later"
            ready, _loaded, errors = visit(browser, server, f"floor-{kind}-{v}")
            if errors:
                raise RuntimeError(f"the bare app showed errors: {errors}")
            out[kind].append(ready)
    return out


def import_profile(folder: str, warm: bool, browser) -> tuple[float, float, list[tuple[str, float]]]:
    """(import seconds at server start, during the first visitor's run, heaviest packages of that run)."""
    with environment(PYTHONPROFILEIMPORTTIME="1", CUTOFF_DEMO_CACHE=demo_cache(folder, -1, warm),
                     CUTOFF_STORE=str(Path(folder) / "store-imports.sqlite")), running_server(timeout=300) as server:
        started = server.log_path.stat().st_size
        visit(browser, server, "imports")
        text = server.log_path.read_bytes()
    phases = []
    for chunk in (text[:started], text[started:]):
        total, packages = 0.0, defaultdict(float)
        for line in chunk.decode(errors="replace").splitlines():
            match = IMPORT_LINE.match(line)
            if not match:
                continue
            if len(match.group(3)) == 1:  # a top-level import: its cumulative time counts once
                total += int(match.group(2)) / 1e6
            # Each module's own time goes to its package, so numpy imported by pandas counts as numpy.
            packages[match.group(4).split(".")[0]] += int(match.group(1)) / 1e6
        phases.append((total, sorted(packages.items(), key=lambda kv: -kv[1])))
    return phases[0][0], phases[1][0], phases[1][1][:8]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=5, help="fresh server processes (first visitors)")
    parser.add_argument("--visitors", type=int, default=5, help="later visitors per server")
    parser.add_argument("--warm-demo-cache", action="store_true",
                        help="build the demo tables into the servers' demo cache first (a restart, not a first start)")
    parser.add_argument("--smoke", action="store_true", help=SMOKE_HELP)
    args = parser.parse_args()
    if args.smoke:
        args.servers, args.visitors = 1, 1
    with tempfile.TemporaryDirectory(prefix="cutoff-bench-first-render-") as folder, launched_browser() as browser:
        if args.warm_demo_cache:
            prebuild_demos(folder)
        times, problems = measure(args.servers, args.visitors, folder, args.warm_demo_cache, browser)
        bare = floor(max(args.visitors * args.servers, 1), folder, browser)
        start_imports, run_imports, heaviest = import_profile(folder, args.warm_demo_cache, browser)
    cache = "built before the servers start" if args.warm_demo_cache else "empty for every server"
    print(f"First render of the Data page, measured in the page (demo cache {cache}; load average "
          f"{os.getloadavg()[0]:.1f})")
    for kind, what in (("first", "fresh server, first visitor"), ("later", "later visitors, same server")):
        values, loaded = times[kind], times[f"{kind}_loaded"]
        print(f"  {what}: n={len(values)}, p50 {percentile(values, 50):.2f} s, p95 {percentile(values, 95):.2f} s"
              f"  (frontend loaded p50 {percentile(loaded, 50):.2f} s; server CPU p50 "
              f"{percentile(times[f'{kind}_cpu'], 50):.2f} s)")
    later = percentile(times["later"], 50)
    print(f"  Streamlit's floor (benchmarks/_bare_app.py: the same hop to /data, a title, a two-row table and "
          f"the link; one server): first visitor {percentile(bare['first'], 50):.2f} s, later visitors "
          f"n={len(bare['later'])}, p50 {percentile(bare['later'], 50):.2f} s; Cutoff's later visitors "
          f"{later / percentile(bare['later'], 50):.2f}x that")
    print(f"  server imports: {start_imports:.2f} s while starting, {run_imports:.2f} s during the first visitor's run"
          " (python -X importtime, one more server)")
    print("  heaviest packages in that run (their modules' own import time): "
          + ", ".join(f"{name} {s:.2f} s" for name, s in heaviest))
    if problems:
        print(f"  page errors: {problems}")
    if problems or not times["first"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
