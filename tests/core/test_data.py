"""core.data: reading uploads, the data contract, bring-your-own scores.

Fixtures are generated here, shaped like real exports (customer tables, European accounting
exports, lab results); expected values come from the fixture text itself or from pandas /
scikit-learn, never from core.data.
"""

from __future__ import annotations

import csv
import gzip
import io
import zipfile

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.metrics import roc_auc_score

from core.data import (
    MAX_COLUMNS,
    DataError,
    default_positive_class,
    describe_data,
    read_csv,
    scores_from_column,
    target_classes,
)
from core.errors import DataError as CoreDataError


def test_data_error_is_the_core_error_and_a_value_error():
    assert DataError is CoreDataError
    assert issubclass(DataError, ValueError)


# --------------------------------------------------------------------------------------------
# read_csv: what loads, and loads correctly
# --------------------------------------------------------------------------------------------


CUSTOMERS = (
    "customer_id,age,monthly_charges,contract,churned\n"
    "C-1001,34,70.35,month-to-month,yes\n"
    "C-1002,51,19.95,two-year,no\n"
    "C-1003,29,99.10,one-year,no\n"
)


def test_reads_a_plain_utf8_file_with_exact_values_and_types():
    df = read_csv(CUSTOMERS.encode("utf-8"), "customers.csv")
    assert list(df.columns) == ["customer_id", "age", "monthly_charges", "contract", "churned"]
    assert df["age"].tolist() == [34, 51, 29]
    assert pd.api.types.is_integer_dtype(df["age"])
    assert df["monthly_charges"].tolist() == [70.35, 19.95, 99.10]
    assert df["contract"].tolist() == ["month-to-month", "two-year", "one-year"]
    assert df.attrs["warnings"] == []


def test_utf8_bom_is_not_part_of_the_first_column_name():
    df = read_csv(b"\xef\xbb\xbf" + CUSTOMERS.encode("utf-8"))
    assert df.columns[0] == "customer_id"
    assert df["customer_id"].tolist() == ["C-1001", "C-1002", "C-1003"]


def test_utf8_accents_and_non_latin_text_are_preserved():
    text = "city,name,spend\nMünchen,Zoë,12.5\nKraków,Łukasz,3\n東京,さくら,7\n"
    df = read_csv(text.encode("utf-8"))
    assert df["city"].tolist() == ["München", "Kraków", "東京"]
    assert df["name"].tolist() == ["Zoë", "Łukasz", "さくら"]
    assert not any("UTF-8" in w for w in df.attrs["warnings"])


def test_windows_1252_accents_and_euro_sign_are_preserved():
    text = "shop;owner;revenue\nCafé Crème;Zoë Müller;1,5\nBäckerei Süß;José Núñez;2,25\n€-Markt;Ærø;3\n"
    df = read_csv(text.encode("cp1252"), "shops.csv")
    assert df["shop"].tolist() == ["Café Crème", "Bäckerei Süß", "€-Markt"]
    assert df["owner"].tolist() == ["Zoë Müller", "José Núñez", "Ærø"]
    assert df["revenue"].tolist() == [1.5, 2.25, 3.0]
    assert any("Windows-1252" in w for w in df.attrs["warnings"])


def test_latin1_bytes_undefined_in_cp1252_still_load():
    raw = "name,score\nRenée,1\n".encode("latin-1") + b"ctrl\x81char,2\n"
    df = read_csv(raw)
    assert df["name"].tolist() == ["Renée", "ctrl\x81char"]
    assert any("Latin-1" in w for w in df.attrs["warnings"])


def test_utf16_with_bom_is_decoded():
    df = read_csv("patient,glucose\nAnaïs,5.4\nBjörn,7.1\n".encode("utf-16"))
    assert df["patient"].tolist() == ["Anaïs", "Björn"]
    assert df["glucose"].tolist() == [5.4, 7.1]


def test_european_semicolon_export_with_decimal_commas_gives_numbers():
    text = ("Kunde;Umsatz;Rabatt;Region\n"
            "Müller GmbH;1,5;0,25;Nord\n"
            "Schmidt AG;1.234,56;0,1;Süd\n"
            "Weber KG;-3,75;0;Nord\n")
    df = read_csv(text.encode("utf-8"), "export.csv")
    assert df["Umsatz"].tolist() == [1.5, 1234.56, -3.75]
    assert df["Rabatt"].tolist() == [0.25, 0.1, 0.0]
    assert df["Region"].tolist() == ["Nord", "Süd", "Nord"]
    assert any("decimal comma" in w for w in df.attrs["warnings"])


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiter_is_sniffed(delimiter):
    rows = [["order_id", "amount", "country", "returned"],
            ["A-17", "12.50", "France", "no"],
            ["A-18", "7.25", "Spain", "yes"],
            ["A-19", "100.00", "Italy", "no"]]
    text = "\n".join(delimiter.join(r) for r in rows) + "\n"
    df = read_csv(text.encode("utf-8"))
    assert list(df.columns) == rows[0]
    assert df["amount"].tolist() == [12.5, 7.25, 100.0]
    assert df["country"].tolist() == ["France", "Spain", "Italy"]


