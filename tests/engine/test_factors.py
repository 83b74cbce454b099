"""Each factor scores one vendor 0-1 and says why, in facts; unknown data is neutral and a gap."""

from __future__ import annotations

import re
from typing import Any

import pytest

from matcher.engine.model import RankedVendor
from tests.engine.builders import factor_of, fit_of, judge, requirement, vendor


def assert_unknown(result: RankedVendor, name: str, says: str) -> None:
    """Assert a factor is unknown: neutral, labelled, listed in the gaps and not a reason."""
    factor = factor_of(result, name)
    assert factor.known is False
    assert factor.score == 0.5
    assert says in factor.reason
    assert any(says in gap for gap in result.gaps)
    assert not any(says in reason for reason in result.reasons)


@pytest.mark.parametrize(
    ("wanted", "tags", "score", "says"),
    [
        ("BPO", ["BPO"], 1.0, "does BPO work (tagged BPO)"),
        ("KPO", ["BPO", "KPO"], 1.0, "does KPO work (tagged BPO and KPO)"),
        ("BPO", ["KPO"], 0.25, "tagged KPO only, and the work is BPO"),
        ("KPO", ["BPO"], 0.1, "tagged BPO only, and the work is KPO"),
    ],
)
def test_engagement_model_scores_the_vendors_tags_against_the_kind_of_work(
    wanted: str, tags: list[str], score: float, says: str
) -> None:
    factor = judge(
        requirement(skills=["xyz"], engagement_model=wanted), vendor(tags=tags), "engagement_model"
    )
    assert factor.score == pytest.approx(score)
    assert factor.reason == says


def test_engagement_model_does_not_count_when_either_kind_of_work_fits() -> None:
    result = fit_of(requirement(skills=["xyz"], engagement_model="any"), [vendor()], "acme-bpo")
    assert "engagement_model" not in [factor.name for factor in result.factors]


@pytest.mark.parametrize(
    ("services", "profile", "score", "says"),
    [
        pytest.param(
            ["Customer support", "Data entry"],
            {"skills": ["customer support", "data entry"]},
            1.0,
            ["covers 2 of 2 required skills", "offers customer support, data entry"],
            id="every required skill",
        ),
        pytest.param(
            ["Customer support"],
            {"skills": ["customer support", "payroll"]},
            0.5,
            ["covers 1 of 2 required skills", "lacks payroll"],
            id="half the required skills",
        ),
        pytest.param(
            ["Inbound call centre"],
            {"skills": ["customer support"]},
            0.5,
            ["covers 0 of 1 required skills", "lacks customer support"],
            id="a service of the same category is half a match",
        ),
        pytest.param(
            ["Design and animation"],
            {"skills": ["creative services"]},
            1.0,
            ["covers 1 of 1 required skills", "offers creative services"],
            id="a category naming no one bundle of work is met by any service in it",
        ),
        pytest.param(
            ["Email and chat support"],
            {"skills": ["CX"]},
            0.583,
            ["CX in part: covers 1 of 6 parts of Customer experience"],
            id="an umbrella category is met in part by one of its core services",
        ),
        pytest.param(
            ["Payroll processing"],
            {"skills": ["CX"]},
            0.0,
            ["lacks CX"],
            id="a category skill is not met by a service outside it",
        ),
        pytest.param(
            ["data entery"],
            {"skills": ["data entry"]},
            0.952,
            ["offers data entry"],
            id="a vendor's typo still links its service, a little less surely",
        ),
        pytest.param(
            ["data entery", "data entyr"],
            {"skills": ["data entry"]},
            0.952,
            ["offers data entry"],
            id="a service misspelt twice counts as its better spelling, not as exact",
        ),
        pytest.param(
            ["Bespoke widget wrangling"],
            {"skills": ["widget wrangling bespoke"]},
            1.0,
            ["offers widget wrangling bespoke"],
            id="free text matches the vendor's own wording in any word order",
        ),
        pytest.param(
            ["Bespoke widget wrangling"],
            {"skills": ["bespoke widget wrangler"]},
            0.894,
            ["offers bespoke widget wrangler"],
            id="free text matches the vendor's own wording despite a typo",
        ),
        pytest.param(
            ["Bespoke widget wrangling"],
            {"skills": ["gadget polishing"]},
            0.0,
            ["lacks gadget polishing"],
            id="free text unlike anything the vendor says is missing",
        ),
        pytest.param(
            ["Customer support"],
            {"skills": ["customer support"], "preferred_skills": ["payroll"]},
            0.8,
            ["covers 1 of 1 required skills", "0 of 1 preferred"],
            id="preferred skills count for a fifth",
        ),
        pytest.param(
            ["Customer support", "Payroll processing"],
            {"preferred_skills": ["payroll", "equity research"]},
            0.5,
            ["1 of 2 preferred"],
            id="preferred skills alone make the whole score",
        ),
    ],
)
def test_skills_score_how_well_the_vendors_services_cover_the_skills_asked_for(
    services: list[str], profile: dict[str, Any], score: float, says: list[str]
) -> None:
    factor = judge(
        requirement(engagement_model="any", **profile), vendor(services=services), "skills"
    )
    assert factor.score == pytest.approx(score, abs=1e-3)
    for fact in says:
        assert fact in factor.reason


