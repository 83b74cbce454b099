"""A ranking adds up, keeps its hard constraints, says what it left out and how to get more."""

from __future__ import annotations

from dataclasses import replace

import pytest

from matcher.engine.model import Ranking, Requirement, VendorRow
from tests.engine.builders import factor_of, fit_of, loosened, ranking, requirement, vendor

ALL_FACTORS = {
    "skills": ["customer support"],
    "client_country": "US",
    "languages": ["es"],
    "budget": 20,
    "team_size": 10,
    "certifications": ["PCI DSS"],
    "qualifications": ["BCom"],
    "industry": "Retail",
}


def contact_centres() -> list[VendorRow]:
    """Return a small catalog of customer support vendors, and one research house."""
    unknown = {"rate_min": None, "rate_max": None, "headcount": None, "rating": None}
    return [
        vendor("manila-cx", delivery_countries=["PH"], languages=["en", "tl"], rate_min=8),
        vendor(
            "bogota-cx", delivery_countries=["CO"], languages=["es", "en"], rate_min=14, rate_max=18
        ),
        vendor(
            "monterrey-cx", delivery_countries=["MX"], languages=["es"], rate_min=16, rate_max=19
        ),
        vendor(
            "krakow-cx",
            delivery_countries=["PL"],
            languages=["pl"],
            currency="EUR",
            rate_min=20,
            rate_max=28,
        ),
        vendor(
            "dallas-cx", delivery_countries=["US"], languages=["en", "es"], rate_min=30, rate_max=40
        ),
        vendor(
            "pune-research",
            tags=["KPO"],
            services=["Equity research"],
            delivery_countries=["IN"],
            languages=["en"],
            rate_min=25,
            rate_max=45,
        ),
        vendor("lean-cx", delivery_countries=[], languages=[], **unknown),
    ]


def spanish_support(**changes: object) -> Requirement:
    """Return nearshore Spanish customer support for a US client under 20 USD an hour."""
    profile = {
        "skills": ["customer support"],
        "languages": ["es"],
        "client_country": "US",
        "delivery": ["nearshore"],
        "budget": 20,
        "limit": 5,
        **changes,
    }
    return requirement(**profile)


def passing(answer: Ranking) -> int:
    """Return how many vendors passed the hard constraints."""
    return answer.considered - answer.excluded


def test_every_score_is_the_sum_of_its_factors_points_and_the_weights_sum_to_one() -> None:
    answer = ranking(requirement(**ALL_FACTORS, limit=20), contact_centres())
    assert len(answer.results) == 7
    for result in answer.results:
        assert result.score == pytest.approx(sum(f.points for f in result.factors), abs=0.1)
        assert sum(factor.weight for factor in result.factors) == pytest.approx(1.0)
        assert 0 <= result.score <= 100


def test_results_are_ordered_by_score_with_ties_broken_by_id() -> None:
    twins = [vendor(vendor_id) for vendor_id in ("twin-c", "twin-a", "twin-b")]
    better = vendor("better", services=["Customer support", "Complaint handling"])
    answer = ranking(
        requirement(skills=["customer support", "complaint handling"]), [*twins, better]
    )
    assert [result.vendor_id for result in answer.results] == [
        "better",
        "twin-a",
        "twin-b",
        "twin-c",
    ]
    assert [result.rank for result in answer.results] == [1, 2, 3, 4]
    scores = [result.score for result in answer.results]
    assert scores == sorted(scores, reverse=True)


def test_the_ranking_does_not_depend_on_the_order_of_the_catalog() -> None:
    catalog = contact_centres()
    forwards = ranking(spanish_support(limit=10), catalog)
    backwards = ranking(spanish_support(limit=10), catalog[::-1])
    assert forwards.results == backwards.results


def test_no_more_results_than_the_limit_are_returned() -> None:
    answer = ranking(requirement(skills=["customer support"], limit=3), contact_centres())
    assert len(answer.results) == 3
    assert answer.considered == 7


def test_no_result_violates_a_hard_constraint() -> None:
    answer = ranking(spanish_support(hard_constraints=["budget", "languages"]), contact_centres())
    assert [result.vendor_id for result in answer.results] == ["bogota-cx", "monterrey-cx"]
    for result in answer.results:
        assert factor_of(result, "budget").reason.endswith("within the 20 USD/h budget")
        assert factor_of(result, "languages").score == 1.0


def test_exclusions_are_counted_per_constraint_and_once_in_total() -> None:
    answer = ranking(spanish_support(hard_constraints=["budget", "languages"]), contact_centres())
    assert answer.excluded == 5
    assert dict(answer.excluded_by) == {"budget": 4, "languages": 4}


