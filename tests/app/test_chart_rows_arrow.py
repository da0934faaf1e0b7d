"""The Threshold page sends chart rows as Arrow bytes it builds itself (pages/_threshold_data.arrow).

Whatever shortcut builds them, the bytes must read back as the same rows: numbers exactly,
text as text, NaN as null (what Vega-Lite treats as missing), in the same column order.
"""

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from pages._threshold_data import arrow


def read_back(data: bytes) -> pa.Table:
    return pa.ipc.open_stream(data).read_all()


@pytest.mark.parametrize("n", [0, 1, 580])
def test_a_frame_reads_back_with_the_same_values_and_column_order(n):
    rng = np.random.default_rng(n)
    frame = pd.DataFrame({
        "threshold": rng.random(n),
        "metric": rng.choice(["Precision", "Recall", "F1"], n),
        "low": rng.normal(size=n),
        "count": rng.integers(0, 10, n),
    })
    if n:
        frame.loc[0, "low"] = np.nan
    table = read_back(arrow(frame))
    assert table.column_names == ["threshold", "metric", "low", "count"]
    assert table.num_rows == n
    np.testing.assert_array_equal(table["threshold"].to_numpy(), frame["threshold"].to_numpy())
    assert table["metric"].to_pylist() == frame["metric"].tolist()
    assert table["count"].to_pylist() == frame["count"].tolist()
    low = table["low"].to_pylist()
    assert low == [None if np.isnan(v) else v for v in frame["low"]]
    if n:
        assert table["low"].null_count == 1


def test_a_filtered_frame_keeps_only_its_rows_whatever_its_index():
    frame = pd.DataFrame({"threshold": [0.1, 0.2, 0.3, 0.4], "cost": [4.0, 3.0, 2.0, 1.0]}).iloc[[3, 1]]
    table = read_back(arrow(frame))
    assert table.to_pydict() == {"threshold": [0.4, 0.2], "cost": [1.0, 3.0]}


def test_rows_as_dicts_read_back_the_same():
    rows = [{"threshold": 0.5, "marker": "Current threshold"}, {"threshold": float("nan"), "marker": "Recommended"}]
    table = read_back(arrow(rows))
    assert table.to_pydict() == {"threshold": [0.5, None], "marker": ["Current threshold", "Recommended"]}