def test_unlisted_services_are_neutral_and_unknown() -> None:
    result = fit_of(requirement(skills=["customer support"]), [vendor(services=[])], "acme-bpo")
    assert_unknown(result, "skills", "services not listed")


def test_a_vendor_with_unlisted_services_does_not_pass_skills_as_a_hard_constraint() -> None:
    profile = requirement(skills=["customer support"], hard_constraints=["skills"])
    result = fit_of(profile, [vendor(services=[])], "acme-bpo")
    assert result.rank is None
    assert [exclusion.constraint for exclusion in result.excluded_by] == ["skills"]


@pytest.mark.parametrize(
    ("profile", "countries", "score", "says"),
    [
        pytest.param(
            {"countries": ["Eastern Europe"]},
            ["PL"],
            1.0,
            ["delivers from Poland"],
            id="in a region",
        ),
        pytest.param(
            {"countries": ["Eastern Europe"]},
            ["IN"],
            0.0,
            ["delivers from India (outside the places asked for)"],
            id="outside a region",
        ),
        pytest.param(
            {"countries": ["IN", "PH"]},
            ["PH"],
            1.0,
            ["delivers from Philippines"],
            id="in a country",
        ),
        pytest.param(
            {"countries": ["Latin America"]},
            ["IN", "CO"],
            1.0,
            ["delivers from Colombia; also India"],
            id="one delivery country inside is enough",
        ),
        pytest.param(
            {"countries": ["Latin America"], "client_country": "US"},
            ["IN"],
            0.0,
            ["delivers from India (outside the places asked for, offshore for United States"],
            id="outside the places, with a client",
        ),
        pytest.param(
            {"client_country": "US", "delivery": ["onshore"]},
            ["US"],
            1.0,
            ["onshore for United States", "8 of 8 working hours shared"],
            id="onshore",
        ),
        pytest.param(
            {"client_country": "US", "delivery": ["nearshore"]},
            ["MX"],
            1.0,
            ["nearshore for United States", "8 of 8 working hours shared"],
            id="nearshore",
        ),
        pytest.param(
            {"client_country": "US", "delivery": ["nearshore"]},
            ["IN"],
            0.0,
            ["offshore for United States", "0 of 8 working hours shared"],
            id="offshore when nearshore is asked for",
        ),
        pytest.param(
            {"client_country": "US", "delivery": ["offshore"]},
            ["PL"],
            0.625,
            ["offshore for United States", "2 of 8 working hours shared"],
            id="offshore asked for, few shared hours",
        ),
        pytest.param(
            {"client_country": "GB"},
            ["PL"],
            0.875,
            ["nearshore for United Kingdom", "7 of 8 working hours shared"],
            id="shared working hours alone",
        ),
    ],
)
def test_geography_scores_where_the_vendor_delivers_from(
    profile: dict[str, Any], countries: list[str], score: float, says: list[str]
) -> None:
    factor = judge(
        requirement(skills=["xyz"], **profile), vendor(delivery_countries=countries), "geography"
    )
    assert factor.score == pytest.approx(score)
    for fact in says:
        assert fact in factor.reason


