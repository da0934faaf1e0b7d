"""Shared AppTest helpers: start the app, move between pages, drive the Data and Train widgets.

Widgets are found by their UI-contract label (ARCHITECTURE.md), as a user finds them, so a
renamed label fails the tests. Every helper runs the script after acting and fails the test
at once if the run raised.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from pages import _ui

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")
PAGES = {
    "data": "pages/data.py",
    "train": "pages/train.py",
    "threshold": "pages/threshold.py",
    "learn": "pages/learn.py",
    "report": "pages/report.py",
}


def assert_ok(at: AppTest) -> AppTest:
    """Fail with the app's own exception text if the last run raised."""
    assert not at.exception, "\n".join(str(e.value) for e in at.exception)
    return at


def start() -> AppTest:
    """A fresh session on the Data page (the first demo is loaded)."""
    return assert_ok(AppTest.from_file(APP, default_timeout=60).run())


@pytest.fixture
def app() -> AppTest:
    return start()


def goto(at: AppTest, page: str) -> AppTest:
    """Switch to ``page`` (a key of PAGES) and run it."""
    return assert_ok(at.switch_page(PAGES[page]).run())


def find(at: AppTest, kind: str, label: str):
    """The widget of ``kind`` (``"selectbox"``, ``"button"``, …) with this exact label."""
    matches = [w for w in getattr(at, kind) if w.label == label]
    assert matches, f"no {kind} labelled {label!r}; found {[w.label for w in getattr(at, kind)]}"
    return matches[0]


def has(at: AppTest, kind: str, label: str) -> bool:
    return any(w.label == label for w in getattr(at, kind))


def stored(at: AppTest, name: str):
    """The session's ``dataset``/``setup``/``model``/``evaluation``/… as the pages stored it (or None)."""
    return at.session_state[_ui.SESSION_KEYS[name]] if _ui.SESSION_KEYS[name] in at.session_state else None


def _on_data_page(at: AppTest) -> AppTest:
    if not has(at, "selectbox", "Demo dataset"):
        goto(at, "data")
    return at


def set_widget(at: AppTest, kind: str, label: str, value) -> AppTest:
    """Set a Data-page widget by label and rerun."""
    _on_data_page(at)
    find(at, kind, label).set_value(value)
    return assert_ok(at.run())


def pick_demo(at: AppTest, key: str) -> AppTest:
    return set_widget(at, "selectbox", "Demo dataset", key)


def upload_csv(at: AppTest, data: bytes, name: str = "data.csv") -> AppTest:
    return set_widget(at, "file_uploader", "Upload a CSV", (name, data, "text/csv"))


def choose_mode(at: AppTest, mode: str) -> AppTest:
    return set_widget(at, "radio", "Mode", mode)


def choose_target(at: AppTest, column: str) -> AppTest:
    return set_widget(at, "selectbox", "Target column", column)


def choose_positive(at: AppTest, value) -> AppTest:
    return set_widget(at, "selectbox", "Positive class", value)


def choose_features(at: AppTest, columns: list[str]) -> AppTest:
    return set_widget(at, "multiselect", "Feature columns", columns)


def choose_score(at: AppTest, column: str) -> AppTest:
    return set_widget(at, "selectbox", "Score column", column)


def train(at: AppTest, *, epochs: int = 20, learning_rate: float | None = None, l2: float | None = None,
          solver: str | None = None, compare: bool = False, playback: str = "Live",
          validation: str | None = None) -> AppTest:
    """Go to the Train page, set the inputs given, press Train and wait for the run to finish.

    ``playback`` picks the drawing pace; tests default to Live, which adds no waiting.
    ``validation`` ("Hold-out split (60/20/20)" or "Cross-validation (k folds)") overrides the
    page's default, which is cross-validation below 5,000 rows."""
    if not has(at, "button", "Train"):
        goto(at, "train")
    if validation is not None:
        find(at, "radio", "Validation").set_value(validation)
        assert_ok(at.run())
    find(at, "number_input", "Epochs").set_value(epochs)
    if learning_rate is not None:
        find(at, "number_input", "Learning rate").set_value(learning_rate)
    if l2 is not None:
        find(at, "number_input", "L2 penalty").set_value(l2)
    if solver is not None:
        find(at, "radio", "Solver").set_value(solver)
    if has(at, "radio", "Playback"):
        find(at, "radio", "Playback").set_value(playback)
    compare_box = [c for c in at.checkbox if c.label.startswith("Also train the same model")]
    if compare_box:
        compare_box[0].set_value(compare)
    find(at, "button", "Train").click()
    return assert_ok(at.run())


def metric(at: AppTest, label: str) -> str:
    return find(at, "metric", label).value


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def make_csv(n: int = 240, seed: int = 0, **extra) -> bytes:
    """A small, learnable table: two numbers, a category, a yes/no target and a score column.

    Keyword arguments add or replace columns (arrays of length ``n``).
    """
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=n)
    x2 = rng.normal(size=n)
    colour = rng.choice(["red", "green", "blue"], size=n)
    logit = 1.5 * x1 - x2 + (colour == "red")
    y = rng.random(n) < 1 / (1 + np.exp(-logit))
    frame = pd.DataFrame(
        {
            "income": np.round(x1 * 1000 + 5000, 2),
            "debt": np.round(x2, 4),
            "colour": colour,
            "defaulted": np.where(y, "yes", "no"),
            "risk_score": np.round(1 / (1 + np.exp(-logit)), 4),
        }
    )
    for name, values in extra.items():
        frame[name] = values
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue().encode()
