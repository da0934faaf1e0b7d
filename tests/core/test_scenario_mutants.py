"""core.scenario.Scenario: every field it is built from is kept, in plain JSON types, and read back.

A saved scenario is what a user compares later and what the workspace file stores: a cost
field dropped or swapped, a review number left as NaN (not JSON) or a record read back with
the wrong types would show another scenario than the one saved.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from core.costs import CostMatrix
from core.errors import DataError
from core.scenario import Scenario
from core.thresholds import threshold_sweep

# Every cost field different, so a field read from the wrong place shows.
COSTS = CostMatrix(3.0, 17.0, tp_value=1.25, tn_value=0.5, currency="€", fp_pct=2.0, fn_pct=60.0, tp_pct=4.5,
                   tn_pct=0.75)


def _point(costs=COSTS):
    y = np.array([1, 0, 1, 0, 1, 0, 0])
    s = np.array([0.9, 0.8, 0.7, 0.6, 0.4, 0.3, 0.1])
    amounts = np.array([100.0, 20.0, 30.0, 5.0, 80.0, 1.0, 2.0])
    return threshold_sweep(y, s, costs=costs, amounts=amounts if costs is not None and costs.per_case else None).at(0.5)


def test_of_keeps_every_cost_field_and_the_points_metrics():
    point = _point()
    scenario = Scenario.of(name="Cautious", threshold=np.float64(0.5), costs=COSTS, point=point)
    assert scenario.costs == COSTS
    assert (scenario.fp_cost, scenario.fn_cost, scenario.tp_value, scenario.tn_value) == (3.0, 17.0, 1.25, 0.5)
    assert (scenario.fp_pct, scenario.fn_pct, scenario.tp_pct, scenario.tn_pct) == (2.0, 60.0, 4.5, 0.75)
    assert scenario.currency == "€" and scenario.name == "Cautious"
    assert scenario.threshold == 0.5 and type(scenario.threshold) is float
    for name in ("precision", "recall", "f1", "accuracy", "cost"):
        value = getattr(scenario, name)
        assert type(value) is float and value == pytest.approx(getattr(point, name))
    assert scenario.cost == pytest.approx(point.cost) and point.cost is not None


def test_of_without_costs_on_the_point_keeps_no_cost():
    y, s = np.array([1, 0, 1, 0]), np.array([0.9, 0.6, 0.4, 0.1])
    point = threshold_sweep(y, s).at(0.5)
    scenario = Scenario.of(name=7, threshold=0.5, costs=CostMatrix(1, 5), point=point)
    assert scenario.cost is None and scenario.name == "7"


def test_review_numbers_become_plain_floats_or_none_and_other_extras_pass_unchanged():
    scenario = Scenario.of(
        name="Band", threshold=0.5, costs=COSTS, point=_point(),
        review_rate=np.float64(0.125), review_cost=float("nan"), review_total_cost=float("inf"),
        objective="min_cost", explanation="Send scores from 0.3 up to 0.5 to a person.", evaluated_on="test split",
        amount_column="loan", positive_rate=0.02, evaluation=("abc", 3),
    )
    assert scenario.review_rate == 0.125 and type(scenario.review_rate) is float
    assert scenario.review_cost is None and scenario.review_total_cost is None  # not finite: not JSON either
    assert scenario.objective == "min_cost" and scenario.evaluated_on == "test split"
    assert scenario.explanation.startswith("Send scores") and scenario.amount_column == "loan"
    assert scenario.positive_rate == 0.02 and scenario.evaluation == ("abc", 3)
    none_given = Scenario.of(name="Band", threshold=0.5, costs=COSTS, point=_point(), review_rate=None,
                             review_cost=2)
    assert none_given.review_rate is None and none_given.review_cost == 2.0 and type(none_given.review_cost) is float


def test_to_dict_is_plain_json_and_from_dict_gives_the_same_scenario_back():
    scenario = Scenario.of(name="Band", threshold=0.5, costs=COSTS, point=_point(), review_rate=0.1,
                           review_cost=1.5, review_total_cost=42.0, evaluation=("abc", 3, ["x", 1]),
                           segments={"column": "region"})
    record = scenario.to_dict()
    assert record["evaluation"] == ["abc", 3, ["x", 1]] and isinstance(record["evaluation"], list)
    text = json.dumps(record, allow_nan=False)  # no NaN or infinity anywhere: plain JSON
    again = Scenario.from_dict(json.loads(text))
    assert again == scenario and isinstance(again.evaluation, tuple) and again.costs == COSTS
    # A fingerprint that is not a tuple is kept as it is.
    plain = Scenario.of(name="x", threshold=0.5, costs=COSTS, point=_point(), evaluation="digest")
    assert plain.to_dict()["evaluation"] == "digest" and Scenario.from_dict(plain.to_dict()).evaluation == "digest"


def test_from_dict_reads_numbers_given_as_text_and_defaults_the_missing_keys():
    old = Scenario.from_dict({"name": 12, "threshold": "0.25", "fp_cost": "3", "fn_cost": 8, "someday": True})
    assert old.name == "12" and old.threshold == 0.25 and old.fp_cost == 3.0 and old.fn_cost == 8.0
    assert type(old.threshold) is float and type(old.fp_cost) is float and type(old.fn_cost) is float
    assert old.costs == CostMatrix(3, 8) and old.review_rate is None and old.evaluation is None
    assert math.isnan(old.precision) and old.currency == "$"


@pytest.mark.parametrize("missing", ["name", "threshold", "fp_cost", "fn_cost"])
def test_from_dict_without_a_required_key_says_what_it_needs(missing):
    record = {"name": "x", "threshold": 0.5, "fp_cost": 1.0, "fn_cost": 5.0}
    del record[missing]
    with pytest.raises(DataError, match="needs a name, a threshold and the costs"):
        Scenario.from_dict(record)


@pytest.mark.parametrize("key, bad", [("threshold", "high"), ("fp_cost", None), ("fn_cost", [1])])
def test_from_dict_with_a_required_number_that_is_not_one_says_so(key, bad):
    record = {"name": "x", "threshold": 0.5, "fp_cost": 1.0, "fn_cost": 5.0, key: bad}
    with pytest.raises(DataError, match="incomplete"):
        Scenario.from_dict(record)