def test_shared_working_hours_are_stated_to_the_half_hour() -> None:
    factor = judge(
        requirement(skills=["xyz"], client_country="GB"),
        vendor(delivery_countries=["IN"]),
        "geography",
    )
    assert factor.score == pytest.approx(2.5 / 8, abs=1e-3)
    assert "2.5 of 8 working hours shared" in factor.reason


def test_excluded_countries_exclude_a_vendor_even_inside_the_places_asked_for() -> None:
    profile = requirement(skills=["xyz"], countries=["South Asia"], exclude_countries=["IN"])
    result = fit_of(profile, [vendor(delivery_countries=["IN"])], "acme-bpo")
    assert result.rank is None
    [exclusion] = result.excluded_by
    assert exclusion.constraint == "geography"
    assert "delivers only from excluded countries" in exclusion.reason
    assert re.search(r"\b(IN|India)\b", exclusion.reason)


def test_excluded_countries_leave_in_a_vendor_that_also_delivers_elsewhere() -> None:
    profile = requirement(skills=["xyz"], exclude_countries=["IN"])
    assert fit_of(profile, [vendor(delivery_countries=["IN", "PH"])], "acme-bpo").rank == 1


def test_excluded_countries_exclude_a_vendor_that_does_not_say_where_it_delivers() -> None:
    profile = requirement(skills=["xyz"], exclude_countries=["IN"])
    result = fit_of(profile, [vendor(delivery_countries=[])], "acme-bpo")
    assert result.rank is None
    assert "delivery countries not listed" in result.excluded_by[0].reason


def test_unlisted_delivery_countries_are_neutral_and_unknown() -> None:
    profile = requirement(skills=["xyz"], client_country="US", delivery=["nearshore"])
    catalog = [vendor("nowhere", delivery_countries=[]), vendor("somewhere")]
    assert_unknown(
        fit_of(profile, catalog, "nowhere"), "geography", "delivery countries not listed"
    )


def test_geography_is_unknown_not_a_crash_when_no_vendor_lists_delivery_countries() -> None:
    profile = requirement(skills=["xyz"], client_country="US")
    result = fit_of(profile, [vendor("nowhere", delivery_countries=[])], "nowhere")
    assert_unknown(result, "geography", "delivery countries not listed")


@pytest.mark.parametrize(
    ("budget", "rates", "score", "says"),
    [
        pytest.param(
            20, (9, 14, "USD"), 1.0, "rate 9–14 USD/h, within the 20 USD/h budget", id="within"
        ),
        pytest.param(
            20, (20, None, "USD"), 1.0, "rate 20 USD/h, within the 20 USD/h budget", id="at"
        ),
        pytest.param(
            20,
            (15, 25, "USD"),
            0.875,
            "rate 15–25 USD/h: the lower end fits the 20 USD/h budget",
            id="partly within",
        ),
        pytest.param(
            20,
            (25, 30, "USD"),
            0.375,
            "rate 25–30 USD/h, 25% above the 20 USD/h budget",
            id="above, scored by closeness",
        ),
        pytest.param(
            20,
            (40, 50, "USD"),
            0.0,
            "rate 40–50 USD/h, 100% above the 20 USD/h budget",
            id="far above",
        ),
        pytest.param(
            20,
            (16, 18, "EUR"),
            1.0,
            "rate 16–18 EUR/h (about 17–20 USD), within the 20 USD/h budget",
            id="euro rates within a dollar budget",
        ),
        pytest.param(
            20,
            (23, 27, "EUR"),
            0.375,
            "rate 23–27 EUR/h (about 25–29 USD), 25% above the 20 USD/h budget",
            id="euro rates above a dollar budget",
        ),
        pytest.param(
            (20, "EUR"),
            (9, 14, "USD"),
            1.0,
            "rate 9–14 USD/h (about 8–13 EUR), within the 20 EUR/h budget",
            id="dollar rates within a euro budget",
        ),
    ],
)
def test_budget_scores_the_vendors_rates_against_the_budget(
    budget: Any, rates: tuple[float, float | None, str], score: float, says: str
) -> None:
    low, high, currency = rates
    one = vendor(rate_min=low, rate_max=high, currency=currency)
    factor = judge(requirement(skills=["xyz"], budget=budget), one, "budget")
    assert factor.score == pytest.approx(score)
    assert factor.reason == says


