"""Reading a brief written in sentences: forms of words, lists, verbs, who the buyer is."""

from __future__ import annotations

import pytest

from matcher.engine.brief import read_text
from matcher.engine.knowledge import _read
from matcher.engine.language import languages_from
from matcher.engine.lexicon import build_lexicons
from matcher.engine.model import ReadService
from tests.engine.builders import knowledge, reading, requirement


def services(text: str) -> list[str]:
    """Return the codes read from a description, in the order they are written."""
    return [item.code for item in reading(requirement(description=text)).brief.services]


def read_as(text: str) -> dict[str, ReadService]:
    return {item.code: item for item in reading(requirement(description=text)).brief.services}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Financial models for two acquisitions", "financial_modelling"),
        ("moderating the comments on our forum", "content_moderation"),
        ("patent searches before every filing", "patent_research"),
        ("processing of payroll for 300 staff", "payroll_processing"),
        ("prior-art searching for our inventions", "prior_art_search"),
        ("nóminas y seguros sociales", "payroll_processing"),
        ("Lohnabrechnungen für drei Standorte", "payroll_processing"),
    ],
)
def test_inflected_and_reordered_words_still_name_the_service(text: str, code: str) -> None:
    assert code in services(text)


def test_a_list_that_shares_its_head_names_every_service_in_it() -> None:
    assert services("Contract drafting and review for our supplier agreements") == [
        "contract_drafting",
        "contract_review",
    ]
    assert set(services("equity and credit research on European banks")) == {
        "equity_research",
        "credit_research",
    }
    assert {"medical_billing", "medical_coding"} <= set(
        services("medical billing, coding and denial management")
    )


def test_slashes_split_abbreviations_written_in_capitals_only() -> None:
    assert services("We need AP/AR done every month") == ["accounts_payable", "accounts_receivable"]
    # In lower case "ar" is a word (Portuguese "air"), not accounts receivable.
    assert "accounts_receivable" not in services("qualidade do ar nas nossas fábricas")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Look after the comments and direct messages on our Instagram", "social_media_support"),
        ("Pull together ESG scores for the companies in our fund", "esg_research"),
        ("Confirm the appointments of our clinic's patients by phone", "patient_scheduling"),
        ("Someone to key in our paper forms", "data_entry"),
        ("We need someone to chase late payments from customers", "collections"),
        ("Wir suchen Leute, die Anrufe von Kunden entgegennehmen", "inbound_call_centre"),
        ("Necesitamos a alguien que atienda las llamadas de clientes", "inbound_call_centre"),
        ("Nous cherchons quelqu'un pour relancer les factures impayées", "collections"),
        ("Precisamos de alguém para digitar formulários em papel", "data_entry"),
    ],
)
def test_a_verb_with_its_object_names_the_service_in_five_languages(text: str, code: str) -> None:
    found = read_as(text)
    assert code in found
    assert found[code].how == "paraphrase"


def test_words_that_say_who_the_buyer_is_set_the_industry_and_never_a_service() -> None:
    startup = reading(
        requirement(description="We are a data analytics startup and need someone to run payroll")
    )
    desk = reading(
        requirement(description="Our equity research desk needs someone to answer the phones")
    )

    assert [item.code for item in startup.brief.services] == ["payroll_processing"]
    assert startup.brief.industry is not None
    assert (startup.brief.industry.value, startup.brief.industry.inferred) == ("Technology", True)
    assert startup.brief.industry.text == "data analytics startup"
    assert startup.industry is not None
    assert startup.industry[1] == "technology"
    assert [item.code for item in desk.brief.services] == ["inbound_call_centre"]
    assert desk.industry is not None
    assert desk.industry[1] == "capital_markets"


def test_an_industry_given_in_the_profile_is_kept_and_not_inferred() -> None:
    given = reading(requirement(description="We are a bank; run our payroll", industry="Retail"))

    assert given.brief.industry is not None
    assert (given.brief.industry.value, given.brief.industry.inferred) == ("Retail", False)
    assert given.industry is not None
    assert given.industry[1] == "retail"


def test_work_the_buyer_keeps_in_house_is_not_read_as_asked_for() -> None:
    found = services(
        "We need a phone survey of 2,000 farmers. We have designed the questionnaire ourselves; "
        "we just need the calls made."
    )
    assert "survey_calls" in found
    assert "survey_design_analysis" not in found


def test_a_reading_says_where_and_how_each_service_was_written() -> None:
    text = "Our shop needs customer suport and data entry of orders"
    found = read_as(text)

    assert found["customer_support"].how == "fuzzy"
    assert found["customer_support"].text == "customer suport"
    assert found["data_entry"].how == "exact"
    item = found["data_entry"]
    assert text[item.start : item.end] == item.text == "data entry"
    assert item.field == "description"


def test_skills_are_read_as_names_first_and_as_phrases_when_they_are_not_names() -> None:
    read = reading(requirement(skills=["Payroll processings", "AP/AR", "quantum basket weaving"]))

    assert [(item.code, item.how, item.field) for item in read.brief.services] == [
        ("payroll_processing", "lemma", "skills"),
        ("accounts_payable", "alias", "skills"),
        ("accounts_receivable", "alias", "skills"),
    ]
    assert [item.text for item in read.brief.unrecognised] == ["quantum basket weaving"]
    assert [item.code for item in read.required] == [
        "payroll_processing",
        "accounts_payable",
        "accounts_receivable",
        None,
    ]


