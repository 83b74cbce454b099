"""The ranking judges as a sourcing lead would: whose clock the work runs on, and umbrella terms."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest

from matcher.engine.knowledge import normalise_term
from matcher.engine.model import VendorRow
from tests.engine.builders import factor_of, fit_of, judge, knowledge, ranking, requirement, vendor

ANALYSTS = {"tags": ["KPO"], "services": ["Equity research", "Financial modelling"]}


def geography_of(profile: dict[str, Any], countries: list[str], **fields: Any) -> tuple[float, str]:
    """Return one vendor's geography score and reason for a requirement."""
    factor = judge(
        requirement(**profile), vendor(delivery_countries=countries, **fields), "geography"
    )
    return factor.score, factor.reason


def ranked_ids(profile: dict[str, Any], catalog: list[VendorRow]) -> list[str]:
    """Return the ids of a small catalog in the order the engine ranks them."""
    return [result.vendor_id for result in ranking(requirement(**profile), catalog).results]


def test_a_contact_centre_for_a_us_client_loses_nothing_for_delivering_from_manila() -> None:
    profile = {"skills": ["inbound call centre", "customer support"], "client_country": "US"}
    manila, _ = geography_of(profile, ["PH"])
    monterrey, _ = geography_of(profile, ["MX"])
    assert manila == monterrey == 1.0


def test_the_geography_reason_says_shift_based_work_does_not_count_time_zones() -> None:
    _, reason = geography_of({"skills": ["help desk"], "client_country": "GB"}, ["PH"])
    assert reason == (
        "delivers from Philippines (offshore for United Kingdom); "
        "shift-based work: time zones do not count"
    )


@pytest.mark.parametrize(
    "skills",
    [
        pytest.param(["content moderation"], id="content moderation"),
        pytest.param(["FNOL"], id="claims intake"),
        pytest.param(["IT service desk", "remote support"], id="a service desk"),
        pytest.param(["CX"], id="the contact-centre category"),
    ],
)
def test_shift_based_work_of_every_kind_keeps_its_geography_points_offshore(
    skills: list[str],
) -> None:
    score, reason = geography_of({"skills": skills, "client_country": "US"}, ["IN"])
    assert score == 1.0
    assert "time zones do not count" in reason


def test_batch_work_handed_over_and_returned_is_not_marked_down_for_time_zones() -> None:
    score, reason = geography_of({"skills": ["data entry"], "client_country": "US"}, ["PH"])
    assert score == 1.0
    assert "batch work, handed over and returned: time zones do not count" in reason


def test_an_equity_research_brief_from_new_york_prefers_the_vendor_sharing_working_hours() -> None:
    profile = {
        "title": "Equity research pod for a New York asset manager",
        "description": "Daily calls with our portfolio managers in New York.",
        "skills": ["equity research", "financial modelling"],
        "client_country": "US",
    }
    catalog = [vendor("mumbai-research", delivery_countries=["IN"], **ANALYSTS)]
    catalog.append(vendor("bogota-research", delivery_countries=["CO"], **ANALYSTS))
    answer = ranking(requirement(**profile), catalog)
    assert [result.vendor_id for result in answer.results] == ["bogota-research", "mumbai-research"]
    bogota, mumbai = (factor_of(result, "geography") for result in answer.results)
    assert "8 of 8 working hours shared" in bogota.reason
    assert "0 of 8 working hours shared" in mumbai.reason
    assert "time zones do not count" not in bogota.reason + mumbai.reason


def test_work_only_half_shift_based_still_counts_the_hours_shared_with_the_client() -> None:
    profile = {"skills": ["customer support", "equity research"], "client_country": "US"}
    score, reason = geography_of(profile, ["IN"])
    assert score == 0.0
    assert "0 of 8 working hours shared" in reason


def test_a_brief_asking_for_night_shifts_is_shift_based_whatever_the_service() -> None:
    profile = {
        "skills": ["widget wrangling"],
        "description": "Agents on the night shift for our US users.",
        "client_country": "US",
    }
    score, reason = geography_of(profile, ["PH"])
    assert score == 1.0
    assert 'shift-based work ("night shift"): time zones do not count' in reason


def test_an_analysts_overnight_model_update_does_not_make_the_work_shift_based() -> None:
    profile = {
        "skills": ["equity research"],
        "description": "Models updated overnight, and daily calls with our team.",
        "client_country": "US",
    }
    score, reason = geography_of(profile, ["IN"], **ANALYSTS)
    assert score == 0.0
    assert "0 of 8 working hours shared" in reason