def test_a_rate_just_above_the_budget_is_not_said_to_be_0_percent_above_it() -> None:
    profile = requirement(skills=["xyz"], budget=20, hard_constraints=["budget"])
    result = fit_of(profile, [vendor(rate_min=20.05, rate_max=22)], "acme-bpo")
    [exclusion] = result.excluded_by
    assert "0% above" not in exclusion.reason


def test_unlisted_rates_are_neutral_and_unknown() -> None:
    one = vendor(rate_min=None, rate_max=None)
    assert_unknown(
        fit_of(requirement(skills=["xyz"], budget=20), [one], one.id), "budget", "rates not listed"
    )


def test_rates_in_a_currency_without_an_exchange_rate_are_unknown_and_say_so() -> None:
    one = vendor(rate_min=150, rate_max=200, currency="ZMW")
    result = fit_of(requirement(skills=["xyz"], budget=20), [one], one.id)
    assert_unknown(result, "budget", "rates in ZMW, for which no exchange rate is known")


@pytest.mark.parametrize(
    ("needed", "spoken", "score", "says"),
    [
        (["es"], ["es", "en"], 1.0, "speaks Spanish"),
        (["es", "pt"], ["es", "en"], 0.5, "speaks Spanish; not Portuguese"),
        (["de"], ["en"], 0.0, "not German"),
    ],
)
def test_languages_score_the_share_of_the_languages_needed_that_the_vendor_speaks(
    needed: list[str], spoken: list[str], score: float, says: str
) -> None:
    factor = judge(
        requirement(skills=["xyz"], languages=needed), vendor(languages=spoken), "languages"
    )
    assert factor.score == pytest.approx(score)
    assert factor.reason == says


def test_unlisted_languages_are_neutral_and_unknown() -> None:
    one = vendor(languages=[])
    result = fit_of(requirement(skills=["xyz"], languages=["es"]), [one], one.id)
    assert_unknown(result, "languages", "languages not listed")


@pytest.mark.parametrize(
    ("needed", "held", "score", "says"),
    [
        (["SOC 2 Type II"], ["SOC 2"], 1.0, "has SOC 2"),
        (["SOC 2"], ["SOC2 Type 2"], 1.0, "has SOC 2"),
        (["ISO 27001"], ["ISO/IEC 27001:2022"], 1.0, "has ISO/IEC 27001"),
        (["ISO 27001", "PCI DSS"], ["ISO27001"], 0.5, "has ISO/IEC 27001; lacks PCI DSS"),
        (["HIPAA"], ["ISO 9001"], 0.0, "lacks HIPAA"),
        (["Acme Gold Seal"], ["acme gold seal"], 1.0, "has Acme Gold Seal"),
    ],
)
def test_certifications_are_matched_through_their_aliases(
    needed: list[str], held: list[str], score: float, says: str
) -> None:
    factor = judge(
        requirement(skills=["xyz"], certifications=needed),
        vendor(certifications=held),
        "certifications",
    )
    assert factor.score == pytest.approx(score)
    assert factor.reason == says


def test_unlisted_certifications_are_neutral_and_unknown() -> None:
    one = vendor(certifications=[])
    result = fit_of(requirement(skills=["xyz"], certifications=["PCI DSS"]), [one], one.id)
    assert_unknown(result, "certifications", "certifications not listed")


@pytest.mark.parametrize(
    ("needed", "held", "score", "says"),
    [
        (["CFA"], ["CFA charterholder"], 1.0, "has Chartered Financial Analyst (CFA)"),
        (["CFA"], ["CFA Level II"], 0.5, "related to Chartered Financial Analyst (CFA)"),
        (
            ["CFA", "CPA"],
            ["CFA", "ACCA"],
            0.75,
            "has Chartered Financial Analyst (CFA); related to Certified Public Accountant (CPA)",
        ),
        (["LLB"], ["MBA"], 0.0, "lacks Bachelor of Laws (LLB)"),
    ],
)
def test_qualifications_count_related_qualifications_half(
    needed: list[str], held: list[str], score: float, says: str
) -> None:
    factor = judge(
        requirement(skills=["xyz"], qualifications=needed),
        vendor(qualifications=held),
        "qualifications",
    )
    assert factor.score == pytest.approx(score)
    assert factor.reason == says


