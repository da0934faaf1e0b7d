"""Flow 4: two browsers at once, each with its own upload, never see each other's data.

Streamlit keeps one session per browser tab; the app caches parsed tables with
``st.cache_data`` (shared by all sessions), so this is where a cache keyed on the wrong
thing would leak one customer's table into another's screen.
"""

import numpy as np
import pandas as pd
import pytest

from conftest import assert_threshold_metrics, csv_bytes, shown_costs

pytestmark = pytest.mark.e2e


def scored_table(prefix: str, n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    label = (rng.random(n) < 0.35).astype(int)
    score = np.clip(0.3 + 0.3 * label + rng.normal(0, 0.2, n), 0, 1).round(4)
    return pd.DataFrame({f"{prefix}_id": np.arange(n), f"{prefix}_label": label, f"{prefix}_score": score})


def test_two_sessions_keep_their_own_data(new_app):
    tables = {"alpha": scored_table("alpha", 300, 1), "beta": scored_table("beta", 700, 2)}
    apps = {name: new_app(name) for name in tables}
    for name, app in apps.items():
        app.open("")
    # Both sessions are open when each uploads.
    for name, app in apps.items():
        app.upload("Upload a CSV", f"{name}.csv", csv_bytes(tables[name]))
    for name, app in apps.items():
        app.expect(app.main.get_by_text(f"Loaded: {name}.csv", exact=False)).to_be_visible()
        app.idle()
        app.radio("Mode", "Use my scores")
        app.select("Target column", f"{name}_label")
        app.select("Positive class", "1")
        app.select("Score column", f"{name}_score")
    for name, app in apps.items():
        app.goto_page("Threshold")
    for name, app in apps.items():
        table, other = tables[name], next(o for o in tables if o != name)
        app.expect(app.main.get_by_text(f"all {len(table):,} rows")).to_be_visible()
        t = app.wait_threshold_settled()
        assert_threshold_metrics(app, table[f"{name}_label"], table[f"{name}_score"], t, shown_costs(app))
        app.expect(app.sidebar).to_contain_text(f"Data: {name}.csv")
        for page in ("Threshold", "Data"):
            if page == "Data":
                app.goto_page("Data")
            html = app.page.content()
            assert f"{other}.csv" not in html and f"{other}_" not in html, f"{name} sees {other}'s data on {page}"
        app.screenshot(f"isolation-{name}")
        app.assert_clean()