def test_excluded_countries_are_counted_under_geography() -> None:
    answer = ranking(spanish_support(exclude_countries=["PH", "IN"]), contact_centres())
    assert answer.excluded == 3
    assert dict(answer.excluded_by) == {"geography": 3}
    assert {"manila-cx", "pune-research", "lean-cx"}.isdisjoint(
        result.vendor_id for result in answer.results
    )


def test_no_relaxation_is_offered_when_enough_vendors_pass() -> None:
    answer = ranking(spanish_support(hard_constraints=["budget"], limit=2), contact_centres())
    assert len(answer.results) == 2
    assert answer.relaxations == ()


def test_relaxations_name_the_constraint_and_how_to_loosen_it() -> None:
    answer = ranking(spanish_support(hard_constraints=["budget", "languages"]), contact_centres())
    offered = {relaxation.constraint: relaxation for relaxation in answer.relaxations}
    assert set(offered) == {"budget", "languages"}
    assert offered["budget"].suggestion == "raise the budget from 20 to 30 USD/h"
    assert offered["budget"].adds == 1
    assert offered["languages"].suggestion == (
        "treat languages as a preference instead of a hard constraint"
    )
    assert offered["languages"].adds == 1


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"hard_constraints": ["budget", "languages"]}, id="budget and languages"),
        pytest.param({"hard_constraints": ["budget"], "budget": 10}, id="a tight budget"),
        pytest.param(
            {"hard_constraints": ["budget"], "budget": (12, "EUR")}, id="a budget in euros"
        ),
        pytest.param({"hard_constraints": ["geography", "capacity"], "team_size": 500}, id="team"),
        pytest.param(
            {"hard_constraints": ["skills", "certifications"], "certifications": ["PCI DSS"]},
            id="skills",
        ),
    ],
)
def test_a_relaxation_adds_as_many_vendors_as_loosening_its_constraint_really_does(
    changes: dict[str, object],
) -> None:
    profile, catalog = spanish_support(**changes), contact_centres()
    before = ranking(profile, catalog)
    assert before.relaxations
    for relaxation in before.relaxations:
        after = ranking(loosened(profile, relaxation.constraint, relaxation.suggestion), catalog)
        assert passing(after) - passing(before) == relaxation.adds > 0


def test_a_budget_relaxation_asks_only_for_as_much_as_enough_vendors_need() -> None:
    profile = spanish_support(hard_constraints=["budget"], budget=10, limit=3)
    [relaxation] = ranking(profile, contact_centres()).relaxations
    # manila-cx passes; two more are wanted, and the second cheapest of the rest asks 16.
    assert relaxation.suggestion == "raise the budget from 10 to 16 USD/h"
    assert relaxation.adds == 2


def test_a_budget_relaxation_asks_for_the_rate_itself_when_it_is_a_whole_number() -> None:
    catalog = [vendor("paris", currency="EUR", rate_min=30, rate_max=35)]
    profile = requirement(
        skills=["customer support"], budget=(20, "EUR"), hard_constraints=["budget"]
    )
    [relaxation] = ranking(profile, catalog).relaxations
    assert relaxation.suggestion == "raise the budget from 20 to 30 EUR/h"


def test_a_budget_relaxation_to_a_whole_rate_counts_the_vendor_it_lets_in() -> None:
    catalog = [vendor("paris", currency="EUR", rate_min=30, rate_max=35)]
    profile = requirement(
        skills=["customer support"], budget=(20, "EUR"), hard_constraints=["budget"]
    )
    [relaxation] = ranking(profile, catalog).relaxations
    after = ranking(loosened(profile, relaxation.constraint, relaxation.suggestion), catalog)
    assert len(after.results) == 1
    assert relaxation.adds == 1


def test_a_capacity_relaxation_never_suggests_a_team_of_nobody() -> None:
    catalog = [
        vendor("empty", headcount=0),
        vendor("small", headcount=2),
        vendor("big", headcount=50),
    ]
    profile = requirement(
        skills=["customer support"], team_size=10, hard_constraints=["capacity"], limit=3
    )
    [relaxation] = ranking(profile, catalog).relaxations
    assert relaxation.suggestion == "start with a team of 2 instead of 10"
    assert relaxation.adds == 1


def test_fit_gives_a_ranked_vendor_the_same_score_and_rank_as_the_ranking() -> None:
    profile, catalog = spanish_support(limit=10), contact_centres()
    for result in ranking(profile, catalog).results:
        assert fit_of(profile, catalog, result.vendor_id) == result


def test_fit_ranks_a_vendor_beyond_the_limit_among_all_that_pass() -> None:
    profile, catalog = spanish_support(limit=2), contact_centres()
    everyone = ranking(replace(profile, limit=100), catalog).results
    last = everyone[-1]
    assert fit_of(profile, catalog, last.vendor_id).rank == last.rank == len(everyone)