def test_unlisted_qualifications_are_neutral_and_unknown() -> None:
    one = vendor(qualifications=[])
    result = fit_of(requirement(skills=["xyz"], qualifications=["CFA"]), [one], one.id)
    assert_unknown(result, "qualifications", "qualifications not listed")


@pytest.mark.parametrize(
    ("team", "headcount", "score", "says"),
    [
        (10, 10, 0.6, "10 delivery staff for a team of 10 (1x)"),
        (10, 15, 0.65, "15 delivery staff for a team of 10 (1.5x)"),
        (10, 30, 0.8, "30 delivery staff for a team of 10 (3x)"),
        (10, 50, 1.0, "50 delivery staff for a team of 10 (5x)"),
        (10, 500, 1.0, "500 delivery staff for a team of 10 (50x)"),
        (10, 5, 0.3, "only 5 delivery staff for a team of 10"),
        (10, 0, 0.0, "only 0 delivery staff for a team of 10"),
    ],
)
def test_capacity_scores_headcount_against_the_team_size(
    team: int, headcount: int, score: float, says: str
) -> None:
    factor = judge(
        requirement(skills=["xyz"], team_size=team), vendor(headcount=headcount), "capacity"
    )
    assert factor.score == pytest.approx(score)
    assert factor.reason == says


def test_unlisted_headcount_is_neutral_and_unknown() -> None:
    one = vendor(headcount=None)
    result = fit_of(requirement(skills=["xyz"], team_size=10), [one], one.id)
    assert_unknown(result, "capacity", "headcount not listed")


@pytest.mark.parametrize(
    ("industry", "served", "score", "says"),
    [
        ("Banking", ["Banking"], 1.0, "serves Banking"),
        ("banks", ["retail banking"], 1.0, "serves Banking"),
        ("Banking", ["Insurance"], 0.5, "serves the related Banking"),
        ("Banking", ["Retail"], 0.0, "does not serve Banking"),
    ],
)
def test_industry_counts_a_related_industry_half(
    industry: str, served: list[str], score: float, says: str
) -> None:
    factor = judge(
        requirement(skills=["xyz"], industry=industry), vendor(industries=served), "industry"
    )
    assert factor.score == pytest.approx(score)
    assert factor.reason == says


def test_unlisted_industries_are_neutral_and_unknown() -> None:
    one = vendor(industries=[])
    result = fit_of(requirement(skills=["xyz"], industry="Banking"), [one], one.id)
    assert_unknown(result, "industry", "industries not listed")


@pytest.mark.parametrize(
    ("rating", "reviews", "score", "says"),
    [
        (
            4.8,
            200,
            0.950,
            "rated 4.8 from 200 reviews, self-stated (4.75 once weighted for how many)",
        ),
        (
            5.0,
            1,
            0.782,
            "rated 5.0 from 1 review, self-stated (3.91 once weighted for how many, under the 4.0 "
            "of a good record)",
        ),
        (
            3.0,
            100,
            0.615,
            "rated 3.0 from 100 reviews, self-stated (3.07 once weighted for how many, under the "
            "4.0 of a good record)",
        ),
    ],
)
def test_track_record_shrinks_a_rating_toward_the_prior_when_reviews_are_few(
    rating: float, reviews: int, score: float, says: str
) -> None:
    one = vendor(rating=rating, review_count=reviews)
    factor = judge(requirement(skills=["xyz"]), one, "track_record")
    assert factor.score == pytest.approx(score, abs=1e-3)
    assert factor.reason == says


def test_verified_outcomes_come_before_the_vendors_own_rating_and_the_reason_says_so() -> None:
    # Two delivered outcomes rated 3.0, pulled toward 3.8 as if 3 more: (6 + 11.4) / 5 = 3.48.
    rated = vendor(rating=4.8, review_count=200, verified_count=2, verified_rating=3.0)
    factor = judge(requirement(skills=["xyz"]), rated, "track_record")
    assert factor.score == pytest.approx(3.48 / 5, abs=1e-3)
    assert factor.known
    assert factor.reason == (
        "3.0 from 2 verified outcomes (3.48 once weighted for how many, under the 4.0 of a good "
        "record); its own rating (4.8 from 200 reviews) not used"
    )


