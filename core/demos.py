"""Demo datasets shipped with the app: offline, deterministic, each with a story and costs.

Every demo carries a score column: the out-of-fold probability of a fixed-seed reference
model (logistic regression on the demo's features, 5-fold cross-validation), so the same
table works in both modes. In *Train a model* mode that column must not be a feature: pass
``feature_columns=list(demo.features)`` (or ``exclude=[demo.score_column]``) to
``core.data.describe_data``.

Loading is cached per process (``functools.lru_cache``); :func:`load_demo` returns a copy,
so callers may modify it. A built table is also kept on disk between server starts (Parquet
through ``core.workspace.encode_table``, never pickle): ``CUTOFF_DEMO_CACHE`` names the
folder (``off``: never), by default ``$XDG_CACHE_HOME/cutoff/demos`` (``~/.cache/...``), never
under the project folder. The file's name carries a digest of the code and the library
versions that build the table, so a change to either builds it afresh. Building a score
column needs scikit-learn and scipy (about two seconds of imports); with the file a fresh
server shows the default demo without importing them, which is why this module imports
scikit-learn only inside the functions that fit.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from core.costs import CostMatrix
from core.errors import DataError

__all__ = ["Demo", "DEMOS", "load_demo", "reference_scores", "demo_cache_dir"]

PROJECT_ROOT = Path(__file__).resolve().parents[1]
#: What the built tables depend on besides the seeds: this code, the preprocessing, and the
#: libraries that generate, fit and store them.
_BUILT_FROM = (Path(__file__), PROJECT_ROOT / "core" / "features.py", PROJECT_ROOT / "core" / "workspace.py")
_BUILT_WITH = ("numpy", "pandas", "pyarrow", "scikit-learn", "scipy")


@dataclass(frozen=True)
class Demo:
    """A built-in dataset: what it is, what to predict, and what mistakes cost.

    ``story`` is two lines (joined by a newline) a stakeholder reads; ``features`` are the
    columns a model should use by default (never the target, the score column or IDs);
    ``amount_column`` is the money each case is about (a loan's size, a transaction's amount),
    preset as the Data page's Amount column; ``amount_costs`` are the story's costs as a share
    of that amount (used while the Amount column is set; ``costs`` otherwise). Load the table
    with :func:`load_demo`.
    """

    key: str
    title: str
    story: str
    target: str
    positive_class: object
    score_column: str
    costs: CostMatrix
    features: tuple[str, ...]
    build: Callable[[], pd.DataFrame] = field(repr=False, compare=False)
    amount_column: str | None = None  # money per case, for costs as a % of the amount
    amount_costs: CostMatrix | None = None  # the story's costs with a share of amount_column


def load_demo(key: str) -> pd.DataFrame:
    """A copy of demo ``key``'s table (cached after the first load)."""
    if key not in DEMOS:
        raise DataError(f"There is no demo called '{key}'. Choose one of: "
                        + ", ".join(f"'{k}'" for k in DEMOS) + ".")
    return _cached(key).copy()


@lru_cache(maxsize=None)
def _cached(key: str) -> pd.DataFrame:
    folder = demo_cache_dir()
    path = None if folder is None else folder / f"{key}-{_build_digest()}.parquet"
    if path is not None and (df := _read_built(path, DEMOS[key])) is not None:
        return df
    df = build_demo(key)
    if path is not None:
        _write_built(path, df)
    return df


def build_demo(key: str) -> pd.DataFrame:
    """Demo ``key``'s table with its score column, built from scratch (no cache)."""
    demo = DEMOS[key]
    df = demo.build()
    features = df[list(demo.features)]
    y = (df[demo.target] == demo.positive_class).to_numpy().astype(int)
    df[demo.score_column] = reference_scores(features, y)
    df.attrs["warnings"] = []  # like core.data.read_csv: nothing was guessed or changed
    return df


