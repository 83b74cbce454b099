"""The shortlist options anchors have: a lowest score, and at most so many per country."""

from __future__ import annotations

from dataclasses import replace

from matcher.engine.model import Ranking
from tests.engine.builders import ranking, requirement, vendor

# Skills a quarter, budget a quarter, languages half; nothing else weighs. Every fact known
# scores 100; rates unknown 87.5; languages unknown 75; both unknown 62.5.
EVEN = {"engagement_model": 0, "track_record": 0, "skills": 1, "budget": 1, "languages": 2}
PROFILE = requirement(
    skills=("customer support",), budget=20, languages=("en",), weights=EVEN, limit=3
)
NO_RATES = {"rate_min": None, "rate_max": None}


def ids(result: Ranking) -> list[str]:
    return [item.vendor_id for item in result.results]


def test_min_score_leaves_out_lower_scores_and_counts_them() -> None:
    catalog = [
        vendor("known"),
        vendor("no-rates", **NO_RATES),
        vendor("thin", **NO_RATES, languages=()),
    ]
    assert ids(ranking(PROFILE, catalog)) == ["known", "no-rates", "thin"]

    cut = ranking(replace(PROFILE, min_score=80), catalog)
    assert ids(cut) == ["known", "no-rates"]
    assert cut.below_min_score == 1
    assert cut.excluded == 1


def test_a_score_equal_to_min_score_is_shown() -> None:
    catalog = [vendor("known"), vendor("no-rates", **NO_RATES)]
    result = ranking(replace(PROFILE, min_score=87.5), catalog)
    assert ids(result) == ["known", "no-rates"]
    assert result.below_min_score == 0


def test_min_score_and_min_confidence_count_their_own_cuts() -> None:
    catalog = [
        vendor("known"),
        vendor("no-rates", **NO_RATES),
        vendor("thin", **NO_RATES, languages=()),
    ]
    # Thin rests on a quarter of known data; no-rates is known enough but scores 87.5.
    result = ranking(replace(PROFILE, min_confidence=0.75, min_score=90), catalog)
    assert ids(result) == ["known"]
    assert (result.below_confidence, result.below_min_score) == (1, 1)


def test_max_per_country_spreads_the_shortlist_and_names_who_it_passed_over() -> None:
    catalog = [
        vendor("ph-a"),
        vendor("ph-b", **NO_RATES),
        vendor("ph-c", **NO_RATES, languages=()),
        vendor("in-a", delivery_countries=("IN",), languages=()),
        vendor("mx-a", delivery_countries=("MX",), **NO_RATES, languages=()),
    ]
    # Without a cap: ph-a 100, ph-b 87.5, in-a 75; ph-c and mx-a 62.5 behind.
    assert ids(ranking(PROFILE, catalog)) == ["ph-a", "ph-b", "in-a"]

    spread = ranking(replace(PROFILE, max_per_country=1), catalog)
    assert ids(spread) == ["ph-a", "in-a", "mx-a"]
    assert [item.rank for item in spread.results] == [1, 2, 3]
    # Only ph-b was in the plain top three; ph-c was not, so it was not passed over.
    assert [
        (item.vendor_id, item.rank, item.score, item.country) for item in spread.passed_over
    ] == [("ph-b", 2, 87.5, "PH")]
    assert spread.passed_over[0].reason == "1 vendor delivering best from Philippines already shown"

    two = ranking(replace(PROFILE, max_per_country=2), catalog)
    assert ids(two) == ["ph-a", "ph-b", "in-a"]
    assert two.passed_over == ()


def test_the_cap_groups_a_vendor_by_its_best_delivery_country_not_its_first() -> None:
    catalog = [
        vendor("india", delivery_countries=("IN",)),
        vendor("both", delivery_countries=("PH", "IN"), **NO_RATES),
        vendor("manila", delivery_countries=("PH",), languages=()),
    ]
    # Asked for India (not as a hard constraint): "both" is judged by its Indian centre.
    in_india = replace(
        requirement(
            skills=("customer support",),
            budget=20,
            languages=("en",),
            countries=("IN",),
            weights={**EVEN, "geography": 1},
            limit=2,
        ),
        max_per_country=1,
    )
    result = ranking(in_india, catalog)
    assert ids(result) == ["india", "manila"]
    assert [(item.vendor_id, item.country) for item in result.passed_over] == [("both", "IN")]

    # With geography not in play, a vendor's first listed country is its best.
    anywhere = ranking(replace(PROFILE, limit=2, max_per_country=1), catalog)
    assert ids(anywhere) == ["india", "both"]


def test_a_vendor_listing_no_country_is_never_held_back_by_the_cap() -> None:
    catalog = [
        vendor("ph-a"),
        vendor("ph-b"),
        vendor("nowhere-a", delivery_countries=(), **NO_RATES),
        vendor("nowhere-b", delivery_countries=(), **NO_RATES),
    ]
    result = ranking(replace(PROFILE, limit=4, max_per_country=1), catalog)
    assert ids(result) == ["ph-a", "nowhere-a", "nowhere-b"]
    assert [item.vendor_id for item in result.passed_over] == ["ph-b"]


def test_the_cap_reads_deep_into_the_ranking_when_one_country_fills_the_top() -> None:
    # Forty Philippine vendors ahead of one Indian vendor: the cap must reach past them all.
    catalog = [vendor(f"ph-{n:02d}") for n in range(40)]
    catalog.append(vendor("in-last", delivery_countries=("IN",), **NO_RATES, languages=()))
    result = ranking(replace(PROFILE, limit=2, max_per_country=1), catalog)
    assert ids(result) == ["ph-00", "in-last"]
    assert [item.vendor_id for item in result.passed_over] == ["ph-01"]
