"""A requirement is read once: skills resolved to the taxonomy, the kind of work inferred."""

from __future__ import annotations

from typing import Any

import pytest

from matcher.engine import resolve
from matcher.engine.knowledge import Vocabulary, load_knowledge, normalise_term
from tests.engine.builders import reading, requirement


@pytest.mark.parametrize(
    ("written", "code", "level"),
    [
        pytest.param("data entry", "data_entry", "service", id="a service by name"),
        pytest.param("data entery", "data_entry", "service", id="a typo"),
        pytest.param("entry data", "data_entry", "service", id="swapped words"),
        pytest.param("  Customer   SUPPORT ", "customer_support", "service", id="case, spaces"),
        pytest.param("Buchhaltung", "accounting_bookkeeping", "service", id="German: bookkeeping"),
        pytest.param(
            "Kundendienstleistungen", "customer_support", "service", id="German: customer service"
        ),
        pytest.param("Rechtsrecherche", "legal_research", "service", id="German: legal research"),
        pytest.param("LPO", "legal", "category", id="LPO"),
        pytest.param("FRO", "financial_research", "category", id="FRO"),
        pytest.param("F&A", "fa_back_office", "service", id="F&A: the F&A back office"),
        pytest.param("CX", "customer_experience", "category", id="CX"),
    ],
)
def test_a_skill_is_resolved_to_a_taxonomy_service_or_category(
    written: str, code: str, level: str
) -> None:
    [skill] = reading(requirement(skills=[written])).required
    assert (skill.code, skill.level) == (code, level)
    assert skill.text == written


def test_fuzzy_look_ups_are_remembered_within_a_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    vocabulary = load_knowledge().services
    monkeypatch.setattr(resolve, "MEMO_SIZE", 3)
    first = resolve_skill_in(vocabulary, "data entery")
    assert first is not None
    assert first[0] == "data_entry"
    assert len(vocabulary.memo) == 1
    # Asked again: the same answer, from the memo (no second entry).
    assert resolve_skill_in(vocabulary, "data entery") == first
    assert len(vocabulary.memo) == 1
    # Unresolvable terms are remembered too; past the bound the memo starts again.
    for term in ("quantum basket weaving", "customer suport", "payrol processing"):
        resolve_skill_in(vocabulary, term)
    assert len(vocabulary.memo) <= 3
    assert resolve_skill_in(vocabulary, "data entery") == first


def resolve_skill_in(vocabulary: Vocabulary, written: str) -> tuple[str, float] | None:
    return resolve._best(vocabulary, normalise_term(written), resolve.SKILL_CUTOFF)


@pytest.mark.parametrize("written", ["data", "support", "research", "quantum basket weaving"])
def test_a_skill_that_names_no_service_stays_free_text(written: str) -> None:
    [skill] = reading(requirement(skills=[written])).required
    assert (skill.code, skill.level, skill.text) == (None, "unresolved", written)


@pytest.mark.parametrize(
    ("description", "codes"),
    [
        (
            "Scripted data entry and invoice processing for our back office",
            {"data_entry", "invoice_processing"},
        ),
        ("Wir suchen Unterstützung bei der Rechtsrecherche", {"legal_research"}),
        (
            "Round-the-clock customer support and email & chat support",
            {"customer_support", "email_chat_support"},
        ),
        ("We are looking for an LPO partner", {"legal"}),
        ("Outsourced FRO for our asset management arm", {"financial_research"}),
        ("Something nobody has a name for yet", set()),
    ],
)
def test_the_services_and_categories_a_description_names_become_the_required_skills(
    description: str, codes: set[str]
) -> None:
    required = reading(requirement(description=description)).required
    assert {skill.code for skill in required} == codes


def test_a_german_client_saying_it_is_an_insurer_does_not_ask_for_insurance_back_office() -> None:
    read = reading(
        requirement(description="Wir sind eine Versicherung und suchen Hilfe bei der Finanzanalyse")
    )
    assert [skill.code for skill in read.required] == ["financial_analysis"]
    assert read.engagement.value == "KPO"


def test_skills_given_outright_are_not_replaced_by_those_in_the_description() -> None:
    read = reading(requirement(skills=["payroll"], description="Data entry, lots of it"))
    assert [skill.code for skill in read.required] == ["payroll_processing"]


def test_certifications_qualifications_and_industry_are_read_through_their_aliases() -> None:
    read = reading(
        requirement(
            skills=["xyz"],
            certifications=["SOC 2 Type II", "Acme Gold Seal"],
            qualifications=["CFA charterholder"],
            industry="banks",
        )
    )
    assert [code for _, code in read.certifications] == ["soc_2", "text:acme gold seal"]
    assert [code for _, code in read.qualifications] == ["cfa"]
    assert read.industry == ("banks", "banking")


def test_a_budget_in_another_currency_is_read_in_us_dollars() -> None:
    assert reading(requirement(skills=["xyz"], budget=(23, "EUR"))).budget_usd == pytest.approx(25)


@pytest.mark.parametrize(
    ("profile", "value", "evidence"),
    [
        pytest.param({"complexity": 1}, "BPO", "complexity 1 of 5", id="complexity 1"),
        pytest.param({"complexity": 2}, "BPO", "complexity 2 of 5", id="complexity 2"),
        pytest.param({"complexity": 4}, "KPO", "complexity 4 of 5", id="complexity 4"),
        pytest.param({"complexity": 5}, "KPO", "complexity 5 of 5", id="complexity 5"),
        pytest.param(
            {"skills": ["data entry"]}, "BPO", "Data entry is BPO work", id="a BPO service"
        ),
        pytest.param(
            {"skills": ["equity research"]},
            "KPO",
            "Equity research is KPO work",
            id="a KPO service",
        ),
        pytest.param(
            {"description": "We are looking for an LPO partner"},
            "KPO",
            "Legal process outsourcing is KPO work",
            id="a KPO category named in the description",
        ),
        pytest.param(
            {"skills": ["xyz"], "description": "Scripted, rule-based, high-volume work"},
            "BPO",
            "the requirement mentions high-volume, rule-based, scripted",
            id="BPO cues in the description",
        ),
        pytest.param(
            {"skills": ["xyz"], "description": "Expert judgment and strategic insights"},
            "KPO",
            "the requirement mentions expert, insights, judgment",
            id="KPO cues in the description",
        ),
        pytest.param(
            {"skills": ["xyz"], "qualifications": ["CFA"]},
            "KPO",
            "staff qualifications are required",
            id="qualified staff",
        ),
        pytest.param(
            {"skills": ["data entry", "equity research"]},
            "any",
            "Data entry is BPO work; Equity research is KPO work",
            id="mixed signals",
        ),
        pytest.param(
            {"skills": ["xyz"], "complexity": 3},
            "any",
            "nothing in the requirement points either way",
            id="no signal",
        ),
    ],
)
def test_the_kind_of_work_is_inferred_with_the_evidence_for_it(
    profile: dict[str, Any], value: str, evidence: str
) -> None:
    engagement = reading(requirement(**profile)).engagement
    assert (engagement.value, engagement.inferred) == (value, True)
    assert evidence in engagement.reason


@pytest.mark.parametrize("stated", ["BPO", "KPO", "any"])
def test_a_stated_engagement_model_wins_over_every_signal(stated: str) -> None:
    profile = requirement(
        skills=["equity research"],
        complexity=5,
        description="Expert judgment",
        engagement_model=stated,
    )
    engagement = reading(profile).engagement
    assert (engagement.value, engagement.inferred) == (stated, False)
    assert engagement.reason