def reference_scores(features: pd.DataFrame, y: np.ndarray, seed: int = 0) -> np.ndarray:
    """Out-of-fold P(positive) from a logistic regression (5 stratified folds, seeded),
    rounded to 4 decimals the way an exported score column would be.

    The preprocessing (impute, scale, one-hot) never sees the labels, so it is fitted once
    on all rows; only the regression is refitted per fold.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from threadpoolctl import threadpool_limits

    from core.features import build_preprocessor

    numeric = [c for c in features.columns if pd.api.types.is_numeric_dtype(features[c].dtype)]
    categorical = [c for c in features.columns if c not in numeric]
    X = build_preprocessor(numeric, categorical).fit_transform(features)
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
    # One BLAS thread: these fits are tiny, and two threads that wait on each other (or on
    # the server's other threads) made them about 5x slower here, on the same results.
    with threadpool_limits(limits=1, user_api="blas"):
        proba = cross_val_predict(LogisticRegression(C=1.0, max_iter=1_000), X, y, cv=folds,
                                  method="predict_proba")[:, 1]
    return np.round(proba, 4)


# --------------------------------------------------------------------------------------------
# Built tables kept between server starts
# --------------------------------------------------------------------------------------------


def demo_cache_dir(env: Mapping[str, str] | None = None) -> Path | None:
    """The folder that keeps built demo tables, or None (``CUTOFF_DEMO_CACHE=off``, or a
    folder inside the project, which is never written to)."""
    env = os.environ if env is None else env
    raw = env.get("CUTOFF_DEMO_CACHE", "").strip()
    if raw.lower() == "off":
        return None
    if raw:
        folder = Path(raw).expanduser()
    else:
        base = env.get("XDG_CACHE_HOME", "").strip()
        folder = (Path(base) if base and Path(base).is_absolute() else Path.home() / ".cache") / "cutoff" / "demos"
    folder = folder if folder.is_absolute() else Path.cwd() / folder
    try:
        folder.resolve().relative_to(PROJECT_ROOT)
    except ValueError:
        return folder
    return None


@lru_cache(maxsize=1)
def _build_digest() -> str:
    """Digest of the code and library versions a built table depends on (16 hex digits)."""
    h = hashlib.sha256()
    for path in _BUILT_FROM:
        h.update(path.read_bytes())
    for name in _BUILT_WITH:
        try:
            h.update(f"{name}={metadata.version(name)};".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{name}=?;".encode())
    return h.hexdigest()[:16]


def _read_built(path: Path, demo: "Demo") -> pd.DataFrame | None:
    """The table stored at ``path``, or None when it is missing or unusable (then it is rebuilt)."""
    from core.workspace import decode_table

    try:
        df = decode_table(path.read_bytes())
    except (OSError, DataError):
        return None
    wanted = {demo.target, demo.score_column, *demo.features}
    if df.empty or not wanted <= set(df.columns):
        return None
    df.attrs["warnings"] = []
    return df


def _write_built(path: Path, df: pd.DataFrame) -> None:
    """Keep ``df`` at ``path`` for the next server start; a folder that cannot be written is skipped."""
    from core.workspace import encode_table

    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(encode_table(df))
        os.replace(partial, path)  # atomic: another server never reads half a file
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)


# --------------------------------------------------------------------------------------------
# Breast cancer (scikit-learn's bundled copy of the Wisconsin diagnostic data)
# --------------------------------------------------------------------------------------------


def _breast_cancer() -> pd.DataFrame:
    from sklearn.datasets import load_breast_cancer

    bunch = load_breast_cancer(as_frame=True)
    df = bunch.data.copy()
    # scikit-learn codes 0 = malignant, 1 = benign; name the classes so "positive" is the
    # malignant tumour a screening programme is looking for.
    df["diagnosis"] = pd.Series(np.asarray(bunch.target_names)[bunch.target.to_numpy()],
                                index=df.index, dtype="str")
    return df


# scikit-learn's feature_names in its order, written out so that listing the demos does not
# import scikit-learn (tests/core/test_demo_cache.py checks they still match).
_NUCLEUS_MEASURES = ("radius", "texture", "perimeter", "area", "smoothness", "compactness", "concavity",
                     "concave points", "symmetry", "fractal dimension")
_BREAST_FEATURES = (*(f"mean {m}" for m in _NUCLEUS_MEASURES), *(f"{m} error" for m in _NUCLEUS_MEASURES),
                    *(f"worst {m}" for m in _NUCLEUS_MEASURES))


# --------------------------------------------------------------------------------------------
# Loan default (generated)
# --------------------------------------------------------------------------------------------

LOAN_LOSS_GIVEN_DEFAULT = 0.6  # share of a defaulted loan's amount that is never recovered
LOAN_MARGIN = 1_200.0  # net interest margin over the life of an average loan
LOAN_DEFAULT_LOSS = 7_800.0  # LOAN_LOSS_GIVEN_DEFAULT x the average defaulted loan (about $13,000)


def _loan_default(n: int = 5_000, seed: int = 20_240) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    income = np.round(rng.lognormal(np.log(58_000), 0.45, n), -2).clip(12_000, 400_000)
    employment_years = np.floor(rng.gamma(1.6, 4.0, n)).clip(0, 45)
    home = rng.choice(["RENT", "MORTGAGE", "OWN"], n, p=[0.42, 0.45, 0.13])
    purposes = np.array(["debt_consolidation", "credit_card", "home_improvement", "car",
                         "small_business", "medical", "wedding", "vacation", "other"])
    purpose = rng.choice(purposes, n, p=[0.44, 0.2, 0.1, 0.08, 0.05, 0.04, 0.03, 0.02, 0.04])
    loan_amount = np.round(income * rng.uniform(0.06, 0.34, n), -1) * np.where(
        purpose == "small_business", 1.6, 1.0)
    loan_amount = np.round(loan_amount.clip(1_000, 40_000) / 50) * 50
    term_months = rng.choice([36, 60], n, p=[0.7, 0.3])
    credit_score = np.round(rng.normal(690, 55, n)).clip(350, 850)
    debt_to_income = np.round(rng.beta(2.2, 8.0, n) * 0.9, 3)
    delinquencies_2y = rng.poisson(0.25, n)
    interest_rate = np.round((24 - 0.045 * (credit_score - 600) + rng.normal(0, 1.5, n)
                              + 1.2 * (term_months == 60)).clip(5.5, 29.9), 2)
    purpose_risk = {"small_business": 0.9, "medical": 0.35, "debt_consolidation": 0.1,
                    "credit_card": -0.05, "home_improvement": -0.2, "car": -0.25,
                    "wedding": 0.0, "vacation": 0.15, "other": 0.2}
    z = (-2.55 - 0.02 * (credit_score - 690) + 4.5 * (debt_to_income - 0.18)
         + 0.45 * (term_months == 60) + 0.45 * delinquencies_2y
         - 0.5 * np.log(income / 58_000) + 0.35 * np.log(loan_amount / 12_000)
         - 0.04 * (employment_years - 5) + 0.25 * (home == "RENT")
         + np.vectorize(purpose_risk.get)(purpose))
    defaulted = rng.random(n) < 1 / (1 + np.exp(-z))

    df = pd.DataFrame({
        "loan_id": [f"LN-{100_000 + i}" for i in range(n)],
        "income": income,
        "loan_amount": loan_amount,
        "term_months": term_months,
        "interest_rate": interest_rate,
        "credit_score": credit_score,
        "debt_to_income": debt_to_income,
        "employment_years": employment_years,
        "delinquencies_2y": delinquencies_2y,
        "home_ownership": pd.Series(home, dtype="str"),
        "purpose": pd.Series(purpose, dtype="str"),
        "defaulted": pd.Series(np.where(defaulted, "yes", "no"), dtype="str"),
    })
    # Real application data has gaps: unreported employment, thin credit files, blank fields.
    df.loc[rng.random(n) < 0.05, "employment_years"] = np.nan
    df.loc[rng.random(n) < 0.02, "credit_score"] = np.nan
    df.loc[rng.random(n) < 0.01, "home_ownership"] = np.nan
    return df


_LOAN_FEATURES = ("income", "loan_amount", "term_months", "interest_rate", "credit_score",
                  "debt_to_income", "employment_years", "delinquencies_2y", "home_ownership",
                  "purpose")


# --------------------------------------------------------------------------------------------
# Card fraud (generated; rare positives)
# --------------------------------------------------------------------------------------------

FRAUD_REVIEW_COST = 15.0  # an analyst's check plus the friction of a blocked card
FRAUD_LOSS = 175.0  # the average fraudulent transaction, refunded to the cardholder


def _card_fraud(n: int = 20_000, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    fraud = rng.random(n) < 0.012
    categories = np.array(["grocery", "restaurant", "fuel", "online_retail", "electronics",
                           "travel", "gaming", "other"])
    usual = [0.3, 0.2, 0.14, 0.16, 0.05, 0.05, 0.02, 0.08]
    fraudulent = [0.16, 0.12, 0.1, 0.24, 0.14, 0.08, 0.06, 0.1]
    category = np.where(fraud, rng.choice(categories, n, p=fraudulent),
                        rng.choice(categories, n, p=usual))
    amount = np.round(np.where(fraud, rng.lognormal(np.log(120), 1.0, n),
                               rng.lognormal(np.log(42), 0.95, n)), 2).clip(0.5, 9_000)
    hour = np.where(fraud & (rng.random(n) < 0.25), rng.integers(0, 6, n),
                    np.clip(np.round(rng.normal(14, 4.5, n)), 0, 23)).astype(int)
    channel = np.where(fraud, rng.choice(["online", "in_store", "phone"], n, p=[0.5, 0.44, 0.06]),
                       rng.choice(["online", "in_store", "phone"], n, p=[0.3, 0.67, 0.03]))
    foreign = rng.random(n) < np.where(fraud, 0.18, 0.05)
    distance = np.round(np.where(fraud, rng.lognormal(np.log(20), 1.3, n),
                                 rng.lognormal(np.log(8), 1.1, n)), 1)
    tx_24h = rng.poisson(np.where(fraud, 3.5, 2.5), n)
    account_age = np.round(np.where(fraud, rng.gamma(2.0, 400, n), rng.gamma(2.5, 500, n)))
    df = pd.DataFrame({
        "transaction_id": [f"TX{900_000_000 + 37 * i}" for i in range(n)],
        "amount": amount,
        "hour": hour,
        "merchant_category": pd.Series(category, dtype="str"),
        "channel": pd.Series(channel, dtype="str"),
        "foreign_country": pd.Series(np.where(foreign, "yes", "no"), dtype="str"),
        "distance_from_home_km": distance,
        "transactions_last_24h": tx_24h,
        "account_age_days": account_age,
        "is_fraud": fraud.astype(int),
    })
    df.loc[rng.random(n) < 0.03, "distance_from_home_km"] = np.nan  # no location on some swipes
    return df


_FRAUD_FEATURES = ("amount", "hour", "merchant_category", "channel", "foreign_country",
                   "distance_from_home_km", "transactions_last_24h", "account_age_days")


DEMOS: dict[str, Demo] = {
    "loan_default": Demo(
        key="loan_default",
        title="Loan default (5,000 personal loans)",
        story=("5,000 personal loans from a consumer lender; 'defaulted' says which borrowers "
               "stopped paying. Positive = yes, the loan defaults.\n"
               f"Flagging a loan means declining it: a missed default loses about "
               f"${LOAN_DEFAULT_LOSS:,.0f} ({LOAN_LOSS_GIVEN_DEFAULT:.0%} of the average defaulted "
               f"loan), a false alarm forgoes about ${LOAN_MARGIN:,.0f} of margin on a good "
               "customer."),
        target="defaulted", positive_class="yes", score_column="risk_score",
        costs=CostMatrix(fp_cost=LOAN_MARGIN, fn_cost=LOAN_DEFAULT_LOSS),
        features=_LOAN_FEATURES, build=_loan_default, amount_column="loan_amount",
        # A missed default loses LOAN_LOSS_GIVEN_DEFAULT of that loan; a false alarm the margin.
        amount_costs=CostMatrix(fp_cost=LOAN_MARGIN, fn_cost=0.0, fn_pct=100 * LOAN_LOSS_GIVEN_DEFAULT)),
    "breast_cancer": Demo(
        key="breast_cancer",
        title="Breast cancer diagnosis (569 biopsies)",
        story=("569 breast tumour biopsies (Wisconsin), 30 measurements of the cell nuclei each. "
               "Positive = malignant: scikit-learn codes malignant as 0, so the labels are "
               "flipped here.\n"
               "A missed cancer (false negative) costs far more than an unnecessary follow-up "
               "biopsy (false positive): about $25,000 against $1,000."),
        target="diagnosis", positive_class="malignant", score_column="model_score",
        costs=CostMatrix(fp_cost=1_000.0, fn_cost=25_000.0),
        features=_BREAST_FEATURES, build=_breast_cancer),
    "card_fraud": Demo(
        key="card_fraud",
        title="Card fraud (20,000 transactions, about 1% fraud)",
        story=("20,000 card transactions; 'is_fraud' marks the roughly 1% that were fraudulent. "
               "Positive = 1, a fraudulent transaction.\n"
               f"A missed fraud loses the transaction (about ${FRAUD_LOSS:,.0f} on average); a false "
               f"alarm costs about ${FRAUD_REVIEW_COST:,.0f} for a review call and a blocked card."),
        target="is_fraud", positive_class=1, score_column="fraud_score",
        costs=CostMatrix(fp_cost=FRAUD_REVIEW_COST, fn_cost=FRAUD_LOSS),
        features=_FRAUD_FEATURES, build=_card_fraud, amount_column="amount",
        # A missed fraud loses that transaction; a false alarm the fixed review cost.
        amount_costs=CostMatrix(fp_cost=FRAUD_REVIEW_COST, fn_cost=0.0, fn_pct=100.0)),
}


# --------------------------------------------------------------------------------------------
# Building the tables ahead of the first visitor (``python -m core.demos``, run by ``make run``)
# --------------------------------------------------------------------------------------------


def prepare_demo_cache() -> tuple[Path | None, list[str], list[str]]:
    """Build every demo table that is not stored yet into :func:`demo_cache_dir`.

    Returns the folder (None when the cache is off or would be inside the project), the keys
    built and stored now, and the keys built but not stored (the folder cannot be written); a
    stored, usable table is left as it is. ``make run`` calls this before the
    server starts, so a machine's first visitor does not wait for a demo to be built.
    """
    folder = demo_cache_dir()
    if folder is None:
        return None, [], []
    built, failed = [], []
    for key, demo in DEMOS.items():
        path = folder / f"{key}-{_build_digest()}.parquet"
        if _read_built(path, demo) is None:
            _write_built(path, build_demo(key))
            (built if _read_built(path, demo) is not None else failed).append(key)
    return folder, built, failed


def main() -> int:
    """Print what :func:`prepare_demo_cache` did; 1 when a table could not be stored."""
    folder, built, failed = prepare_demo_cache()
    if folder is None:
        print("Demo tables are not kept on disk (CUTOFF_DEMO_CACHE is off or inside the project): "
              "each server builds its demo on first use.")
        return 0
    if built:
        print(f"Built and stored {len(built)} demo table(s) in {folder}: {', '.join(built)}.")
    if failed:
        print(f"Could not store {', '.join(failed)} in {folder} (is the folder writable?): each "
              "server builds those on first use. Set CUTOFF_DEMO_CACHE to a writable folder.")
        return 1
    if not built:
        print(f"Demo tables already stored in {folder}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