def test_quoted_fields_keep_embedded_delimiters_quotes_and_line_breaks():
    text = ('name,address,comment,amount\r\n'
            '"Smith, John","12 High St, Leeds","said ""call me""",10\r\n'
            '"O\'Neil, Ann","1 Main Rd\r\nApt 4","line one\nline two",20\r\n')
    df = read_csv(text.encode("utf-8"))
    assert df["name"].tolist() == ["Smith, John", "O'Neil, Ann"]
    assert df["address"].tolist() == ["12 High St, Leeds", "1 Main Rd\r\nApt 4"]
    assert df["comment"].tolist() == ['said "call me"', "line one\nline two"]
    assert df["amount"].tolist() == [10, 20]


def test_crlf_line_endings_leave_no_carriage_returns_in_values():
    df = read_csv(CUSTOMERS.replace("\n", "\r\n").encode("utf-8"))
    assert df["churned"].tolist() == ["yes", "no", "no"]
    assert df["monthly_charges"].tolist() == [70.35, 19.95, 99.10]


def test_quoted_thousands_separators_in_a_comma_file_become_numbers():
    text = 'account,balance\nA1,"1,234.50"\nA2,"12,000"\nA3,87.1\n'
    df = read_csv(text.encode("utf-8"))
    assert df["balance"].tolist() == [1234.5, 12000.0, 87.1]


@pytest.mark.parametrize("token", ["", "NA", "N/A", "null", "?", "-"])
def test_missing_tokens_become_missing_and_are_reported_with_counts(token):
    text = ("patient_id,age,smoker\n"
            f"P1,{token},no\n"
            f"P2,47,{token}\n"
            f"P3,{token},yes\n"
            "P4,61,no\n")
    df = read_csv(text.encode("utf-8"))
    assert df["age"].isna().tolist() == [True, False, True, False]
    assert df["age"].dropna().tolist() == [47, 61]
    assert df["smoker"].isna().tolist() == [False, True, False, False]
    (message,) = [w for w in df.attrs["warnings"] if "missing" in w]
    assert "3 missing values" in message
    assert "'age' (2)" in message and "'smoker' (1)" in message


def test_duplicate_column_names_are_made_unique_with_a_warning():
    df = read_csv(b"amount,amount,date,amount\n1,2,2024-01-01,3\n4,5,2024-01-02,6\n")
    assert list(df.columns) == ["amount", "amount (2)", "date", "amount (3)"]
    assert df["amount (2)"].tolist() == [2, 5]
    assert df["amount (3)"].tolist() == [3, 6]
    assert any("Repeated column names" in w and "'amount'" in w for w in df.attrs["warnings"])


def test_infinite_values_become_missing_with_a_warning():
    df = read_csv(b"ratio,growth\n0.5,inf\n-inf,1.5\n2.0,-inf\n")
    assert df["ratio"].isna().tolist() == [False, True, False]
    assert df["growth"].isna().tolist() == [True, False, True]
    assert np.isfinite(df.to_numpy(dtype=float)[~df.isna().to_numpy()]).all()
    assert any("3 infinite values" in w for w in df.attrs["warnings"])


def test_html_and_markdown_in_column_names_are_kept_verbatim():
    names = ["<b>income</b>", "**score**", "<script>alert(1)</script>", "[link](http://x)"]
    text = ",".join(names) + "\n1,2,3,4\n5,6,7,8\n"
    df = read_csv(text.encode("utf-8"))
    assert list(df.columns) == names
    assert df["<b>income</b>"].tolist() == [1, 5]


def test_blank_column_name_is_named_and_column_names_are_trimmed():
    df = read_csv(b",  income ,age\n0,10,20\n1,30,40\n")
    assert list(df.columns) == ["Unnamed: 0", "income", "age"]


def test_a_numeric_column_with_a_few_stray_words_stays_numeric_with_a_warning():
    rows = "".join(f"{i},{1000 + i}\n" for i in range(99))
    df = read_csv(("id,salary\n" + rows + "99,unknown\n").encode("utf-8"))
    assert pd.api.types.is_float_dtype(df["salary"])
    assert df["salary"].iloc[:99].tolist() == [1000.0 + i for i in range(99)]
    assert np.isnan(df["salary"].iloc[99])
    assert any("'salary'" in w and "'unknown'" in w for w in df.attrs["warnings"])


