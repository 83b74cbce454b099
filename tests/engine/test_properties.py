"""Properties that hold for any small catalog and any requirement, checked with hypothesis."""

from __future__ import annotations

from dataclasses import replace
from typing import TypeVar

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from matcher.engine.factors import FACTORS
from matcher.engine.factors.people import GOOD_RATING, PRIOR_RATING, PRIOR_REVIEWS
from matcher.engine.fit import fit
from matcher.engine.geography import delivery_class, expand_places
from matcher.engine.index import build_index
from matcher.engine.judging import clock, load_judging
from matcher.engine.model import (
    DELIVERY_MODELS,
    Budget,
    RankedVendor,
    Ranking,
    Requirement,
    VendorRow,
)
from matcher.engine.rank import evaluate, rank
from tests.engine.builders import applied, factor_of, knowledge, loosened, reading
from tests.engine.reference import reference_rank, reference_scores

# Vendors' own wording: taxonomy names and aliases, a category, German, misspellings (two of
# one service), and free text.
SERVICES = (
    "Customer support",
    "customer service",
    "Inbound call centre",
    "Complaint handling",
    "Data entry",
    "data entery",
    "data entyr",
    "Data processing",
    "Equity research",
    "financial modeling",
    "LPO",
    "Rechtsrecherche",
    "Payroll processing",
    "Bespoke widget wrangling",
    "widget wrangling services",
)
EXACT_SERVICES = ("Customer support", "Data entry", "Equity research", "Payroll processing")
SKILLS = (
    "customer support",
    "data entry",
    "data entery",
    "CX",
    "F&A",
    "LPO",
    "equity research",
    "legal research",
    "payroll",
    "widget wrangling",
    "data",
)
DESCRIPTIONS = (
    "Scripted high-volume data entry, 24/7",
    "Expert equity research and valuation by qualified analysts",
    "Juristische Recherche für eine Kanzlei",
)
COUNTRIES = ("PH", "IN", "CO", "MX", "PL", "US", "DE", "GB")
PLACES = ("Latin America", "Eastern Europe", "South Asia", "PH", "US")
LANGUAGES = ("en", "es", "de", "pl")
CURRENCIES = ("USD", "USD", "EUR", "GBP", "ZMW")  # ZMW has no exchange rate
CERTIFICATIONS = ("ISO 27001", "SOC 2 Type II", "PCI DSS", "Acme Gold Seal")
QUALIFICATIONS = ("CFA", "CFA Level II", "CPA", "ACCA", "MBA")
INDUSTRIES = ("Banking", "Insurance", "Retail", "Healthcare")
BUDGETS = (8.0, 15.0, 25.0, 60.0)
WEIGHTS = (0.0, 0.5, 2.0, 10.0)
IDS = ("delta", "alpha", "echo", "bravo", "foxtrot", "charlie", "golf")

PROPERTY = settings(max_examples=50, deadline=None)
# The engine is held to the plain loop on more examples than the other properties need.
YARDSTICK = settings(max_examples=100, deadline=None)
T = TypeVar("T")


def some(values: tuple[str, ...], most: int = 3) -> st.SearchStrategy[tuple[str, ...]]:
    """Draw a few distinct values, in any order."""
    return st.lists(st.sampled_from(values), unique=True, max_size=most).map(tuple)


def maybe(values: tuple[T, ...]) -> st.SearchStrategy[T | None]:
    """Draw one of the values, or None (unknown) as often as any one of them."""
    return st.sampled_from((None, *values))


@st.composite
def vendors(draw: st.DrawFn, vendor_id: str) -> VendorRow:
    """Draw a vendor, any of whose data may be unknown."""
    rate_min = draw(maybe((5.0, 9.5, 14.0, 20.0, 27.5, 40.0)))
    spread = draw(maybe((0.0, 4.0, 15.0)))
    return VendorRow(
        id=vendor_id,
        name=vendor_id.title(),
        tags=draw(st.sampled_from([("BPO",), ("KPO",), ("BPO", "KPO")])),
        services=draw(some(SERVICES, 4)),
        delivery_countries=draw(some(COUNTRIES)),
        languages=draw(some(LANGUAGES)),
        rate_min=rate_min,
        rate_max=None if rate_min is None or spread is None else rate_min + spread,
        currency=draw(st.sampled_from(CURRENCIES)),
        headcount=draw(maybe((0, 5, 40, 450))),
        certifications=draw(some(CERTIFICATIONS, 2)),
        qualifications=draw(some(QUALIFICATIONS, 2)),
        industries=draw(some(INDUSTRIES, 2)),
        rating=draw(maybe((2.5, 3.8, 4.2, 5.0))),
        review_count=draw(maybe((0, 1, 12, 300))),
    )


