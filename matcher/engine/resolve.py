"""Read skills and free text: resolve them to taxonomy entries with rapidfuzz."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from matcher.engine.knowledge import Knowledge, Vocabulary, normalise_term

# A term must be this alike (0-100) to stand for an entry: typos and word order pass,
# a short word inside a longer name does not ("data" is 57% of "data entry").
SKILL_CUTOFF = 86.0
TEXT_CUTOFF = 92.0
MAX_WINDOW = 5
_WORDS = re.compile(r"[^\W_][\w&/+.-]*", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Resolved:
    """A skill as the client wrote it, and what the taxonomy says it is."""

    text: str
    code: str | None
    level: str  # "service", "category" or "unresolved"
    similarity: float


def similarity(query: str, choices: tuple[str, ...]) -> np.ndarray:
    """Return 0-1 similarities of one normalised query to many: the better of the
    plain and the word-sorted ratio, so typos and swapped words both pass."""
    plain = process.cdist([query], choices, scorer=fuzz.ratio, processor=None)[0]
    sorted_words = process.cdist([query], choices, scorer=fuzz.token_sort_ratio, processor=None)[0]
    result: np.ndarray = np.maximum(plain, sorted_words).astype(np.float64) / 100.0
    return result


def _best(vocabulary: Vocabulary, term: str, cutoff: float) -> tuple[str, float] | None:
    if not vocabulary.terms:
        return None
    scores = similarity(term, vocabulary.terms)
    best = int(np.argmax(scores))
    if scores[best] * 100 < cutoff:
        return None
    return vocabulary.term_codes[best], float(scores[best])


def resolve_skill(knowledge: Knowledge, text: str) -> Resolved:
    """Resolve one skill to a service, else a category, else keep it as free text."""
    term = normalise_term(text)
    service = _best(knowledge.services, term, SKILL_CUTOFF)
    category = _best(knowledge.categories, term, SKILL_CUTOFF)
    if service and (not category or service[1] >= category[1]):
        return Resolved(text, service[0], "service", service[1])
    if category:
        return Resolved(text, category[0], "category", category[1])
    return Resolved(text, None, "unresolved", 0.0)


def resolve_code(vocabulary: Vocabulary, text: str, cutoff: float = SKILL_CUTOFF) -> str | None:
    """Return the code of a certification, qualification or industry, or None."""
    found = _best(vocabulary, normalise_term(text), cutoff)
    return None if found is None else found[0]


def services_in_text(knowledge: Knowledge, text: str) -> tuple[Resolved, ...]:
    """Find the services (or categories: LPO, CX) a free text names, longest phrases first."""
    words = [word.casefold() for word in _WORDS.findall(text)]
    windows: list[tuple[int, int, str]] = [
        (start, start + size, " ".join(words[start : start + size]))
        for size in range(MAX_WINDOW, 0, -1)
        for start in range(len(words) - size + 1)
    ]
    if not windows:
        return ()
    vocabularies = (("service", knowledge.services), ("category", knowledge.categories))
    terms = tuple(term for _, vocabulary in vocabularies for term in vocabulary.terms)
    entries = [
        (level, code) for level, vocabulary in vocabularies for code in vocabulary.term_codes
    ]
    scores = process.cdist(
        [window for *_, window in windows],
        terms,
        scorer=fuzz.ratio,
        processor=None,
        score_cutoff=TEXT_CUTOFF,
    )
    taken = np.zeros(len(words), dtype=bool)
    found: dict[str, Resolved] = {}
    for row in np.flatnonzero(scores.max(axis=1)):
        start, end, window = windows[row]
        if taken[start:end].any():
            continue
        column = int(np.argmax(scores[row]))
        level, code = entries[column]
        taken[start:end] = True
        if code not in found:
            found[code] = Resolved(window, code, level, float(scores[row, column]) / 100)
    return tuple(found.values())