def test_a_type_change_far_into_a_large_file_falls_back_without_losing_rows():
    # pyarrow infers types from the first block; the text appears millions of bytes later.
    body = "".join(f"{i},{i * 0.5},ok\n" for i in range(300_000))
    raw = ("row,value,status\n" + body + "300000,n.a.,late\n").encode("utf-8")
    df = read_csv(raw)
    assert len(df) == 300_001
    assert df["value"].iloc[299_999] == 299_999 * 0.5
    assert np.isnan(df["value"].iloc[-1])
    assert df["status"].iloc[-1] == "late"


def test_matches_pandas_on_a_realistic_mixed_table():
    rng = np.random.default_rng(3)
    n = 2_000
    frame = pd.DataFrame({
        "account": [f"AC{i:06d}" for i in range(n)],
        "balance": np.round(rng.normal(2_500, 900, n), 2),
        "logins": rng.integers(0, 40, n),
        "segment": rng.choice(["retail", "sme", "corporate"], n),
        "active": rng.choice(["yes", "no"], n),
    })
    raw = frame.to_csv(index=False).encode("utf-8")
    ours = read_csv(raw)
    reference = pd.read_csv(io.BytesIO(raw))
    pd.testing.assert_frame_equal(ours, reference, check_dtype=False)


def test_accepts_str_and_uploaded_file_objects():
    assert read_csv(CUSTOMERS)["age"].tolist() == [34, 51, 29]
    assert read_csv(io.BytesIO(CUSTOMERS.encode()))["age"].tolist() == [34, 51, 29]


def test_warnings_attribute_is_always_a_list_of_strings():
    for raw in (CUSTOMERS.encode(), b"a;b\n1,5;2\n1,0;3\n", b"x,y\n1,\n2,3\n"):
        warnings = read_csv(raw).attrs["warnings"]
        assert isinstance(warnings, list) and all(isinstance(w, str) for w in warnings)


# --------------------------------------------------------------------------------------------
# read_csv: what is refused, and how
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [b"", b"   \n\r\n  ", b"\xef\xbb\xbf"])
def test_empty_file_is_refused(raw):
    with pytest.raises(DataError, match="empty"):
        read_csv(raw, "upload.csv")


def test_header_without_rows_is_refused():
    with pytest.raises(DataError, match="no data rows") as info:
        read_csv(b"customer_id,age,churned\r\n", "customers.csv")
    assert "3 columns" in str(info.value) and "'customers.csv'" in str(info.value)


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


BINARIES = {
    "png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "PNG image"),
    "gzip": (gzip.compress(CUSTOMERS.encode()), "gzip"),
    "zip": (_zip({"customers.csv": CUSTOMERS.encode()}), "zip archive"),
    "xlsx": (_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}),
             "Excel workbook"),
    "xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "Excel"),
    "pdf": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "PDF"),
    "nul": (b"name,value\nabc\x00\x00\x01\x02,3\n", "binary data"),
}


@pytest.mark.parametrize("kind", sorted(BINARIES))
def test_binary_content_is_refused_by_content_not_name(kind):
    raw, what = BINARIES[kind]
    with pytest.raises(DataError) as info:
        read_csv(raw, "data.csv")  # the name says CSV; the bytes say otherwise
    message = str(info.value)
    assert what in message
    assert "CSV" in message


@pytest.mark.parametrize("text, line, fields", [
    ("name,age,city\nAnn,34,Leeds\nBob,51,York,UK\nCat,29,Bath\n", 3, 4),
    ("name,age,city\nAnn,34,Leeds\nBob,51,York\nCat,29\n", 4, 2),
    ('name,note,city\nAnn,"two\nlines",Leeds\nBob,ok,York\nCat,x,Bath,extra\n', 5, 4),
    ("name;age;city\nAnn;34;Leeds\nBob;51;York;UK\nCat;29;Bath\n", 3, 4),
])
def test_ragged_rows_are_refused_naming_the_line(text, line, fields):
    with pytest.raises(DataError) as info:
        read_csv(text.encode("utf-8"))
    message = str(info.value)
    assert f"Line {line} " in message
    assert f"has {fields} field" in message and "header has 3" in message


def test_ragged_row_deep_in_a_large_file_is_found():
    body = "".join(f"{i},{i % 7}\n" for i in range(200_000))
    with pytest.raises(DataError, match="Line 200,002 "):
        read_csv(("id,bucket\n" + body + "1,2,3\n").encode("utf-8"))


def test_a_megabytes_long_single_line_is_refused():
    raw = b"1.0," * 600_000  # 2.4 MB, no line break
    with pytest.raises(DataError, match="no line break"):
        read_csv(raw, "dump.csv")