@st.composite
def catalogs(draw: st.DrawFn) -> list[VendorRow]:
    """Draw up to seven vendors, some of them twins of the one before under another id."""
    catalog: list[VendorRow] = []
    for vendor_id in draw(st.lists(st.sampled_from(IDS), unique=True, max_size=len(IDS))):
        twin = bool(catalog) and draw(st.booleans()) and draw(st.booleans())
        catalog.append(replace(catalog[-1], id=vendor_id) if twin else draw(vendors(vendor_id)))
    return catalog


@st.composite
def requirements(
    draw: st.DrawFn, *, skills: bool = False, kind: bool = False, budget: bool = False
) -> Requirement:
    """Draw a requirement that asks about any mix of factors."""
    geography = knowledge().geography
    client = draw(maybe(COUNTRIES))
    places = draw(some(PLACES, 2))
    money = draw(st.sampled_from(BUDGETS) if budget else maybe(BUDGETS))
    currency = draw(st.sampled_from(("USD", "EUR", "GBP")))
    weights = draw(st.dictionaries(st.sampled_from(FACTORS), st.sampled_from(WEIGHTS), max_size=2))
    listed = draw(some(SKILLS).filter(bool) if skills else some(SKILLS))
    return Requirement(
        description=draw(maybe(DESCRIPTIONS) if listed else st.sampled_from(DESCRIPTIONS)),
        complexity=draw(maybe((1, 2, 3, 4, 5))),
        engagement_model=draw(
            st.sampled_from(("BPO", "KPO", "any")) if kind else maybe(("BPO", "KPO", "any"))
        ),
        skills=listed,
        preferred_skills=draw(some(SKILLS, 2)),
        client_country=client,
        delivery=draw(some(DELIVERY_MODELS, 2)) if client else (),
        places=expand_places(geography, places) if places else None,
        excluded_places=frozenset(draw(some(COUNTRIES, 2))),
        languages=draw(some(LANGUAGES, 2)),
        budget=None if money is None else Budget(money, currency),
        team_size=draw(maybe((1, 10, 100))),
        certifications=draw(some(CERTIFICATIONS, 2)),
        qualifications=draw(some(QUALIFICATIONS, 2)),
        industry=draw(maybe(INDUSTRIES)),
        hard_constraints=frozenset(draw(some(FACTORS, 4))),
        weights=tuple(sorted(weights.items())),
        limit=draw(st.integers(1, 6)),
    )


def ranked(profile: Requirement, catalog: list[VendorRow]) -> Ranking:
    """Rank a catalog with the vectorised engine."""
    return rank(reading(profile), build_index(catalog, knowledge()), knowledge())


@YARDSTICK
@given(requirements(), catalogs())
def test_the_engine_and_the_plain_loop_agree_on_every_score_and_exclusion(
    profile: Requirement, catalog: list[VendorRow]
) -> None:
    evaluation = evaluate(reading(profile), build_index(catalog, knowledge()), knowledge())
    expected = reference_scores(profile, catalog, knowledge())
    assert [vendor_id for vendor_id, _, _ in expected] == [vendor.id for vendor in catalog]
    for row, (_, score, passes) in enumerate(expected):
        assert float(evaluation.total[row]) == pytest.approx(score, abs=1e-6)
        assert bool(evaluation.allowed[row]) is passes


@YARDSTICK
@given(requirements(), catalogs())
def test_the_engine_ranks_exactly_as_the_plain_loop(
    profile: Requirement, catalog: list[VendorRow]
) -> None:
    ids = [result.vendor_id for result in ranked(profile, catalog).results]
    assert ids == reference_rank(profile, catalog, knowledge())


def satisfies(name: str, result: RankedVendor, vendor: VendorRow, profile: Requirement) -> bool:
    """Say whether a ranked vendor meets one hard constraint, judged from its own data."""
    if name == "engagement_model":
        return reading(profile).engagement.value in vendor.tags
    if name == "budget":
        return within_budget(vendor, profile)
    if name == "languages":
        return set(profile.languages) <= set(vendor.languages)
    if name == "capacity":
        return vendor.headcount is not None and vendor.headcount >= (profile.team_size or 0)
    if name == "geography":
        return delivers_where_asked(vendor, profile)
    if name == "track_record":
        return well_rated(vendor)
    if name == "skills":
        return bool(vendor.services) and "lacks" not in factor_of(result, name).reason
    return factor_of(result, name).score == 1  # every certification, qualification, industry


def within_budget(vendor: VendorRow, profile: Requirement) -> bool:
    """Say whether a vendor's lowest rate, in US dollars, is within the budget."""
    per_usd, budget = knowledge().per_usd, profile.budget
    low = vendor.rate_min if vendor.rate_min is not None else vendor.rate_max
    if budget is None or low is None or vendor.currency not in per_usd:
        return False
    return low / per_usd[vendor.currency] <= budget.max_rate / per_usd[budget.currency] + 1e-9


def delivers_where_asked(vendor: VendorRow, profile: Requirement) -> bool:
    """Say whether a vendor delivers from a place asked for, in a delivery model asked for."""
    countries, client = set(vendor.delivery_countries), profile.client_country
    if not countries or (profile.places is not None and not countries & profile.places):
        return False
    if not profile.delivery or client is None:
        return True
    world = knowledge().geography
    return any(delivery_class(world, client, country) in profile.delivery for country in countries)


