"""On the demo catalog, typical requests find the providers a procurement analyst would pick."""

from __future__ import annotations

import json
from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest

from matcher.engine.index import CatalogIndex, build_index
from matcher.engine.model import Ranking, Requirement, VendorRow
from matcher.engine.rank import rank
from matcher.matching import vendor_row
from tests.engine.builders import applied, knowledge, loosened, reading, requirement
from tests.engine.reference import reference_rank
from vendors.schema import load_record

DEMO_CATALOG = Path(__file__).resolve().parents[2] / "vendors" / "data" / "demo_catalog.json"

NEARSHORE_SPANISH_SUPPORT = requirement(
    skills=["customer support"], languages=["es"], client_country="US", delivery=["nearshore"]
)
EQUITY_RESEARCH_BY_CFAS = requirement(skills=["equity research"], qualifications=["CFA"])
CHEAP_DATA_ENTRY = requirement(
    description="Scripted, high-volume data entry of scanned invoices into our ERP, "
    "following a fixed SOP",
    budget=8,
)
GERMAN_LEGAL_RESEARCH = requirement(
    description="Juristische Recherche und Vertragsprüfung für eine Kanzlei"
)
TIGHT_BUDGET = requirement(skills=["customer support"], budget=6, hard_constraints=["budget"])


@cache
def demo() -> tuple[dict[str, VendorRow], CatalogIndex]:
    """Return the demo catalog by id, and its index."""
    rows = [vendor_row(load_record(raw)) for raw in json.loads(DEMO_CATALOG.read_text("utf-8"))]
    return {vendor.id: vendor for vendor in rows}, build_index(rows, knowledge())


def match(profile: Requirement) -> Ranking:
    """Rank the demo catalog for a requirement."""
    return rank(reading(profile), demo()[1], knowledge())


def top(answer: Ranking, count: int = 5) -> list[VendorRow]:
    """Return the vendors of the first results."""
    vendors = demo()[0]
    return [vendors[result.vendor_id] for result in answer.results[:count]]


def services_of(vendor: VendorRow) -> set[str]:
    """Return the taxonomy services a vendor lists by name or alias."""
    services = knowledge().services
    return {code for text in vendor.services if (code := services.exact(text)) is not None}


def does_legal_work(vendor: VendorRow) -> bool:
    """Say whether a vendor lists a service of the taxonomy's legal category."""
    entries = knowledge().services.entries
    return any(entries[code].category == "legal" for code in services_of(vendor))


def lowest_usd_rate(vendor: VendorRow) -> float | None:
    """Return a vendor's lowest hourly rate in US dollars, or None."""
    return (
        None if vendor.rate_min is None else vendor.rate_min / knowledge().per_usd[vendor.currency]
    )


def test_the_demo_catalog_loads_whole() -> None:
    vendors, index = demo()
    assert len(vendors) == index.size == 300


def test_nearshore_spanish_support_for_a_us_client_ranks_latin_american_providers_first() -> None:
    latin_america = knowledge().geography.region("Latin America")
    assert latin_america is not None
    leaders = top(match(NEARSHORE_SPANISH_SUPPORT))
    assert len(leaders) == 5
    for vendor in leaders:
        assert set(vendor.delivery_countries) & latin_america.countries, vendor.id
        assert "es" in vendor.languages, vendor.id


def test_equity_research_with_cfa_staff_ranks_kpo_providers_holding_the_cfa_first() -> None:
    answer = match(EQUITY_RESEARCH_BY_CFAS)
    assert answer.engagement.value == "KPO"
    leaders = top(answer)
    assert len(leaders) == 5
    for vendor in leaders:
        assert "KPO" in vendor.tags, vendor.id
        assert "CFA" in vendor.qualifications, vendor.id


def test_scripted_high_volume_data_entry_on_a_low_budget_finds_cheap_bpo_vendors() -> None:
    answer = match(CHEAP_DATA_ENTRY)
    assert (answer.engagement.value, answer.engagement.inferred) == ("BPO", True)
    leaders = top(answer)
    assert len(leaders) == 5
    for vendor in leaders:
        assert "BPO" in vendor.tags, vendor.id
        assert "data_entry" in services_of(vendor), vendor.id
        rate = lowest_usd_rate(vendor)
        assert rate is None or rate <= 10, vendor.id


@pytest.mark.parametrize(
    "profile",
    [
        pytest.param(GERMAN_LEGAL_RESEARCH, id="described in German"),
        pytest.param(requirement(skills=["LPO"]), id="asked for as LPO"),
        pytest.param(
            requirement(description="We are looking for an LPO partner for our litigation team"),
            id="an LPO in the description",
        ),
        pytest.param(requirement(skills=["Rechtsrecherche"]), id="a German skill"),
    ],
)
def test_legal_research_however_it_is_asked_for_finds_legal_kpo_vendors(
    profile: Requirement,
) -> None:
    answer = match(profile)
    assert answer.engagement.value == "KPO"
    leaders = top(answer)
    assert len(leaders) == 5
    for vendor in leaders:
        assert "KPO" in vendor.tags, vendor.id
        assert does_legal_work(vendor), vendor.id


def test_a_tight_hard_budget_offers_a_relaxation_that_really_adds_what_it_says() -> None:
    profile = TIGHT_BUDGET
    before = match(profile)
    assert len(before.results) < profile.limit
    [relaxation] = before.relaxations
    assert relaxation.constraint == "budget"
    assert relaxation.suggestion.startswith("raise the budget from 6 to ")
    assert relaxation.adds >= profile.limit - len(before.results)
    after = match(loosened(profile, relaxation.constraint, relaxation.suggestion))
    assert after.excluded == before.excluded - relaxation.adds
    assert len(after.results) == profile.limit
    # The change a client applies with one click is the one the suggestion describes.
    assert applied(profile, relaxation.change) == loosened(
        profile, relaxation.constraint, relaxation.suggestion
    )


@pytest.mark.parametrize(
    "profile",
    [
        pytest.param(NEARSHORE_SPANISH_SUPPORT, id="nearshore Spanish support"),
        pytest.param(EQUITY_RESEARCH_BY_CFAS, id="equity research by CFAs"),
        pytest.param(CHEAP_DATA_ENTRY, id="cheap data entry"),
        pytest.param(GERMAN_LEGAL_RESEARCH, id="German legal research"),
        pytest.param(TIGHT_BUDGET, id="tight budget"),
        pytest.param(
            requirement(
                skills=["customer support", "complaint handling"],
                preferred_skills=["email and chat support"],
                client_country="GB",
                countries=["Europe", "ZA"],
                exclude_countries=["RU"],
                languages=["en", "de"],
                budget=(30, "EUR"),
                team_size=50,
                certifications=["ISO 27001", "PCI DSS"],
                industry="Telecom",
                hard_constraints=["languages"],
                weights={"budget": 3},
            ),
            id="European support asking about everything",
        ),
    ],
)
def test_the_engine_ranks_the_demo_catalog_exactly_as_the_plain_loop(profile: Requirement) -> None:
    catalog = list(demo()[0].values())
    ranked = [result.vendor_id for result in match(replace(profile, limit=50)).results]
    assert ranked == reference_rank(replace(profile, limit=50), catalog, knowledge())
