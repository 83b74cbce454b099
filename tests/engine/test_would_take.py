"""What it would take: the single record changes that bring a vendor in, worked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.engine.fit import fit
from matcher.engine.index import build_index
from matcher.engine.model import RecordChange
from matcher.engine.rank import evaluate
from matcher.matching import vendor_row
from tests.engine.builders import fit_of, knowledge, reading, requirement, vendor
from vendors.synthetic import generate_records

QUIET = {"engagement_model": 0, "track_record": 0}


def changes(items: tuple[RecordChange, ...]) -> list[tuple[object, ...]]:
    return [(item.field, item.add, item.at_most, item.at_least, item.rank) for item in items]


def test_a_missing_certification_or_language_is_what_it_would_take() -> None:
    # A quarter each. Leader: no SOC 2 (0), rate band 9-24 reaching over the 20 budget
    # (0.75 + 0.25 x 11/15): 25 + 23.3 + 25 + 0 = 73.3. Target: no SOC 2, speaks German only,
    # within budget: 25 + 25 + 0 + 0 = 50; SOC 2 or English makes it 75, ahead of 73.3.
    profile = requirement(
        skills=("customer support",),
        budget=20,
        languages=("en",),
        certifications=("SOC 2",),
        weights={**QUIET, "skills": 1, "budget": 1, "languages": 1, "certifications": 1},
        limit=1,
    )
    catalog = [
        vendor("leader", rate_max=24.0, languages=("en",)),
        vendor("target", languages=("de",)),
    ]
    result = fit_of(profile, catalog, "target")

    assert result.rank == 2
    assert changes(result.would_take) == [
        ("certifications", "SOC 2", None, None, 1),
        ("languages", "en", None, None, 1),
    ]
    assert [item.score for item in result.would_take] == [75.0, 75.0]
    assert result.would_take[0].reason == "#1 (75.0) holding SOC 2"
    assert result.would_take[1].reason == "#1 (75.0) speaking English"


def test_what_it_would_take_is_searched_only_when_asked_for() -> None:
    profile = requirement(skills=("customer support",), languages=("es",), limit=1)
    # Speaking Spanish, "alpha" would tie with the leader and come first by id.
    catalog = [vendor("leader", languages=("es",)), vendor("alpha")]
    index = build_index(catalog, knowledge())
    row = index.position("alpha")
    assert row is not None
    asked = fit(reading(profile), index, knowledge(), row)
    plain = fit(reading(profile), index, knowledge(), row, what_it_would_take=False)
    assert asked.would_take
    assert plain.would_take == ()
    assert (plain.rank, plain.score) == (asked.rank, asked.score)


def test_the_rates_it_would_take_are_the_highest_that_are_enough() -> None:
    # Budget half, skills and languages a quarter each. Leader: within budget, languages not
    # listed: 50 + 25 + 12.5 = 87.5. Target: 25-30 USD/h, 25% over a 20 budget (0.375):
    # 18.75 + 25 + 25 = 68.75.
    profile = requirement(
        skills=("customer support",),
        budget=20,
        languages=("en",),
        weights={**QUIET, "skills": 1, "budget": 2, "languages": 1},
        limit=1,
    )
    catalog = [
        vendor("leader", languages=()),
        vendor("target", rate_min=25.0, rate_max=30.0, languages=("de", "en")),
    ]
    taken = fit_of(profile, catalog, "target").would_take

    # The whole band at 20 scores 1 (100); at 20.1 the lowest rate is over budget (87.1).
    # The lowest rate alone at 19.9 with 30 kept: 0.75 + 0.25 x 0.1/10.1, so 87.6 > 87.5;
    # at 20 it is exactly 0.75, a tie the leader's id wins.
    assert changes(taken) == [
        ("rate_max", None, 20.0, None, 1),
        ("rate_min", None, 19.9, None, 1),
    ]
    assert [item.score for item in taken] == [100.0, 87.6]
    assert taken[0].currency == "USD"
    assert taken[1].reason == "#1 (87.6) with its lowest rate at most 19.9 USD/h"


def test_the_headcount_it_would_take_is_the_smallest_that_is_enough() -> None:
    # Capacity and skills half each, a team of 100. Leader: 300 staff (3x: 0.8), 90.
    # Target: 50 staff (0.3), 65. At 300 it ties and the leader's id wins; 301 is enough.
    profile = requirement(
        skills=("customer support",),
        team_size=100,
        weights={**QUIET, "skills": 1, "capacity": 1},
        limit=1,
    )
    catalog = [vendor("leader", headcount=300), vendor("target", headcount=50)]
    [change] = fit_of(profile, catalog, "target").would_take

    assert (change.field, change.at_least, change.rank) == ("headcount", 301, 1)
    assert change.score == pytest.approx(90.05, abs=0.06)
    assert change.reason.endswith("with at least 301 delivery staff")


def test_an_excluded_vendor_is_told_the_delivery_country_that_lets_it_in() -> None:
    profile = requirement(
        skills=("customer support",), countries=("MX",), hard_constraints=("geography",), limit=1
    )
    catalog = [vendor("manila"), vendor("mexico", delivery_countries=("MX",))]
    result = fit_of(profile, catalog, "manila")

    assert result.rank is None
    assert [(item.field, item.add, item.rank) for item in result.would_take] == [
        ("delivery_countries", "MX", 1)
    ]
    # Once it delivers from Mexico, its record is the Mexican vendor's: the same score.
    same = fit_of(profile, catalog, "mexico").score
    assert result.would_take[0].reason == f"#1 ({same:.1f}) delivering from Mexico"


def test_nothing_is_offered_when_it_is_already_in_or_no_single_change_is_enough() -> None:
    profile = requirement(
        skills=("customer support",),
        languages=("es",),
        certifications=("SOC 2",),
        hard_constraints=("languages", "certifications"),
        limit=1,
    )
    catalog = [vendor("speaker", languages=("es",), certifications=("SOC 2",)), vendor("lacking")]
    assert fit_of(profile, catalog, "speaker").would_take == ()
    # It lacks both Spanish and SOC 2, both hard constraints: one change alone leaves it out.
    lacking = fit_of(profile, catalog, "lacking")
    assert lacking.rank is None
    assert lacking.would_take == ()


def test_a_vendor_scores_alone_as_it_scores_in_the_catalog() -> None:
    # What it would take re-scores a changed record on its own: that is only sound if no
    # factor's score for a vendor depends on the rest of the catalog.
    catalog = [vendor_row(record) for record in generate_records(200, seed=4)]
    profile = requirement(
        skills=("customer support", "financial modelling"),
        languages=("en",),
        client_country="US",
        delivery=("nearshore", "offshore"),
        budget=18,
        team_size=40,
        certifications=("ISO 27001",),
        qualifications=("CFA",),
        industry="Retail",
    )
    understood = reading(profile)
    whole = evaluate(understood, build_index(catalog, knowledge()), knowledge())
    for row in range(0, 200, 7):
        alone = evaluate(understood, build_index([catalog[row]], knowledge()), knowledge())
        for name, factor in whole.factors.items():
            assert alone.factors[name].score[0] == pytest.approx(float(factor.score[row])), name
        assert bool(alone.allowed[0]) == bool(whole.allowed[row])
        assert np.isclose(alone.total[0], whole.total[row])