def test_a_24_7_contact_centre_brief_does_not_mark_an_offshore_vendor_down_for_time_zones() -> None:
    profile = {
        "description": "24/7 inbound customer support for our US shoppers.",
        "client_country": "US",
    }
    manila, reason = geography_of(profile, ["PH"])
    monterrey, _ = geography_of(profile, ["MX"])
    assert manila == monterrey
    assert 'round-the-clock cover asked for ("24/7"): time zones do not count' in reason
    assert "one time zone's working day (8 of 24 hours), the rest by shifts" in reason


def test_round_the_clock_cover_from_several_time_zones_is_a_strength() -> None:
    profile = {"skills": ["customer support"], "description": "24/7 cover", "client_country": "US"}
    one_site, _ = geography_of(profile, ["PH"])
    three, reason = geography_of(profile, ["PH", "PL", "MX"])
    assert three > one_site
    assert "working days in 3 time zones span 22.5 of 24 hours" in reason
    catalog = [
        vendor("a-manila-only", delivery_countries=["PH"]),
        vendor("z-three-hubs", delivery_countries=["PH", "PL", "MX"]),
    ]
    assert ranked_ids(profile, catalog) == ["z-three-hubs", "a-manila-only"]


def test_two_sites_in_neighbouring_time_zones_add_little_round_the_clock_cover() -> None:
    profile = {"skills": ["help desk"], "description": "24x7", "client_country": "US"}
    _, reason = geography_of(profile, ["PH", "IN"])
    assert "working days in 2 time zones span 10.5 of 24 hours" in reason


def test_an_excluded_country_adds_no_round_the_clock_cover() -> None:
    profile = {
        "skills": ["customer support"],
        "description": "24/7",
        "client_country": "US",
        "exclude_countries": ["PL"],
    }
    without, _ = geography_of(profile, ["PH", "MX"])
    excluded, reason = geography_of(profile, ["PH", "MX", "PL"])
    assert excluded == without
    assert "working days in 2 time zones" in reason


@pytest.mark.parametrize(
    ("description", "cue"),
    [
        pytest.param("Kundenservice rund um die Uhr für unsere Kunden", "rund um die uhr", id="de"),
        pytest.param("Atención al cliente las 24 horas para España", "las 24 horas", id="es"),
        pytest.param("Support client 24h/24 pour nos abonnés", "24h/24", id="fr"),
        pytest.param("Atendimento ao cliente 24 horas por dia", "24 horas por dia", id="pt"),
        pytest.param("Round-the-clock help for our users", "round-the-clock", id="en"),
    ],
)
def test_round_the_clock_cover_is_understood_in_five_languages(description: str, cue: str) -> None:
    profile = {"skills": ["customer support"], "description": description, "client_country": "DE"}
    _, reason = geography_of(profile, ["PH"])
    assert f'round-the-clock cover asked for ("{cue}")' in reason


def test_follow_the_sun_asks_more_of_a_single_site_than_24_7_cover_does() -> None:
    sun = {"skills": ["help desk"], "description": "follow-the-sun support", "client_country": "US"}
    clock = {"skills": ["help desk"], "description": "24/7 support", "client_country": "US"}
    one_site_sun, reason = geography_of(sun, ["IN"])
    one_site_clock, _ = geography_of(clock, ["IN"])
    assert one_site_sun < one_site_clock
    assert 'follow-the-sun cover asked for ("follow-the-sun")' in reason
    spread, _ = geography_of(sun, ["IN", "PL", "US"])
    assert spread > one_site_clock


def test_a_24_7_brief_judges_time_zones_even_without_a_client_country() -> None:
    profile = {"skills": ["content moderation"], "description": "moderation around the clock"}
    one_site, reason = geography_of(profile, ["KE"])
    assert "round-the-clock cover asked for" in reason
    assert "time zones do not count" not in reason
    assert geography_of(profile, ["KE", "PH", "CO"])[0] > one_site


def test_an_rcm_brief_ranks_the_vendor_covering_more_of_revenue_cycle_above_a_single_part() -> None:
    catalog = [
        vendor("coding-shop", services=["Medical coding", "ICD-10 coding"]),
        vendor(
            "billing-house",
            services=[
                "Medical billing",
                "Denial management",
                "Eligibility verification",
                "Patient scheduling",
            ],
        ),
        vendor("end-to-end", services=["End-to-end RCM"]),
    ]
    answer = ranking(requirement(skills=["RCM"]), catalog)
    assert [result.vendor_id for result in answer.results] == [
        "end-to-end",
        "billing-house",
        "coding-shop",
    ]
    end_to_end, billing, coding = (factor_of(result, "skills") for result in answer.results)
    assert end_to_end.score == 1.0
    assert end_to_end.reason == "covers 1 of 1 required skills; offers RCM"
    assert billing.score == pytest.approx(0.5 + 0.5 * 4 / 6, abs=1e-3)
    assert "RCM: covers 4 of 6 parts of Revenue cycle management: " in billing.reason
    assert "medical billing" in billing.reason
    assert coding.score == pytest.approx(0.5 + 0.5 / 6, abs=1e-3)
    assert coding.reason == (
        "covers 0 of 1 required skills; "
        "RCM in part: covers 1 of 6 parts of Revenue cycle management: medical coding"
    )


