"""Read a requirement once per request: skills resolved, engagement model inferred, money in USD."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from matcher.engine.brief import TextReading, read_text
from matcher.engine.knowledge import Knowledge, Vocabulary, normalise_term
from matcher.engine.model import (
    BriefReading,
    Engagement,
    ReadIndustry,
    ReadService,
    Requirement,
    Unread,
)
from matcher.engine.resolve import Resolved, resolve_code, resolve_skill
from matcher.engine.scoring import listing


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
    brief: BriefReading = field(default_factory=BriefReading)


def read(requirement: Requirement, knowledge: Knowledge) -> Reading:
    """Resolve a requirement against the taxonomy."""
    ignored = _ignored(knowledge, requirement.ignore_services)
    reports: list[ReadService] = []
    unread: list[Unread] = []
    skills = _skills(knowledge, requirement.skills, "skills", ignored, reports, unread)
    wished = _skills(
        knowledge, requirement.preferred_skills, "preferred_skills", ignored, reports, unread
    )
    text = read_text(knowledge.lexicons, requirement.description or "")
    described = _distinct(
        [
            *_described(knowledge, text, ignored, reports, unread),
            *_added(knowledge, requirement.add_services),
        ]
    )
    required, preferred = _distinct(skills), _distinct(wished)
    industry, told = _industry(knowledge, requirement, text)
    if not required:
        required = described
    else:
        # Services the description names are wanted too, as preferences. Kept even when also
        # required, so that naming a skill never takes a met preference away.
        preferred = (*preferred, *_distinct(described, skip=preferred))
    budget = requirement.budget
    rate = knowledge.per_usd.get(budget.currency) if budget else None
    return Reading(
        requirement=requirement,
        engagement=infer_engagement(requirement, knowledge, (*required, *described)),
        required=required,
        preferred=preferred,
        certifications=_codes(knowledge.certifications, requirement.certifications),
        qualifications=_codes(knowledge.qualifications, requirement.qualifications),
        industry=industry,
        budget_usd=budget.max_rate / rate if budget and rate else None,
        brief=BriefReading(tuple(reports), tuple(unread), told),
    )


def _ignored(knowledge: Knowledge, texts: tuple[str, ...]) -> frozenset[str]:
    # Readings the user dropped: by name, alias or code, never read again for this profile.
    return frozenset(
        found.code for text in texts if (found := resolve_skill(knowledge, text)).code is not None
    )


def _skills(
    knowledge: Knowledge,
    items: tuple[str, ...],
    field: str,
    ignored: frozenset[str],
    reports: list[ReadService],
    unread: list[Unread],
) -> list[Resolved]:
    # A skill is a name ("AP processing"), else a phrase to read ("AP/AR", "answer calls").
    result = []
    for item in items:
        resolved = resolve_skill(knowledge, item)
        if resolved.level != "unresolved":
            if resolved.code not in ignored:
                result.append(resolved)
                reports.append(_report(knowledge, resolved, item, field, 0, len(item)))
            continue
        text = read_text(knowledge.lexicons, item)
        found = [one for one in text.found if one.code not in ignored]
        for one in found:
            resolved = Resolved(one.text, one.code, one.level, one.confidence, one.how)
            result.append(resolved)
            reports.append(_report(knowledge, resolved, one.text, field, one.start, one.end))
        if not text.found:
            result.append(resolved)
            unread.append(Unread(item, field, 0, len(item)))
    return result


def _added(knowledge: Knowledge, texts: tuple[str, ...]) -> list[Resolved]:
    # Services the user added to the reading: named as the taxonomy names them.
    result = []
    for text in texts:
        found = resolve_skill(knowledge, text)
        if found.code is not None:
            name = _entry_name(knowledge, found.level, found.code)
            result.append(Resolved(name, found.code, found.level, 1.0, "exact"))
    return result


def _described(
    knowledge: Knowledge,
    text: TextReading,
    ignored: frozenset[str],
    reports: list[ReadService],
    unread: list[Unread],
) -> list[Resolved]:
    result = []
    for one in text.found:
        if one.code in ignored:
            continue
        # Named as the taxonomy names it: the buyer did not write this phrase as a skill.
        resolved = Resolved(
            _entry_name(knowledge, one.level, one.code),
            one.code,
            one.level,
            one.confidence,
            one.how,
        )
        result.append(resolved)
        reports.append(_report(knowledge, resolved, one.text, "description", one.start, one.end))
    unread += [Unread(words, "description", start, end) for words, start, end in text.unrecognised]
    return result


def _report(
    knowledge: Knowledge, resolved: Resolved, text: str, field: str, start: int, end: int
) -> ReadService:
    assert resolved.code is not None
    return ReadService(
        service=_entry_name(knowledge, resolved.level, resolved.code),
        code=resolved.code,
        text=text,
        field=field,
        start=start,
        end=end,
        how=resolved.how or ("exact" if resolved.similarity >= 1 else "fuzzy"),
        confidence=round(resolved.similarity, 3),
    )


def _entry_name(knowledge: Knowledge, level: str, code: str) -> str:
    vocabulary = knowledge.categories if level == "category" else knowledge.services
    return vocabulary.entries[code].name


def _industry(
    knowledge: Knowledge, requirement: Requirement, text: TextReading
) -> tuple[tuple[str, str] | None, ReadIndustry | None]:
    if requirement.industry:
        given = _codes(knowledge.industries, (requirement.industry,))[0]
        name = _entry_name_or(knowledge.industries, given[1], requirement.industry)
        return given, ReadIndustry(name, False, requirement.industry)
    for identity in text.identities:
        if identity.industry is not None:
            name = knowledge.industries.entries[identity.industry].name
            return (name, identity.industry), ReadIndustry(name, True, identity.text)
    return None, None


def _entry_name_or(vocabulary: Vocabulary, code: str, text: str) -> str:
    entry = vocabulary.entries.get(code)
    return entry.name if entry is not None else text


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
    evidence: list[tuple[str, float, str]] = []
    if requirement.complexity is not None:
        kind = {1: "BPO", 2: "BPO", 4: "KPO", 5: "KPO"}.get(requirement.complexity)
        if kind:
            evidence.append((kind, 2.0, f"complexity {requirement.complexity} of 5"))
    for resolved in services:
        entry = _entry(knowledge, resolved)
        if entry is not None and entry[1] in ("BPO", "KPO"):
            evidence.append((entry[1], 1.5, f"{entry[0]} is {entry[1]} work"))
    text = normalise_term(" ".join(filter(None, (requirement.title, requirement.description))))
    for kind, cues in knowledge.cues.items():
        found = sorted({cue for cue in cues if _mentions(text, cue)})
        if found:
            evidence.append((kind, 0.5 * len(found), f"the requirement mentions {listing(found)}"))
    if requirement.qualifications:
        evidence.append(("KPO", 1.0, "staff qualifications are required"))
    return _decide(evidence)


def _entry(knowledge: Knowledge, resolved: Resolved) -> tuple[str, str | None] | None:
    if resolved.code is None:
        return None
    vocabulary = knowledge.services if resolved.level == "service" else knowledge.categories
    entry = vocabulary.entries[resolved.code]
    return entry.name, entry.kind


def _mentions(text: str, cue: str) -> bool:
    # The substring test first: most cues are absent, and it costs a fraction of the search.
    return cue in text and re.search(rf"(?<![\w-]){re.escape(cue)}(?![\w-])", text) is not None


def _decide(evidence: list[tuple[str, float, str]]) -> Engagement:
    votes = {
        kind: sum(weight for side, weight, _ in evidence if side == kind) for kind in ("BPO", "KPO")
    }
    bpo, kpo = votes["BPO"], votes["KPO"]
    if bpo == kpo == 0:
        return Engagement(
            "any", True, "nothing in the requirement points either way: BPO and KPO both fit"
        )
    if abs(bpo - kpo) < 0.25 * max(bpo, kpo):
        mixed = "; ".join(dict.fromkeys(fact for *_, fact in evidence))
        return Engagement("any", True, f"mixed signals ({mixed}): BPO and KPO both fit")
    value = "BPO" if bpo > kpo else "KPO"
    nature = "rule-based, volume-driven work" if value == "BPO" else "judgment-based, expert work"
    because = "; ".join(dict.fromkeys(fact for side, _, fact in evidence if side == value))
    against = "; ".join(dict.fromkeys(fact for side, _, fact in evidence if side != value))
    return Engagement(
        value, True, f"{nature}: {because}" + (f" (though {against})" if against else "")
    )