def test_a_clause_that_names_nothing_is_reported_as_not_placed() -> None:
    read = reading(requirement(description="Data entry of invoices. Our office cat is grumpy."))

    assert [item.text for item in read.brief.unrecognised] == ["Our office cat is grumpy"]


def test_a_dropped_reading_is_not_read_again_and_an_added_one_counts_as_read() -> None:
    text = "Answer the phones and chase unpaid invoices"
    dropped = reading(requirement(description=text, ignore_services=("collections",)))
    added = reading(requirement(description=text, add_services=("Medical billing",)))

    assert [item.code for item in dropped.required] == ["inbound_call_centre"]
    assert [item.code for item in added.required] == [
        "inbound_call_centre",
        "collections",
        "medical_billing",
    ]


def test_the_language_is_told_from_the_small_words() -> None:
    lexicons = knowledge().lexicons

    german = read_text(lexicons, "Wir brauchen die Lohnabrechnung für unsere Filialen")

    assert german.language == "de"
    assert read_text(lexicons, "Necesitamos la nómina de los empleados").language == "es"
    assert read_text(lexicons, "payroll").language == "en"


def test_another_languages_name_that_means_something_else_here_is_not_read() -> None:
    # "collectifs" shares its stem with "collections"; in French the service is recouvrement.
    assert "collections" not in services(
        "Modélisation BIM pour plusieurs programmes de logements collectifs."
    )
    assert "collections" in services("Nous cherchons un prestataire pour le recouvrement.")
    assert "collections" in services("We need collections for overdue accounts.")


def test_a_verb_in_a_pairs_group_names_the_service_only_with_its_own_objects() -> None:
    services_file = _read("services.json")
    entry = {
        "verbs": ["chase"],
        "objects": ["debtor"],
        "pairs": [{"verbs": ["send"], "objects": ["reminder"]}],
    }
    lexicons = build_lexicons(
        languages_from(_read("languages.json")["languages"]),
        services_file["services"],
        services_file["categories"],
        _read("industries.json")["industries"],
        {"services": {"collections": {"languages": {"en": entry}}}},
        _read("buyers.json"),
    )

    def codes(text: str) -> list[str]:
        return [found.code for found in read_text(lexicons, text, "en").found]

    assert codes("chase our debtors") == ["collections"]
    assert codes("send them reminders") == ["collections"]
    assert codes("chase the reminders") == []
    assert codes("send debtors flowers") == []


def test_a_past_participle_before_its_noun_describes_the_material_not_the_work() -> None:
    assert services("Data entry of scanned invoices into our ERP") == ["data_entry"]
    assert "invoice_processing" in services("We need someone to scan our invoices")


def test_a_one_word_paraphrase_stands_in_its_plural_too() -> None:
    assert "design_animation" in services("Online courses with short animations")
    assert "design_animation" not in services("We animated the courses ourselves")


def test_a_verb_ending_in_er_is_a_verb_where_the_data_writes_it_as_one() -> None:
    assert "collections" in services("Someone to recover debts from customers who pay late")
    assert "first_notice_of_loss" in services("Register new claims as policyholders call")


def test_a_tie_of_small_words_is_settled_by_the_accented_letters() -> None:
    # "das" is a small word in German and in Portuguese.
    assert read_text(knowledge().lexicons, "Análise das vendas").language == "pt"
    assert read_text(knowledge().lexicons, "Prüfung das Rechnungen").language == "de"


@pytest.mark.parametrize(
    ("text", "specific", "broad"),
    [
        (
            "A 24/7 IT service desk: password resets and ticket logging.",
            "it_service_desk",
            "help_desk",
        ),
        (
            "Precisamos de uma análise dos dados de vendas com modelos preditivos.",
            "predictive_modelling",
            "data_analytics",
        ),
    ],
)
def test_a_loose_reading_of_a_broad_service_yields_to_the_specific_one_asked_for(
    text: str, specific: str, broad: str
) -> None:
    read = services(text)
    assert specific in read
    assert broad not in read


def test_the_broad_service_is_still_read_when_nothing_more_specific_is_asked_for() -> None:
    assert "help_desk" in services("We need ticket logging and escalation for our users.")


def test_a_list_after_a_service_done_on_documents_names_the_documents() -> None:
    text = "Data entry for our clients: bank statements, purchase invoices, expense claims."
    assert services(text) == ["data_entry"]


def test_a_list_after_another_service_still_names_the_work_asked_for() -> None:
    read = services(
        "Wir suchen einen Partner für die Pharmakovigilanz: Bearbeitung von "
        "Nebenwirkungsmeldungen und Literaturrecherche."
    )
    assert "safety_case_processing" in read


def test_a_loose_reading_of_an_umbrellas_part_is_the_umbrellas_scope() -> None:
    # Eligibility checks are insurance verification, a core part of the revenue cycle asked for.
    read = services("End-to-end revenue cycle management for our clinics: eligibility checks.")
    assert read == ["revenue_cycle_management"]
    assert "insurance_verification" in services("We need eligibility checks for our clinics.")
