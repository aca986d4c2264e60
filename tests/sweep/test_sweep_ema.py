"""EMA Workbench drives labelmarket through the adapter; model errors come back as NaN instead of hanging EMA."""

from __future__ import annotations

import math
import warnings

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # EMA warns that ipyparallel is missing
    ema = pytest.importorskip("ema_workbench", reason="ema-workbench is the optional extra 'ema'")

from labelmarket.experiments.ema_adapter import BlackBoxRun, ema_model, ema_name  # noqa: E402
from labelmarket.experiments.sweep.known_functions import fragile  # noqa: E402


def test_names_become_identifiers():
    assert ema_name("events.meta_stake.stake") == "events__meta_stake__stake"
    assert ema_name("vendors.Scale AI.quality") == "vendors__Scale_AI__quality"


def test_errors_become_nan():
    run = BlackBoxRun(fragile, {"p__a": "p.a", "p__b": "p.b"}, ["y", "ratio"], seed=1)
    assert run(p__a=0.2, p__b=2.0) == {"y": 2.2, "ratio": 0.1}
    assert all(math.isnan(v) for v in run(p__a=0.9, p__b=2.0).values())


def test_emas_sequential_evaluator_runs_the_real_model():
    model = ema_model({"events.meta_stake.stake": (0.0, 0.49), "behaviour.wariness_gain": (0.0, 2.0)},
                      outcomes=["final_hhi", "share_week_4"], weeks=32, seed=3)
    with ema.SequentialEvaluator(model) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=3)
    assert list(experiments["events__meta_stake__stake"].between(0, 0.49)) == [True] * 3
    assert len(outcomes["final_hhi"]) == 3 and not any(math.isnan(v) for v in outcomes["final_hhi"])
    assert all(0 < v < 1 for v in outcomes["share_week_4"])


def test_a_failing_run_does_not_stop_emas_multiprocessing_evaluator():
    model = ema_model({"p.a": (0.0, 1.0), "p.b": (0.5, 1.0)}, outcomes=["y"], run_point=fragile, name="fragile")
    with ema.MultiprocessingEvaluator(model, n_processes=2) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=12)
    failed = experiments["p__a"] > 0.8
    assert failed.any(), "the sample should include failing points"
    assert all(math.isnan(y) for y in outcomes["y"][failed.to_numpy()])
    assert not any(math.isnan(y) for y in outcomes["y"][~failed.to_numpy()])


def test_replications_average_the_seeds():
    model = ema_model({"p.a": (0.0, 0.5), "p.b": (0.5, 1.0)}, outcomes=["y"], run_point=fragile, replications=3,
                      name="replicated")
    with ema.SequentialEvaluator(model) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=2)
    expected = experiments["p__a"] + experiments["p__b"]
    assert list(outcomes["y"]) == pytest.approx(list(expected))


def test_an_unknown_outcome_is_refused_before_anything_runs():
    from labelmarket.experiments.sweep.spec import SweepError

    with pytest.raises(SweepError, match="outcomes: no output called 'hhi'.*final_hhi"):
        ema_model({"events.meta_stake.stake": (0.0, 0.49)}, outcomes=["hhi"], weeks=30)


def test_integer_categorical_and_boolean_parameters_and_a_time_series_outcome():
    model = ema_model({"events.meta_stake.stake": (0.0, 0.49),
                       "labs.Google.review_interval_weeks": (2, 12),
                       "events.meta_stake.voting": [True, False],
                       "vendors.Labelbox.segment": ["managed_labelling", "expert_network"]},
                      outcomes=["final_hhi", "hhi_weekly"], weeks=30, seed=4)
    kinds = {u.name: type(u).__name__ for u in model.uncertainties}
    assert kinds == {"events__meta_stake__stake": "RealParameter",
                     "labs__Google__review_interval_weeks": "IntegerParameter",
                     "events__meta_stake__voting": "BooleanParameter",
                     "vendors__Labelbox__segment": "CategoricalParameter"}
    with ema.SequentialEvaluator(model) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=4)
    assert not any(math.isnan(v) for v in outcomes["final_hhi"]), "every run works, voting or not"
    assert outcomes["hhi_weekly"].shape == (4, 31), "weeks 0 to 30 per run"
    assert outcomes["hhi_weekly"][:, -1] == pytest.approx(outcomes["final_hhi"])
    assert set(experiments["events__meta_stake__voting"]) <= {True, False}
