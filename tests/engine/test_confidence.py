"""How sure a score is: the weight on known data, and the bounds once the unknown were known."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.engine.builders import fit_of, ranking, requirement, vendor

# Skills a quarter, budget a quarter, languages half; nothing else weighs.
EVEN = {"engagement_model": 0, "track_record": 0, "skills": 1, "budget": 1, "languages": 2}
PROFILE = requirement(
    skills=("customer support",), budget=20, languages=("en",), weights=EVEN, limit=5
)


def test_a_vendor_with_every_fact_known_has_one_score_and_no_bounds_to_speak_of() -> None:
    result = fit_of(PROFILE, [vendor("known")], "known")
    assert result.score == 100.0
    assert result.confidence is not None
    assert result.confidence.known_weight == 1.0
    assert result.confidence.unknown == ()
    assert (result.confidence.low, result.confidence.high) == (100.0, 100.0)


def test_unknown_rates_put_a_quarter_of_the_weight_on_a_guess_worked_by_hand() -> None:
    # Skills 1 and languages 1 are known; budget unknown scores 0.5: 25 + 12.5 + 50 = 87.5.
    # Known, the budget could score 0 (75) or 1 (100).
    result = fit_of(PROFILE, [vendor("no-rates", rate_min=None, rate_max=None)], "no-rates")
    assert result.confidence is not None
    assert result.score == pytest.approx(87.5, abs=0.1)
    assert result.confidence.known_weight == 0.75
    assert result.confidence.unknown == ("budget",)
    assert result.confidence.low == pytest.approx(75.0, abs=0.1)
    assert result.confidence.high == pytest.approx(100.0, abs=0.1)


def test_two_unknowns_widen_the_bounds_by_both_weights() -> None:
    # Budget (a quarter) and languages (a half) unknown: 25 + 12.5 + 25 = 62.5, from 25 to 100.
    thin = vendor("thin", rate_min=None, rate_max=None, languages=())
    result = fit_of(PROFILE, [thin], "thin")
    assert result.confidence is not None
    assert result.score == pytest.approx(62.5, abs=0.1)
    assert result.confidence.known_weight == 0.25
    assert set(result.confidence.unknown) == {"budget", "languages"}
    assert (result.confidence.low, result.confidence.high) == pytest.approx((25.0, 100.0), abs=0.1)


def test_min_confidence_leaves_out_vendors_on_too_little_known_data_and_says_how_many() -> None:
    catalog = [
        vendor("known"),
        vendor("no-rates", rate_min=None, rate_max=None),
        vendor("thin", rate_min=None, rate_max=None, languages=()),
    ]
    everyone = ranking(PROFILE, catalog)
    assert {item.vendor_id for item in everyone.results} == {"known", "no-rates", "thin"}
    assert everyone.below_confidence == 0

    sure = ranking(replace(PROFILE, min_confidence=0.75), catalog)
    assert [item.vendor_id for item in sure.results] == ["known", "no-rates"]
    assert sure.below_confidence == 1