def test_too_many_columns_are_refused():
    names = ",".join(f"gene_{i}" for i in range(MAX_COLUMNS + 1))
    row = ",".join("0.5" for _ in range(MAX_COLUMNS + 1))
    with pytest.raises(DataError) as info:
        read_csv(f"{names}\n{row}\n".encode())
    assert f"{MAX_COLUMNS + 1:,} columns" in str(info.value)
    assert f"at most {MAX_COLUMNS:,}" in str(info.value)


def test_exactly_max_columns_loads():
    names = ",".join(f"gene_{i}" for i in range(MAX_COLUMNS))
    row = ",".join("0.5" for _ in range(MAX_COLUMNS))
    assert read_csv(f"{names}\n{row}\n".encode()).shape == (1, MAX_COLUMNS)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_arbitrary_bytes_load_or_raise_data_error_only(raw):
    try:
        df = read_csv(raw)
    except DataError as error:
        assert str(error)
    else:
        assert isinstance(df, pd.DataFrame) and len(df) > 0
        assert isinstance(df.attrs["warnings"], list)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]),
                                 max_size=6), min_size=1, max_size=4), min_size=1, max_size=6),
       st.sampled_from([",", ";", "\t", "|"]))
def test_csv_like_text_loads_or_raises_data_error_only(rows, delimiter):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    try:
        read_csv(buffer.getvalue().encode("utf-8"))
    except DataError as error:
        assert str(error)


# --------------------------------------------------------------------------------------------
# The target and the positive class
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("classes, expected", [
    ([0, 1], 1),
    (["no", "yes"], "yes"),
    (["No", "Yes"], "Yes"),
    ([False, True], True),
    (["false", "true"], "true"),
    (["negative", "positive"], "positive"),
    (["paid", "default"], "default"),
    (["legit", "fraud"], "fraud"),
    (["churn", "stay"], "churn"),
    (["benign", "malignant"], "malignant"),
    (["ham", "spam"], "spam"),
])
def test_default_positive_class_is_the_value_a_stakeholder_means(classes, expected):
    assert default_positive_class(classes) == expected
    assert default_positive_class(list(reversed(classes))) == expected


def test_default_positive_class_falls_back_to_the_minority_class():
    values = ["approved"] * 80 + ["rejected"] * 20
    assert default_positive_class(values) == "rejected"
    assert default_positive_class(["approved", "rejected"], counts={"approved": 5, "rejected": 50}) == "approved"


def test_target_classes_carry_counts_so_the_minority_rule_works_on_them():
    df = pd.DataFrame({"outcome": ["approved"] * 30 + ["rejected"] * 70})
    classes = target_classes(df, "outcome")
    assert classes == ["approved", "rejected"]
    assert default_positive_class(classes) == "approved"


def test_target_classes_are_trimmed_sorted_and_integral_floats_become_ints():
    assert target_classes(pd.DataFrame({"y": [1.0, 0.0, np.nan, 1.0]}), "y") == [0, 1]
    assert all(type(c) is int for c in target_classes(pd.DataFrame({"y": [1.0, 0.0]}), "y"))
    df = pd.DataFrame({"y": [" yes", "no ", "yes", None, "  "]})
    assert target_classes(df, "y") == ["no", "yes"]


def test_missing_target_column_is_refused_listing_columns():
    with pytest.raises(DataError, match="no column named 'churn'") as info:
        target_classes(pd.DataFrame({"churned": [0, 1]}), "churn")
    assert "'churned'" in str(info.value)


# --------------------------------------------------------------------------------------------
# describe_data: the contract
# --------------------------------------------------------------------------------------------