def test_a_single_part_of_an_umbrella_does_not_meet_it_as_a_hard_constraint() -> None:
    profile = requirement(skills=["RCM"], hard_constraints=["skills"])
    specialist = fit_of(profile, [vendor("coder", services=["Medical coding"])], "coder")
    assert [exclusion.constraint for exclusion in specialist.excluded_by] == ["skills"]
    broad = ["Medical coding", "Medical billing", "Prior authorization"]
    assert fit_of(profile, [vendor("half", services=broad)], "half").rank == 1


def test_an_lpo_brief_prefers_broad_legal_coverage_to_a_document_review_shop() -> None:
    legal = ["Contract review", "Legal research", "Document review", "Litigation support"]
    catalog = [
        vendor("review-shop", tags=["KPO"], services=["eDiscovery"]),
        vendor("broad-legal", tags=["KPO"], services=legal),
        vendor("says-lpo", tags=["KPO"], services=["Legal process outsourcing"]),
        vendor("patent-boutique", tags=["KPO"], services=["Patent search", "Prior art search"]),
    ]
    answer = ranking(requirement(skills=["LPO"]), catalog)
    assert [result.vendor_id for result in answer.results] == [
        "says-lpo",
        "broad-legal",
        "review-shop",
        "patent-boutique",
    ]
    broad = factor_of(answer.results[1], "skills")
    assert "LPO: covers 4 of 6 parts of Legal process outsourcing" in broad.reason


def test_ip_services_are_met_by_the_patent_boutique_not_by_a_general_legal_house() -> None:
    legal = ["Contract review", "Legal research", "Document review", "Litigation support"]
    patents = ["Patent search", "Prior art search", "FTO analysis", "Patent landscaping"]
    catalog = [
        vendor("broad-legal", tags=["KPO"], services=legal),
        vendor("patent-boutique", tags=["KPO"], services=patents),
    ]
    assert ranked_ids({"skills": ["IP services"]}, catalog) == ["patent-boutique", "broad-legal"]
    reason = judge(requirement(skills=["IP services"]), catalog[1], "skills").reason
    assert "covers 4 of 7 parts of Intellectual property services" in reason


def test_a_vendor_listing_ip_services_does_not_claim_the_whole_of_lpo() -> None:
    ip_house = vendor("ip-house", tags=["KPO"], services=["IP services"])
    assert judge(requirement(skills=["LPO"]), ip_house, "skills").score == 0.5
    assert judge(requirement(skills=["IP services"]), ip_house, "skills").score == 1.0


def test_an_end_to_end_rcm_vendor_does_medical_billing_as_part_of_it() -> None:
    factor = judge(
        requirement(skills=["medical billing"]), vendor(services=["End-to-end RCM"]), "skills"
    )
    assert factor.score == pytest.approx(0.9)
    assert factor.reason == (
        "covers 1 of 1 required skills; "
        "offers medical billing (as part of its Revenue cycle management)"
    )


def test_a_vendor_naming_its_f_and_a_back_office_covers_finance_and_accounting_broadly() -> None:
    factor = judge(
        requirement(skills=["F&A services"]), vendor(services=["F&A back office"]), "skills"
    )
    assert factor.score == pytest.approx(0.95)
    assert "covers 6 of 6 parts of Finance, accounting and banking operations" in factor.reason


def test_the_judging_data_names_only_services_and_categories_the_taxonomy_knows() -> None:
    data = json.loads(resources.files("matcher").joinpath("data/judging.json").read_text("utf-8"))
    services, categories = knowledge().services.entries, knowledge().categories.entries
    for kind in data["off_the_clock"]:
        assert set(kind["services"]) <= set(services)
        assert set(kind["categories"]) <= set(categories)
    for umbrella in data["umbrellas"]:
        assert umbrella.get("service", umbrella.get("category")) in {*services, *categories}
        assert len(set(umbrella["core"])) == len(umbrella["core"]) >= 3 or "terms" in umbrella
        assert set(umbrella["core"]) <= set(services)
        for term in umbrella.get("terms", ()):
            assert knowledge().categories.exact(term) == umbrella["category"]
    cues = [
        cue
        for section in (*data["off_the_clock"], *data["around_the_clock"])
        for words in section["cues"].values()
        for cue in words
    ]
    assert all(cue == normalise_term(cue) for cue in cues)
