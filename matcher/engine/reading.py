"""Read a requirement once per request: skills resolved, engagement model inferred, money in USD."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from matcher.engine.knowledge import Knowledge, Vocabulary, normalise_term
from matcher.engine.model import Engagement, Requirement
from matcher.engine.resolve import Resolved, resolve_code, resolve_skill, services_in_text


@dataclass(frozen=True, slots=True)
class Reading:
    """What the engine understood of a requirement."""

    requirement: Requirement
    engagement: Engagement
    required: tuple[Resolved, ...]
    preferred: tuple[Resolved, ...]
    certifications: tuple[tuple[str, str], ...]
    qualifications: tuple[tuple[str, str], ...]
    industry: tuple[str, str] | None
    budget_usd: float | None


def read(requirement: Requirement, knowledge: Knowledge) -> Reading:
    """Resolve a requirement against the taxonomy."""
    required = _distinct(resolve_skill(knowledge, skill) for skill in requirement.skills)
    described = services_in_text(knowledge, requirement.description or "")
    preferred = _distinct(resolve_skill(knowledge, skill) for skill in requirement.preferred_skills)
    if not required:
        required = described
    else:
        # Services the description names beyond the skills are wanted too, as preferences.
        preferred = (*preferred, *_distinct(described, skip=(*required, *preferred)))
    budget = requirement.budget
    rate = knowledge.per_usd.get(budget.currency) if budget else None
    return Reading(
        requirement=requirement,
        engagement=infer_engagement(requirement, knowledge, (*required, *described)),
        required=required,
        preferred=preferred,
        certifications=_codes(knowledge.certifications, requirement.certifications),
        qualifications=_codes(knowledge.qualifications, requirement.qualifications),
        industry=_codes(knowledge.industries, (requirement.industry,))[0]
        if requirement.industry
        else None,
        budget_usd=budget.max_rate / rate if budget and rate else None,
    )


def _distinct(items: Iterable[Resolved], skip: tuple[Resolved, ...] = ()) -> tuple[Resolved, ...]:
    # "payroll", "Payroll" and "Lohnabrechnung" are one skill, counted once.
    seen = {_key(item) for item in skip}
    kept = []
    for item in items:
        if _key(item) not in seen:
            seen.add(_key(item))
            kept.append(item)
    return tuple(kept)


def _key(item: Resolved) -> tuple[str, str]:
    return (item.level, item.code or normalise_term(item.text))


def _codes(vocabulary: Vocabulary, texts: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    # Unknown names are kept as text, so a vendor listing the same words still matches.
    result = []
    for text in texts:
        code = vocabulary.exact(text) or resolve_code(vocabulary, text)
        result.append((text, code if code is not None else "text:" + normalise_term(text)))
    return tuple(result)


def infer_engagement(
    requirement: Requirement, knowledge: Knowledge, services: tuple[Resolved, ...]
) -> Engagement:
    """Return the engagement model asked for, or inferred with the evidence for it."""
    if requirement.engagement_model is not None:
        return Engagement(requirement.engagement_model, False, "as the requirement states")
    votes = {"BPO": 0.0, "KPO": 0.0}
    evidence: list[str] = []
    if requirement.complexity is not None:
        kind = {1: "BPO", 2: "BPO", 4: "KPO", 5: "KPO"}.get(requirement.complexity)
        if kind:
            votes[kind] += 2
            evidence.append(f"complexity {requirement.complexity} of 5")
    for resolved in services:
        entry = _entry(knowledge, resolved)
        if entry is not None and entry[1] in votes:
            votes[entry[1]] += 1.5
            evidence.append(f"{entry[0]} is {entry[1]} work")
    text = normalise_term(" ".join(filter(None, (requirement.title, requirement.description))))
    for kind, cues in knowledge.cues.items():
        found = sorted({cue for cue in cues if _mentions(text, cue)})
        votes[kind] += 0.5 * len(found)
        if found:
            evidence.append(f"the requirement mentions {', '.join(found[:4])}")
    if requirement.qualifications:
        votes["KPO"] += 1
        evidence.append("staff qualifications are required")
    return _decide(votes, evidence)


def _entry(knowledge: Knowledge, resolved: Resolved) -> tuple[str, str | None] | None:
    if resolved.code is None:
        return None
    vocabulary = knowledge.services if resolved.level == "service" else knowledge.categories
    entry = vocabulary.entries[resolved.code]
    return entry.name, entry.kind


def _mentions(text: str, cue: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(cue)}(?![\w-])", text) is not None


def _decide(votes: dict[str, float], evidence: list[str]) -> Engagement:
    bpo, kpo = votes["BPO"], votes["KPO"]
    because = "; ".join(dict.fromkeys(evidence)) or "nothing in the requirement points either way"
    if bpo == kpo == 0 or abs(bpo - kpo) < 0.25 * max(bpo, kpo):
        return Engagement("any", True, f"mixed or no signals ({because}): BPO and KPO both fit")
    value = "BPO" if bpo > kpo else "KPO"
    nature = "rule-based, volume-driven work" if value == "BPO" else "judgment-based, expert work"
    return Engagement(value, True, f"{nature}: {because}")