def test_one_verified_outcome_gives_a_vendor_without_reviews_a_track_record() -> None:
    # (5.0 + 3 x 3.8) / 4 = 4.1: known, and a good record as a hard constraint.
    fresh = vendor(rating=None, review_count=None, verified_count=1, verified_rating=5.0)
    profile = requirement(skills=["xyz"], hard_constraints=["track_record"])
    factor = judge(profile, fresh, "track_record")
    assert factor.score == pytest.approx(4.1 / 5, abs=1e-3)
    assert factor.reason == "5.0 from 1 verified outcome (4.10 once weighted for how many)"
    assert fit_of(profile, [fresh], fresh.id).excluded_by == ()


def test_a_vendor_excluded_for_its_rating_is_not_shown_a_rating_that_meets_the_bar() -> None:
    profile = requirement(skills=["xyz"], hard_constraints=["track_record"])
    result = fit_of(profile, [vendor(rating=4.9, review_count=2)], "acme-bpo")
    [exclusion] = result.excluded_by
    shown = re.search(r"\((\d\.\d+) once weighted", exclusion.reason)
    assert shown is not None
    assert float(shown[1]) < 4.0


def test_a_perfect_rating_from_one_review_scores_below_a_good_rating_from_many() -> None:
    lucky = vendor("lucky", rating=5.0, review_count=1)
    proven = vendor("proven", rating=4.5, review_count=120)
    profile = requirement(skills=["xyz"])
    assert (
        judge(profile, proven, "track_record").score > judge(profile, lucky, "track_record").score
    )


@pytest.mark.parametrize(
    ("rating", "reviews", "says"),
    [
        (None, None, "no client rating yet"),
        (None, 12, "no client rating yet"),
        (4.5, 0, "no client rating yet"),
        (4.5, None, "the number of reviews is not listed"),
    ],
)
def test_a_rating_is_unknown_unless_both_rating_and_reviews_are_given(
    rating: float | None, reviews: int | None, says: str
) -> None:
    one = vendor(rating=rating, review_count=reviews)
    assert_unknown(fit_of(requirement(skills=["xyz"]), [one], one.id), "track_record", says)


def test_a_vendor_that_lists_nothing_has_only_gaps_and_no_reasons() -> None:
    bare = vendor(
        "bare",
        tags=["BPO", "KPO"],
        services=[],
        delivery_countries=[],
        languages=[],
        rate_min=None,
        rate_max=None,
        headcount=None,
        certifications=[],
        qualifications=[],
        industries=[],
        rating=None,
        review_count=None,
    )
    profile = requirement(
        skills=["customer support"],
        engagement_model="any",
        client_country="US",
        languages=["es"],
        budget=20,
        team_size=10,
        certifications=["PCI DSS"],
        qualifications=["CFA"],
        industry="Banking",
    )
    result = fit_of(profile, [bare, vendor()], "bare")
    assert result.reasons == ()
    assert len(result.gaps) == len(result.factors) == 9
    assert all(not factor.known and factor.score == 0.5 for factor in result.factors)


def test_an_excluded_country_counts_for_nothing_in_the_geography_score() -> None:
    profile = requirement(skills=["xyz"], client_country="US", exclude_countries=["MX"])
    factor = judge(profile, vendor(delivery_countries=["MX", "IN"]), "geography")
    assert factor.score == pytest.approx(0.0)
    assert factor.reason.startswith("delivers from India")


def test_one_country_must_meet_every_geography_rule_at_once() -> None:
    profile = requirement(
        skills=["xyz"],
        countries=["RO"],
        client_country="US",
        delivery=["nearshore"],
        hard_constraints=["geography"],
    )
    result = fit_of(profile, [vendor(delivery_countries=["BR", "RO"])], "acme-bpo")
    assert result.rank is None
    assert [exclusion.constraint for exclusion in result.excluded_by] == ["geography"]