def well_rated(vendor: VendorRow) -> bool:
    """Say whether a vendor's rating, weighed with the prior's reviews, is good."""
    if vendor.rating is None or not vendor.review_count:
        return False
    reviews = vendor.review_count
    shrunk = (vendor.rating * reviews + PRIOR_RATING * PRIOR_REVIEWS) / (reviews + PRIOR_REVIEWS)
    return shrunk >= GOOD_RATING


@PROPERTY
@given(requirements(), catalogs())
def test_no_ranked_vendor_violates_a_hard_constraint(
    profile: Requirement, catalog: list[VendorRow]
) -> None:
    by_id = {vendor.id: vendor for vendor in catalog}
    for result in ranked(profile, catalog).results:
        vendor = by_id[result.vendor_id]
        asked = sorted(profile.hard_constraints & {factor.name for factor in result.factors})
        assert [name for name in asked if not satisfies(name, result, vendor, profile)] == []
        if profile.excluded_places:
            assert set(vendor.delivery_countries) - profile.excluded_places
        assert result.excluded_by == ()


@PROPERTY
@given(requirements(), catalogs())
def test_every_results_points_add_up_to_its_score(
    profile: Requirement, catalog: list[VendorRow]
) -> None:
    for result in ranked(profile, catalog).results:
        assert result.score == pytest.approx(sum(f.points for f in result.factors), abs=0.1)
        assert sum(factor.weight for factor in result.factors) == pytest.approx(1.0)


@PROPERTY
@given(requirements(), catalogs())
def test_unknown_data_is_always_a_gap_and_never_a_reason(
    profile: Requirement, catalog: list[VendorRow]
) -> None:
    for result in ranked(profile, catalog).results:
        for factor in result.factors:
            line = f"{factor.name.replace('_', ' ')}: {factor.reason}"
            if not factor.known:
                assert factor.score == 0.5
                assert line in result.gaps
                assert line not in result.reasons


@PROPERTY
@given(requirements(), catalogs())
def test_fit_agrees_with_the_ranking_about_every_vendor(
    profile: Requirement, catalog: list[VendorRow]
) -> None:
    index, read = build_index(catalog, knowledge()), reading(profile)
    answer = rank(read, index, knowledge())
    listed = {result.vendor_id: result for result in answer.results}
    fits = [fit(read, index, knowledge(), row) for row in range(len(catalog))]
    assert sum(result.rank is None for result in fits) == answer.excluded
    for vendor, result in zip(catalog, fits, strict=True):
        if vendor.id in listed:
            assert result == listed[vendor.id]
        elif result.rank is not None:
            assert result.rank > profile.limit
        else:
            assert result.excluded_by


@PROPERTY
@given(requirements(skills=True, kind=True), vendors("alpha"), st.sampled_from(EXACT_SERVICES))
def test_adding_a_skill_the_vendor_offers_never_lowers_its_score(
    profile: Requirement, vendor: VendorRow, offered: str
) -> None:
    vendor = replace(vendor, services=(*vendor.services, offered))
    index = build_index([vendor], knowledge())
    before = evaluate(reading(profile), index, knowledge()).total[0]
    more = replace(profile, skills=(*profile.skills, offered.lower()))
    # Like the kind of work (drawn, not inferred), the work's clock stays the same: a skill
    # that turns shift work into work done with the client's team rightly brings hours back.
    assume(clock(reading(more), load_judging()) == clock(reading(profile), load_judging()))
    after = evaluate(reading(more), index, knowledge()).total[0]
    assert after >= before - 1e-9


@PROPERTY
@given(
    requirements(budget=True),
    catalogs(),
    st.floats(1.0, 10.0),
)
def test_raising_the_budget_never_lowers_a_vendors_budget_score(
    profile: Requirement, catalog: list[VendorRow], factor: float
) -> None:
    assert profile.budget is not None
    richer = replace(
        profile, budget=replace(profile.budget, max_rate=profile.budget.max_rate * factor)
    )
    index = build_index(catalog, knowledge())
    before = evaluate(reading(profile), index, knowledge()).factors["budget"].score
    after = evaluate(reading(richer), index, knowledge()).factors["budget"].score
    assert (after >= before - 1e-12).all()


@PROPERTY
@given(requirements(), catalogs())
def test_a_relaxation_adds_as_many_vendors_as_loosening_its_constraint_does(
    profile: Requirement, catalog: list[VendorRow]
) -> None:
    before = ranked(profile, catalog)
    assert bool(before.relaxations) <= (len(before.results) < profile.limit)
    for relaxation in before.relaxations:
        after = ranked(loosened(profile, relaxation.constraint, relaxation.suggestion), catalog)
        assert after.excluded == before.excluded - relaxation.adds
        assert applied(profile, relaxation.change) == loosened(
            profile, relaxation.constraint, relaxation.suggestion
        )
