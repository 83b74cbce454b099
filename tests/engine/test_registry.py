"""One factor registry: names, labels, needs and default weights all come from it."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError

from matcher.engine.factors import DEFAULT_WEIGHTS, REGISTRY, FactorSpec
from matcher.engine.index import build_index
from matcher.engine.rank import evaluate
from matcher.profiles import load_requirement
from tests.engine.builders import knowledge, reading, requirement, vendor


def test_every_factor_has_a_label_and_a_default_weight_for_both_kinds_of_work() -> None:
    for spec in REGISTRY:
        assert spec.label
        assert spec.label[0].isupper()
        assert spec.bpo >= 0
        assert spec.kpo >= 0
    assert DEFAULT_WEIGHTS["BPO"]["budget"] > DEFAULT_WEIGHTS["KPO"]["budget"]
    assert DEFAULT_WEIGHTS["KPO"]["qualifications"] > DEFAULT_WEIGHTS["BPO"]["qualifications"]


@pytest.mark.parametrize("spec", [spec for spec in REGISTRY if spec.needs], ids=lambda s: s.name)
def test_a_hard_constraint_without_what_its_factor_needs_is_refused(spec: FactorSpec) -> None:
    name = spec.name
    with pytest.raises(ValidationError) as refused:
        load_requirement({"skills": ["data entry"], "hard_constraints": [name]}, knowledge())
    assert any(name in message for message in refused.value.messages_dict["hard_constraints"])


def test_the_ranking_scores_every_factor_of_the_registry_that_the_profile_asks_about() -> None:
    asked = requirement(
        skills=("customer support",),
        languages=("en",),
        certifications=("PCI DSS",),
        qualifications=("CFA",),
        countries=("PH",),
        budget=20,
        team_size=10,
        industry="retail",
    )
    evaluation = evaluate(reading(asked), build_index([vendor()], knowledge()), knowledge())
    assert set(evaluation.factors) == {spec.name for spec in REGISTRY}