def test_fit_explains_an_excluded_vendor_with_each_constraint_it_fails() -> None:
    profile = spanish_support(hard_constraints=["budget", "languages"])
    result = fit_of(profile, contact_centres(), "krakow-cx")
    assert result.rank is None
    reasons = {exclusion.constraint: exclusion.reason for exclusion in result.excluded_by}
    assert set(reasons) == {"budget", "languages"}
    assert "9% above the 20 USD/h budget" in reasons["budget"]
    assert "not Spanish" in reasons["languages"]


def test_fit_of_a_vendor_that_passes_has_no_exclusions() -> None:
    profile = spanish_support(hard_constraints=["budget", "languages"])
    assert fit_of(profile, contact_centres(), "bogota-cx").excluded_by == ()


def weights(kind: str, **changes: object) -> dict[str, float]:
    """Return the weight of each factor for a requirement that asks about all of them."""
    profile = requirement(**{**ALL_FACTORS, "engagement_model": kind, **changes})
    return {
        factor.name: factor.weight for factor in fit_of(profile, [vendor()], "acme-bpo").factors
    }


@pytest.mark.parametrize("name", ["budget", "capacity", "certifications"])
def test_bpo_work_weighs_cost_scale_and_compliance_more_than_kpo_work(name: str) -> None:
    assert weights("BPO")[name] > weights("KPO")[name]


@pytest.mark.parametrize("name", ["skills", "qualifications", "track_record"])
def test_kpo_work_weighs_expertise_and_reputation_more_than_bpo_work(name: str) -> None:
    assert weights("KPO")[name] > weights("BPO")[name]


def test_skills_weigh_most_for_either_kind_of_work() -> None:
    for kind in ("BPO", "KPO", "any"):
        given = weights(kind)
        assert max(given, key=given.__getitem__) == "skills"


def test_weights_in_the_request_override_the_defaults() -> None:
    given = weights("BPO", weights={"budget": 0, "languages": 20})
    assert given["budget"] == 0
    assert given["languages"] > 0.5
    assert sum(given.values()) == pytest.approx(1.0)


def test_a_factor_weighed_zero_earns_no_points_and_is_not_a_reason() -> None:
    profile = requirement(skills=["customer support"], budget=20, weights={"budget": 0})
    result = fit_of(profile, [vendor()], "acme-bpo")
    assert factor_of(result, "budget").score == 1.0
    assert factor_of(result, "budget").points == 0
    assert not any(reason.startswith("budget") for reason in result.reasons)


def test_weights_for_factors_the_requirement_does_not_ask_about_are_ignored() -> None:
    given = weights("BPO", weights={"capacity": 5}, team_size=None)
    assert "capacity" not in given
    assert sum(given.values()) == pytest.approx(1.0)


@pytest.mark.parametrize(
    "profile",
    [
        pytest.param(spanish_support(hard_constraints=["budget"]), id="nearshore support"),
        pytest.param(requirement(**ALL_FACTORS), id="every factor"),
        pytest.param(requirement(skills=["widget wrangling"]), id="free text"),
    ],
)
def test_an_empty_catalog_ranks_nothing_without_failing(profile: Requirement) -> None:
    answer = ranking(profile, [])
    assert (answer.results, answer.considered, answer.excluded) == ((), 0, 0)


def test_delivery_models_without_a_client_country_do_not_break_the_ranking() -> None:
    answer = ranking(requirement(skills=["data entry"], delivery=["nearshore"]), [vendor()])
    assert [result.vendor_id for result in answer.results] == ["acme-bpo"]


def test_anything_missing_is_a_gap_and_never_a_reason() -> None:
    profile = requirement(
        skills=["payroll processing", "accounts payable"],
        languages=["es", "pt"],
        certifications=["PCI DSS", "SOC 2"],
        engagement_model="BPO",
    )
    one = vendor(
        services=["Payroll processing"],
        languages=["es"],
        certifications=["PCI DSS"],
    )

    result = fit_of(profile, [one], one.id)

    for name in ("skills", "languages", "certifications"):
        assert any(gap.startswith(f"{name}:") for gap in result.gaps), name
        assert not any(reason.startswith(f"{name}:") for reason in result.reasons), name


def test_a_failed_hard_constraint_is_a_gap_even_when_its_score_is_high() -> None:
    profile = requirement(skills=["xyz"], hard_constraints=["track_record"])
    one = vendor(rating=4.9, review_count=2)

    result = fit_of(profile, [one], one.id)

    assert any(gap.startswith("track record:") for gap in result.gaps)
    assert not any(reason.startswith("track record:") for reason in result.reasons)
    assert "under the 4.0" in next(e.reason for e in result.excluded_by)
