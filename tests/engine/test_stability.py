"""How stable a place is: whether it holds under every ±20% change to one weight, worked by hand."""

from __future__ import annotations

from dataclasses import replace

import pytest

from matcher.matching import vendor_row
from tests.engine.builders import fit_of, ranking, requirement, vendor
from vendors.synthetic import generate_records

# Budget 55% and languages 45% of the score; nothing else weighs.
WEIGHTS = {"engagement_model": 0, "track_record": 0, "skills": 0, "budget": 11, "languages": 9}
PROFILE = requirement(
    skills=("customer support",), budget=20, languages=("en",), weights=WEIGHTS, limit=1
)
# Within budget, languages unknown (0.5): 55 + 22.5 = 77.5.
PRICED = vendor("priced", languages=())
# Rates unknown (0.5), speaks English: 27.5 + 45 = 72.5.
SPEAKER = vendor("speaker", rate_min=None, rate_max=None, languages=("en",))
# Over budget by far and no English: far behind, whatever the weights.
FAR = vendor("far", rate_min=80.0, rate_max=95.0, languages=("de",))
CATALOG = [PRICED, SPEAKER, FAR]


def test_the_leader_drops_when_budget_weighs_20_percent_less() -> None:
    # Budget at 0.44/0.89 and languages at 0.45/0.89: priced 74.7, speaker 75.3.
    result = ranking(PROFILE, CATALOG)
    leader = result.results[0]

    assert leader.vendor_id == "priced"
    assert leader.score == pytest.approx(77.5, abs=0.1)
    assert leader.stability is not None
    assert leader.stability.stable is False
    assert [(move.weight, move.change, move.rank) for move in leader.stability.moves] == [
        ("budget", -0.2, 2)
    ]
    assert leader.stability.moves[0].reason == "drops to #2 if budget weighs 20% less"
    # Languages weighing 20% more is not enough: priced 75.2, speaker 74.8.
    assert result.stable == 0


def test_a_vendor_outside_the_top_says_which_change_would_bring_it_in() -> None:
    result = fit_of(PROFILE, CATALOG, "speaker")

    assert result.rank == 2
    assert result.stability is not None
    assert result.stability.stable is False
    assert [(move.weight, move.change, move.rank) for move in result.stability.moves] == [
        ("budget", -0.2, 1)
    ]
    assert result.stability.moves[0].reason == "rises to #1 if budget weighs 20% less"


def test_a_clear_lead_is_stable_under_every_change() -> None:
    # Against the far vendor alone the lead is far beyond any ±20% change.
    result = ranking(PROFILE, [PRICED, FAR])

    assert result.results[0].stability is not None
    assert result.results[0].stability.stable is True
    assert result.results[0].stability.moves == ()
    assert result.stable == 1


def test_when_every_vendor_fits_in_the_limit_every_place_is_stable() -> None:
    result = ranking(replace(PROFILE, limit=3), CATALOG)

    assert result.stable == 3
    assert all(item.stability is not None and item.stability.stable for item in result.results)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_verdict_matches_the_catalog_ranked_again_under_each_change(seed: int) -> None:
    # The oracle: rank the whole catalog again with one weight 20% up or down, as a user would.
    catalog = [vendor_row(record) for record in generate_records(300, seed=seed)]
    profile = requirement(
        skills=("customer support", "data entry"),
        languages=("en",),
        client_country="US",
        budget=15,
        team_size=50,
        certifications=("ISO 27001",),
        limit=8,
    )
    result = ranking(profile, catalog)
    weights = {item.name: item.weight for item in result.results[0].factors}
    shown = {item.vendor_id: item for item in result.results}
    for name in weights:
        for change in (0.2, -0.2):
            changed = {**weights, name: weights[name] * (1 + change)}
            again = ranking(replace(profile, weights=tuple(sorted(changed.items()))), catalog)
            places = {item.vendor_id: item.rank for item in again.results}
            for vendor_id, item in shown.items():
                assert item.stability is not None
                moved = {(move.weight, move.change): move.rank for move in item.stability.moves}
                if vendor_id in places:
                    assert (name, change) not in moved, (vendor_id, name, change)
                else:
                    assert (name, change) in moved, (vendor_id, name, change)
                    assert moved[(name, change)] > profile.limit