def churn_table(n: int = 400, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    tenure = rng.integers(1, 72, n).astype(float)
    tenure[rng.random(n) < 0.05] = np.nan
    return pd.DataFrame({
        "customer_id": [f"7590-{i:05d}" for i in range(n)],
        "row_number": np.arange(1, n + 1),
        "tenure_months": tenure,
        "monthly_charges": np.round(rng.normal(65, 30, n), 2),
        "contract": rng.choice(["month-to-month", "one-year", "two-year", None], n),
        "country": "UK",
        "fax_number": np.nan,
        "support_notes": [f"called about ticket {rng.integers(10_000)}: {w}" for w in
                          rng.choice(["billing", "router", "speed", "moving"], n)],
        "senior": rng.choice([True, False], n),
        "churned": rng.choice(["Yes", "No"], n, p=[0.27, 0.73]),
    })


def test_roles_and_drop_reasons():
    report = describe_data(churn_table(), "churned")
    roles = {c.name: c.role for c in report.columns}
    assert roles == {
        "customer_id": "dropped", "row_number": "dropped", "tenure_months": "numeric",
        "monthly_charges": "numeric", "contract": "categorical", "country": "dropped",
        "fax_number": "dropped", "support_notes": "dropped", "senior": "numeric",
        "churned": "target",
    }
    assert report.numeric == ["tenure_months", "monthly_charges", "senior"]
    assert report.categorical == ["contract"]
    assert report.features == report.numeric + report.categorical
    assert "ID-like" in report.dropped["customer_id"]
    assert "ID-like" in report.dropped["row_number"]
    assert "constant" in report.dropped["country"] and "'UK'" in report.dropped["country"]
    assert report.dropped["fax_number"] == "all missing"
    assert "free text" in report.dropped["support_notes"]
    assert "churned" not in report.dropped and "churned" not in report.features


def test_column_counts_match_pandas():
    df = churn_table()
    report = describe_data(df, "churned")
    by_name = {c.name: c for c in report.columns}
    for name in df.columns:
        assert by_name[name].n_missing == int(df[name].isna().sum())
        assert by_name[name].n_distinct == int(df[name].nunique())
    frame = report.columns_frame()
    assert list(frame.columns) == ["column", "type", "role", "reason", "missing", "distinct"]
    assert frame["column"].tolist() == list(df.columns)
    assert report.n_rows == len(df) and report.n_columns == df.shape[1]


def test_y_class_balance_and_positive_class_agree_with_pandas():
    df = churn_table()
    report = describe_data(df, "churned")
    assert report.positive_class == "Yes" and report.negative_label == "No"
    assert not report.one_vs_rest
    np.testing.assert_array_equal(report.y, (df["churned"] == "Yes").to_numpy().astype(int))
    counts = df["churned"].value_counts()
    balance = report.class_balance.set_index("class")
    assert balance.loc["Yes", "count"] == counts["Yes"]
    assert balance.loc["No", "count"] == counts["No"]
    assert balance["share"].sum() == pytest.approx(1.0)
    assert report.class_balance["class"].iloc[0] == "Yes"


def test_feature_columns_restrict_the_features():
    report = describe_data(churn_table(), "churned", feature_columns=["monthly_charges", "contract"])
    assert report.numeric == ["monthly_charges"]
    assert report.categorical == ["contract"]
    assert report.dropped["tenure_months"] == "not selected as a feature"


def test_selected_but_unusable_feature_is_reported():
    report = describe_data(churn_table(), "churned", feature_columns=["monthly_charges", "country"])
    assert report.numeric == ["monthly_charges"]
    assert any("'country'" in w and "constant" in w for w in report.warnings)


def test_unknown_feature_column_is_refused():
    with pytest.raises(DataError, match="'salary'"):
        describe_data(churn_table(), "churned", feature_columns=["salary"])


def test_excluded_columns_are_never_features():
    df = churn_table()
    df["model_score"] = np.random.default_rng(1).random(len(df))
    report = describe_data(df, "churned", exclude=["model_score"])
    assert "model_score" not in report.features
    assert "excluded" in report.dropped["model_score"]


def test_whitespace_and_case_variants_are_merged_with_a_warning():
    df = churn_table()
    labels = df["churned"].to_numpy(dtype=object).copy()
    labels[:5] = "yes "
    labels[5:8] = " YES"
    df["churned"] = labels
    report = describe_data(df, "churned")
    assert report.classes == ["No", "Yes"]
    assert report.y[:8].tolist() == [1] * 8
    assert report.y.sum() == int(np.isin(labels, ["Yes", "yes ", " YES"]).sum())
    (warning,) = [w for w in report.warnings if "capital letters" in w]
    assert "'yes '" in warning and "' YES'" in warning


def test_rows_with_missing_target_are_dropped_and_counted():
    df = churn_table()
    df.loc[[3, 10, 11], "churned"] = None
    df.loc[20, "churned"] = "   "
    report = describe_data(df, "churned")
    assert report.n_missing_target == 4
    assert report.row_mask.sum() == len(df) - 4
    assert not report.row_mask[[3, 10, 11, 20]].any()
    assert report.y.size == len(df) - 4
    kept = df["churned"][report.row_mask]
    np.testing.assert_array_equal(report.y, (kept == "Yes").to_numpy().astype(int))
    assert any("Dropped 4 rows" in w for w in report.warnings)


def test_one_class_is_refused_naming_the_value():
    df = churn_table()
    df["churned"] = "No"
    with pytest.raises(DataError, match="only one class, 'No'"):
        describe_data(df, "churned")


def iris_like(n_per_class: int = 30) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    species = np.repeat(["setosa", "versicolor", "virginica"], n_per_class)
    return pd.DataFrame({"petal_length": rng.normal(4, 1.5, species.size),
                         "sepal_width": rng.normal(3, 0.4, species.size),
                         "species": species})


def test_three_classes_are_refused_listing_them():
    with pytest.raises(DataError) as info:
        describe_data(iris_like(), "species")
    message = str(info.value)
    assert "3 classes" in message
    for name in ("'setosa'", "'versicolor'", "'virginica'"):
        assert name in message
    assert "one-vs-rest" in message


def test_three_classes_with_a_positive_class_is_one_vs_rest():
    df = iris_like()
    report = describe_data(df, "species", positive_class="virginica")
    assert report.one_vs_rest
    assert report.positive_class == "virginica"
    assert report.negative_label == "not 'virginica'"
    np.testing.assert_array_equal(report.y, (df["species"] == "virginica").to_numpy().astype(int))
    assert report.class_balance["class"].tolist() == ["virginica", "setosa", "versicolor"]
    assert any("one-vs-rest" in w for w in report.warnings)


def test_positive_class_given_as_text_matches_a_numeric_target():
    df = pd.DataFrame({"x": np.arange(100.0), "y": [0, 1] * 50})
    assert describe_data(df, "y", positive_class="1").positive_class == 1
    assert describe_data(df, "y", positive_class=0).y.sum() == 50
    with pytest.raises(DataError, match="'2' is not a value"):
        describe_data(df, "y", positive_class=2)


def test_too_few_rows_for_the_split_says_how_many_are_needed():
    df = churn_table(n=40)
    with pytest.raises(DataError, match="at least 50 rows"):
        describe_data(df, "churned")


def test_too_few_positives_for_the_split_says_how_many_are_needed():
    df = churn_table(n=300)
    df["churned"] = "No"
    df.loc[:8, "churned"] = "Yes"  # 9 positives
    with pytest.raises(DataError) as info:
        describe_data(df, "churned")
    assert "Only 9 rows have the class 'Yes'" in str(info.value)
    assert "at least 10" in str(info.value)
    df.loc[9, "churned"] = "Yes"
    assert describe_data(df, "churned").y.sum() == 10
    assert describe_data(df.iloc[:40], "churned", require_split=False).y.sum() == 10


def test_a_feature_that_gives_the_answer_away_is_flagged_by_name():
    df = churn_table()
    y = (df["churned"] == "Yes").to_numpy()
    rng = np.random.default_rng(2)
    df["days_since_cancellation"] = np.where(y, rng.uniform(1, 30, len(df)), 0.0)
    df["retention_offer_accepted"] = np.where(y, "no", "n/a")  # a categorical leak
    df["loyalty_points"] = -100 * y.astype(int) + rng.normal(0, 1, len(df))  # lower = positive
    report = describe_data(df, "churned")
    assert set(report.leakage) == {"days_since_cancellation", "retention_offer_accepted",
                                   "loyalty_points"}
    for name in report.leakage:
        assert any(f"'{name}'" in w and "leakage" in w for w in report.warnings)
    # an honest feature with a real but imperfect signal is not flagged
    assert roc_auc_score(y, df["monthly_charges"]) < 0.99
    assert "monthly_charges" not in report.leakage


def test_leakage_threshold_is_a_roc_auc_of_0_99():
    rng = np.random.default_rng(11)
    n = 2_000
    y = np.repeat([0, 1], n // 2)
    strong = np.where(y == 1, rng.normal(2.6, 1, n), rng.normal(0, 1, n))  # AUC ~0.97
    df = pd.DataFrame({"strong_signal": strong, "label": y})
    auc = roc_auc_score(y, strong)
    assert 0.95 < auc < 0.99
    assert describe_data(df, "label").leakage == []
    df["perfect"] = y + rng.normal(0, 0.01, n)
    assert describe_data(df, "label").leakage == ["perfect"]


def test_duplicate_column_names_in_a_frame_are_refused():
    df = pd.DataFrame([[1, 2, 0], [3, 4, 1]], columns=["a", "a", "y"])
    with pytest.raises(DataError, match="repeated"):
        describe_data(df, "y", require_split=False)


# --------------------------------------------------------------------------------------------
# scores_from_column
# --------------------------------------------------------------------------------------------


def scored_table(n: int = 200, seed: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    y = rng.random(n) < 0.3
    proba = np.clip(np.where(y, rng.beta(5, 2, n), rng.beta(2, 5, n)), 0, 1).round(4)
    return pd.DataFrame({"claim_id": np.arange(n), "fraud": np.where(y, "fraud", "legit"),
                         "vendor_score": proba, "logit": np.log(proba + 1e-3) - np.log1p(-proba + 1e-3)})


def test_probability_scores_are_recognised():
    df = scored_table()
    scored = scores_from_column(df, "fraud", "vendor_score", "fraud")
    assert scored.is_probability
    np.testing.assert_array_equal(scored.y, (df["fraud"] == "fraud").to_numpy().astype(int))
    np.testing.assert_array_equal(scored.scores, df["vendor_score"].to_numpy())
    assert scored.warnings == []


def test_raw_scores_outside_0_1_are_accepted_with_a_note():
    scored = scores_from_column(scored_table(), "fraud", "logit", "fraud")
    assert not scored.is_probability
    assert any("raw scores" in w for w in scored.warnings)


def test_default_positive_class_is_used_when_none_is_given():
    assert scores_from_column(scored_table(), "fraud", "vendor_score").positive_class == "fraud"


def test_non_numeric_and_missing_scores_are_refused_with_counts():
    df = scored_table()
    df["vendor_score"] = df["vendor_score"].astype(object)
    df.loc[[1, 2], "vendor_score"] = "high"
    df.loc[5, "vendor_score"] = "n/a"
    df.loc[[7, 8, 9], "vendor_score"] = None
    with pytest.raises(DataError) as info:
        scores_from_column(df, "fraud", "vendor_score", "fraud")
    message = str(info.value)
    assert "3 not numbers" in message and "'high'" in message and "3 missing" in message


def test_missing_numeric_scores_are_refused_with_counts():
    df = scored_table()
    df.loc[[0, 4], "vendor_score"] = np.nan
    with pytest.raises(DataError, match="2 missing of 200"):
        scores_from_column(df, "fraud", "vendor_score", "fraud")


def test_numbers_stored_as_text_are_accepted_as_scores():
    df = scored_table()
    df["vendor_score"] = df["vendor_score"].map(lambda v: f" {v} ")
    scored = scores_from_column(df, "fraud", "vendor_score", "fraud")
    np.testing.assert_allclose(scored.scores, scored_table()["vendor_score"].to_numpy())


def test_scores_are_only_required_where_the_target_is_present():
    df = scored_table()
    df.loc[3, "fraud"] = None
    df.loc[3, "vendor_score"] = np.nan
    scored = scores_from_column(df, "fraud", "vendor_score", "fraud")
    assert scored.y.size == scored.scores.size == len(df) - 1
    assert scored.n_missing_target == 1


def test_score_column_equal_to_target_is_refused():
    with pytest.raises(DataError, match="cannot be the target"):
        scores_from_column(scored_table(), "fraud", "fraud", "fraud")


def test_inverted_scores_are_pointed_out():
    df = scored_table()
    df["vendor_score"] = 1 - df["vendor_score"]
    scored = scores_from_column(df, "fraud", "vendor_score", "fraud")
    assert any("inverted" in w for w in scored.warnings)


def test_too_many_columns_with_a_header_longer_than_the_sniffed_sample_are_refused():
    names = ",".join(f"a_rather_long_gene_expression_measurement_{i:05d}" for i in range(MAX_COLUMNS + 500))
    row = ",".join("1" for _ in range(MAX_COLUMNS + 500))
    assert len(names) > 64 * 1024
    with pytest.raises(DataError, match=f"{MAX_COLUMNS + 500:,} columns"):
        read_csv(f"{names}\n{row}\n".encode())


def test_results_survive_pickling_as_streamlit_caching_does():
    import pickle

    df = churn_table()
    classes = pickle.loads(pickle.dumps(target_classes(df, "churned")))
    assert classes == ["No", "Yes"] and classes.counts == target_classes(df, "churned").counts
    report = pickle.loads(pickle.dumps(describe_data(df, "churned")))
    np.testing.assert_array_equal(report.y, describe_data(df, "churned").y)


def test_excel_sep_line_names_the_delimiter_and_is_not_a_row():
    df = read_csv(b"sep=;\r\nregion;sales\r\nNord;1,5\r\nS\xfcd;2\r\n")
    assert list(df.columns) == ["region", "sales"]
    assert df["region"].tolist() == ["Nord", "Süd"]
    assert df["sales"].tolist() == [1.5, 2.0]


def test_old_mac_line_endings_and_leading_blank_lines_load():
    assert read_csv(b"age,income\r34,51000\r29,38000\r")["income"].tolist() == [51000, 38000]
    assert read_csv(b"\n\nage,income\n34,51000\n").columns.tolist() == ["age", "income"]


# Text a reader could take for something else: missing tokens, booleans, special floats.
_AMBIGUOUS = {t.lower() for t in ("NA", "N/A", "NaN", "null", "None", "true", "false", "inf",
                                  "infinity", "-inf", "#N/A", "<NA>")}
_words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzÄÖÜäöüéèçñ ,;|\"'\n", min_size=2,
                 max_size=8).filter(lambda w: w.strip() == w and w and w.lower() not in _AMBIGUOUS)


@st.composite
def exported_tables(draw):
    n = draw(st.integers(1, 30))
    names = draw(st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8),
                          min_size=1, max_size=5, unique=True))
    columns = {}
    for name in names:
        kind = draw(st.sampled_from(["float", "int", "text"]))
        if kind == "float":
            values = draw(st.lists(st.floats(-1e6, 1e6).map(lambda v: round(v, 4)),
                                   min_size=n, max_size=n))
        elif kind == "int":
            values = draw(st.lists(st.integers(-10**9, 10**9), min_size=n, max_size=n))
        else:
            values = draw(st.lists(_words, min_size=n, max_size=n))
        columns[name] = values
    return pd.DataFrame(columns)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exported_tables(), st.sampled_from([",", ";", "\t", "|"]), st.booleans(),
       st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]), st.sampled_from(["\n", "\r\n"]))
