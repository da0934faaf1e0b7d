"""Uploads in every format the Data page reads load in a real browser: the uploader accepts
the file (its type filter) and the table is the same as the CSV's."""

import gzip
import io
import zipfile

import numpy as np
import pandas as pd
import pytest

pytestmark = pytest.mark.e2e

rng = np.random.default_rng(5)
TABLE = pd.DataFrame({
    "income": np.round(rng.normal(5000, 900, 120), 2),
    "region": rng.choice(["north", "south"], 120),
    "defaulted": rng.choice(["yes", "no"], 120),
})
CSV = TABLE.to_csv(index=False).encode()


def _parquet() -> bytes:
    buffer = io.BytesIO()
    TABLE.to_parquet(buffer, index=False)
    return buffer.getvalue()


def _xlsx() -> bytes:
    buffer = io.BytesIO()
    TABLE.to_excel(buffer, index=False, engine="openpyxl")
    return buffer.getvalue()


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("loans.csv", CSV)
    return buffer.getvalue()


FILES = {
    "parquet": ("loans.parquet", _parquet),
    "xlsx": ("loans.xlsx", _xlsx),
    "csv.gz": ("loans.csv.gz", lambda: gzip.compress(CSV)),
    "zip": ("loans.zip", _zip),
    "parquet-named-csv": ("loans.csv", _parquet),
}


@pytest.mark.parametrize("case", list(FILES))
def test_each_format_loads_the_same_table(app, case):
    filename, make = FILES[case]
    app.open("")
    app.expect(app.main.get_by_text("Loaded:", exact=False)).to_be_visible()
    app.upload("Upload a CSV", filename, make(), mime="application/octet-stream")
    loaded = app.main.get_by_text(f"Loaded: {filename} — 120 rows × 3 columns", exact=False)
    app.expect(loaded).to_be_visible(timeout=90_000)  # generous: the suite shares two cores
    app.idle()
    app.expect(app.combobox("Target column")).to_have_value("defaulted")
    app.expect(app.main.get_by_test_id("stAlertContentError")).to_have_count(0)
    app.expect(app.exceptions()).to_have_count(0)
    app.assert_clean()
