"""Flow: decisions by segment. Upload labels, scores and a region, pick `Segment column` on the
Data page, and the Threshold page's **By segment** table shows, at every slider position, each
region's rows, positives, flags, precision, recall, false positive rate and cost exactly as a
direct count gives them, with the small region marked "too few to judge"."""

import time

import numpy as np
import pandas as pd
import pytest

from conftest import csv_bytes, shown_costs

pytestmark = pytest.mark.e2e

HEADER = ["Segment", "Rows", "Positives", "Flagged", "Precision", "Recall", "False positive rate", "Business cost"]


def segments_table(n: int = 600, seed: int = 8) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    region = rng.choice(["north", "south", "east", "islands"], n, p=[0.45, 0.3, 0.22, 0.03])
    label = (rng.random(n) < np.where(region == "south", 0.2, 0.35)).astype(int)
    # Two decimals: many ties at every threshold. The south is scored lower, so flagged less.
    score = np.clip(0.3 + 0.35 * label - 0.12 * (region == "south") + rng.normal(0, 0.2, n), 0, 1).round(2)
    return pd.DataFrame({"label": label, "score": score, "region": region})


def expected_rows(table: pd.DataFrame, t: float, costs: dict[str, float]) -> dict[str, list]:
    """The first eight columns from boolean masks: name, three counts, three rates, the cost."""
    out = {}
    groups = [(name, table["region"] == name) for name in sorted(table["region"].unique())]
    for name, mask in groups + [("Everyone", pd.Series(True, index=table.index))]:
        y = table.loc[mask, "label"].to_numpy() == 1
        flag = table.loc[mask, "score"].to_numpy() >= t
        tp, fp = int((y & flag).sum()), int((~y & flag).sum())
        fn, tn = int((y & ~flag).sum()), int((~y & ~flag).sum())
        cost = fp * costs["fp"] + fn * costs["fn"] - tp * costs["tp"] - tn * costs["tn"]
        out[name] = [name, int(mask.sum()), int(y.sum()), tp + fp, tp / (tp + fp) if tp + fp else 0.0,
                     tp / y.sum() if y.sum() else 0.0, fp / (~y).sum() if (~y).sum() else 0.0, float(cost)]
    return out


def _parse(cells: list[str]) -> list:
    """A row of the grid's accessibility table (it holds the cell values, unformatted)."""
    return [cells[0], *(int(float(c.replace(",", ""))) for c in cells[1:4]),
            *(float(c.replace(",", "").replace("$", "")) for c in cells[4:8])]


def _same(got: dict, want: dict) -> bool:
    return set(got) == set(want) and all(
        g[:4] == w[:4] and all(abs(a - b) <= 1e-9 * max(1.0, abs(b)) for a, b in zip(g[4:], w[4:]))
        for g, w in ((got[k], want[k]) for k in want))


def shown_rows(app) -> dict[str, list]:
    """The By segment table's first eight columns, as the grid shows them."""
    # The grid draws on a canvas; its cells are also in an accessibility table, read here.
    frames = app.main.get_by_test_id("stDataFrame")
    app.expect(frames.first).to_be_visible()
    # A grid draws its header cells a moment after it appears: look again until one matches.
    deadline = time.monotonic() + 30
    grid = None
    while grid is None:
        for candidate in frames.all():
            headers = [h.strip() for h in candidate.locator("[role=columnheader]").all_inner_texts()]
            if headers[: len(HEADER)] == HEADER:
                grid = candidate
                break
        else:
            if time.monotonic() > deadline:
                raise AssertionError("no table with the By segment columns")
            time.sleep(0.2)
    rows = {}
    for row in grid.locator("tbody tr").all():
        cells = [c.strip() for c in row.locator("td").all_inner_texts()][: len(HEADER)]
        rows[cells[0]] = _parse(cells)
    return rows


def test_by_segment_table_equals_direct_counts_as_the_slider_moves(app):
    table = segments_table()
    app.open("")
    app.upload("Upload a CSV", "regions.csv", csv_bytes(table))
    app.expect(app.main.get_by_text("Loaded: regions.csv", exact=False)).to_be_visible()
    app.idle()
    app.radio("Mode", "Use my scores")
    app.select("Target column", "label")
    app.select("Positive class", "1")
    app.select("Score column", "score")
    app.select("Segment column", "region")
    app.expect(app.main.get_by_text("4 groups", exact=False)).to_be_visible()

    app.goto_page("Threshold")
    app.expect(app.main.get_by_role("heading", name="By segment")).to_be_visible()
    slider = app.slider()
    for step in range(3):
        t = app.wait_threshold_settled()
        costs = shown_costs(app)
        want = expected_rows(table, t, costs)
        # The grid redraws just after the run ends: give it a moment to show the new rows.
        deadline = time.monotonic() + 10
        while not _same(got := shown_rows(app), want) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _same(got, want), f"at t={t!r}: shown {got}, direct counts {want}"
        if step < 2:
            before = app.query()["t"]
            slider.focus()
            for _ in range(2):
                slider.press("PageUp" if step == 0 else "PageDown")
            app.page.wait_for_function("t => new URL(location.href).searchParams.get('t') !== t", arg=before)
    # The small region is marked, and the analysis says what it is.
    few = app.main.get_by_text("Too few to judge (under 30 rows or 5 positives): islands", exact=False)
    app.expect(few).to_be_visible()
    app.expect(app.main.get_by_text("analysis, not a deployable policy", exact=False)).to_be_visible()
    app.main.get_by_role("heading", name="By segment").scroll_into_view_if_needed()
    app.screenshot("segments-threshold")
    app.assert_clean()