def test_round_trip_of_exported_tables(frame, sep, decimal_comma, encoding, newline):
    decimal = "," if decimal_comma and sep != "," else "."
    text = frame.to_csv(index=False, sep=sep, decimal=decimal, lineterminator=newline)
    try:
        raw = text.encode(encoding)
    except UnicodeEncodeError:
        return
    df = read_csv(raw, "export.csv")
    assert list(df.columns) == list(frame.columns)
    for name in frame.columns:
        expected = frame[name]
        if pd.api.types.is_numeric_dtype(expected):
            np.testing.assert_array_equal(df[name].to_numpy(dtype=float),
                                          expected.to_numpy(dtype=float))
        else:
            assert df[name].tolist() == expected.tolist()


# ---------------------------------------------------------------- whole-table counts (wide tables)


def _mixed_table(n: int = 60, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({
        "y": rng.integers(0, 2, n),
        "f": np.r_[np.nan, rng.normal(size=n - 1)],
        "signed_zero": [0.0, -0.0] * (n // 2),  # one value, however the sign is written
        "const": 5,
        "all_missing": np.nan,
        "row_number": np.arange(n),
        "account_id": rng.permutation(n) * 3,
        "huge": np.r_[1e200, rng.normal(size=n - 1)],
        "with_inf": np.r_[np.inf, -np.inf, rng.integers(0, 3, n - 2).astype(float)],
        "nullable_int": pd.array([pd.NA] * 3 + list(range(n - 3)), dtype="Int64"),
        "nullable_float": pd.array([None] * 3 + list(rng.normal(size=n - 3)), dtype="Float64"),
        "flag": rng.integers(0, 2, n).astype(bool),
        "small_uint": rng.integers(0, 5, n).astype(np.uint8),
        "big_int": (2**62 + np.arange(n) // 2).astype(np.int64),  # distinct as ints, not as floats
        "text": [f"t{i % 7}" for i in range(n)],
    })
    df["almost_y"] = df["y"] * 2.0 + rng.normal(size=n) * 0.01
    return df


def test_distinct_counts_equal_pandas_nunique_column_by_column():
    from core.contract import distinct_counts

    df = _mixed_table()
    expected = pd.Series({c: df[c].nunique(dropna=True) for c in df.columns}, dtype=np.int64)
    pd.testing.assert_series_equal(distinct_counts(df), expected)
    assert distinct_counts(df)["big_int"] == df["big_int"].nunique() == 30


def test_contract_counts_equal_direct_counts_of_each_column():
    df = _mixed_table().drop(columns="big_int")  # the contract counts numbers as float64
    report = describe_data(df, "y", 1, require_split=False)
    for column in report.columns:
        values = df[column.name]
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            numbers = values.to_numpy(dtype="float64", na_value=np.nan)
            present = numbers[np.isfinite(numbers)]  # +-inf counts as missing
            assert column.n_missing == numbers.size - present.size, column
            assert column.n_distinct == len(set(present.tolist())), column
        else:
            assert column.n_missing == values.isna().sum(), column
            assert column.n_distinct == values.nunique(), column
    assert report.dropped == {
        "signed_zero": "constant (every value is '0.0')",
        "const": "constant (every value is '5')",
        "all_missing": "all missing",
        "row_number": "ID-like (every value is different)",
        "account_id": "ID-like (every value is different)",
        "huge": "numbers too large to use (beyond 1e+150)",
        "nullable_int": "ID-like (every value is different)",
    }
    assert report.numeric == ["f", "with_inf", "nullable_float", "flag", "small_uint", "almost_y"]
    assert report.categorical == ["text"]
    assert report.leakage == ["almost_y"]


def test_a_10000_column_contract_counts_each_column_like_pandas():
    rng = np.random.default_rng(3)
    values = rng.integers(0, 6, size=(40, 10_000)).astype(float)
    values[rng.random(values.shape) < 0.1] = np.nan
    wide = pd.DataFrame(values, columns=[f"c{i}" for i in range(10_000)])
    wide["outcome"] = ["yes", "no"] * 20
    report = describe_data(wide, "outcome", "yes", require_split=False)
    frame = report.columns_frame().set_index("column")
    np.testing.assert_array_equal(frame["missing"].to_numpy(), wide.isna().sum().to_numpy())
    np.testing.assert_array_equal(frame["distinct"].to_numpy(), wide.nunique().to_numpy())
    assert len(report.numeric) + len(report.dropped) == 10_000
