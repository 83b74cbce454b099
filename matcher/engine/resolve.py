"""Read skills and free text: resolve them to taxonomy entries with rapidfuzz."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal, cast

import numpy as np
from rapidfuzz import fuzz, process

from matcher.engine.knowledge import Knowledge, Vocabulary, normalise_term
from matcher.engine.language import detect

# A skill must be this alike (0-1) to a term to stand for its entry, and have as many words:
# typos and swapped words pass; a word inside a longer name does not ("data" is not "data
# entry", "accounting" is not "GL accounting"). Free text is read by matcher.engine.brief.
SKILL_CUTOFF = 0.86
# How alike (rapidfuzz WRatio, 0-100) a term must be to be offered while typing.
SUGGEST_CUTOFF = 86
# Fuzzy look-ups remembered per vocabulary; past this many it starts again.
MEMO_SIZE = 20_000
_UNSEEN: Any = object()
_WORD_BREAKS = re.compile(r"[\s/-]+")


@dataclass(frozen=True, slots=True)
class Resolved:
    """A skill as the client wrote it, and what the taxonomy says it is."""

    text: str
    code: str | None
    level: Literal["service", "category", "unresolved"]
    similarity: float
    # How the words met the taxonomy: exact, alias, lemma, paraphrase, fuzzy or category.
    how: str = ""


def ratio(scores: np.ndarray) -> np.ndarray:
    """Turn rapidfuzz's 0-100 scores into the engine's 0-1 scale."""
    result: np.ndarray = np.asarray(scores, dtype=np.float64) / 100.0
    return result


def similarity(query: str, vocabulary: Vocabulary) -> np.ndarray:
    """Return 0-1 similarities of a normalised query to every term: the better of the plain
    and the word-sorted ratio, so typos and swapped words both pass."""
    plain = process.cdist([query], vocabulary.terms, scorer=fuzz.ratio, processor=None)[0]
    swapped = process.cdist(
        [query], vocabulary.terms, scorer=fuzz.token_sort_ratio, processor=None
    )[0]
    return ratio(np.maximum(plain, swapped))


def _best(vocabulary: Vocabulary, term: str, cutoff: float) -> tuple[str, float] | None:
    exact = vocabulary.by_term.get(term)
    if exact is not None:
        return exact, 1.0
    if not vocabulary.terms:
        return None
    key = (term, cutoff)
    # One read and one write, each atomic: threads sharing the memo never see half an entry.
    if (remembered := vocabulary.memo.get(key, _UNSEEN)) is not _UNSEEN:
        return cast(tuple[str, float] | None, remembered)
    found = _closest(vocabulary, term, cutoff)
    if len(vocabulary.memo) >= MEMO_SIZE:
        vocabulary.memo.clear()
    vocabulary.memo[key] = found
    return found


def _closest(vocabulary: Vocabulary, term: str, cutoff: float) -> tuple[str, float] | None:
    scores = similarity(term, vocabulary)
    words = set(_WORD_BREAKS.split(term))
    for position in np.argsort(-scores, kind="stable"):
        if scores[position] < cutoff:
            return None
        other = set(_WORD_BREAKS.split(vocabulary.terms[position]))
        # A term that only adds or drops whole words is another thing, not a spelling of it.
        if not (words < other or other < words):
            return vocabulary.term_codes[position], float(scores[position])
    return None


def resolve_skill(knowledge: Knowledge, text: str) -> Resolved:
    """Resolve one skill to a service, else a category, else keep it as free text: by its
    name or alias, then by its words' stems in any of the languages read, then by spelling."""
    term = normalise_term(text)
    for level, vocabulary in (("service", knowledge.services), ("category", knowledge.categories)):
        code = vocabulary.by_term.get(term)
        if code is not None:
            return Resolved(text, code, level, 1.0, _how(level, vocabulary, code, term))  # type: ignore[arg-type]
    stemmed = _by_stems(knowledge, text)
    if stemmed is not None:
        return stemmed
    service = _best(knowledge.services, term, SKILL_CUTOFF)
    category = _best(knowledge.categories, term, SKILL_CUTOFF)
    if service and (not category or service[1] >= category[1]):
        return Resolved(text, service[0], "service", service[1], "fuzzy")
    if category:
        return Resolved(text, category[0], "category", category[1], "category")
    return Resolved(text, None, "unresolved", 0.0)


def _how(level: str, vocabulary: Vocabulary, code: str, term: str) -> str:
    if level == "category":
        return "category"
    return "exact" if normalise_term(vocabulary.entries[code].name) == term else "alias"


def _by_stems(knowledge: Knowledge, text: str) -> Resolved | None:
    # The text's own language first, then the others: a skill is a few words, often borrowed.
    first = detect(text, knowledge.languages)
    for code in (first, *(other for other in knowledge.lexicons if other != first)):
        lexicon = knowledge.lexicons[code]
        key = lexicon.analyser().key(text)
        term = lexicon.terms.get(key) or (
            lexicon.unordered.get(tuple(sorted(key))) if len(key) > 1 else None
        )
        if term is not None:
            how = (
                "category"
                if term.level == "category"
                else ("paraphrase" if term.how == "paraphrase" else "lemma")
            )
            return Resolved(text, term.code, term.level, 0.95, how)
    return None


def resolve_code(vocabulary: Vocabulary, text: str, cutoff: float = SKILL_CUTOFF) -> str | None:
    """Return the code of a certification, qualification or industry, or None."""
    found = _best(vocabulary, normalise_term(text), cutoff)
    return None if found is None else found[0]


def suggest(vocabulary: Vocabulary, text: str, limit: int = 8) -> list[str]:
    """Return the names of entries a user may mean while typing `text`, best first.

    Terms whose words begin with the typed words come first (a name, an alias or an
    abbreviation); then terms close by rapidfuzz's WRatio, which forgives typos.
    """
    query = normalise_term(text)
    if not query or not vocabulary.terms:
        return []
    found = process.extract(
        query, vocabulary.terms, scorer=fuzz.WRatio, processor=None, limit=None, score_cutoff=50
    )
    typed = _WORD_BREAKS.split(query)
    ranked = []
    for _, score, position in found:
        term = vocabulary.terms[position]
        words = _WORD_BREAKS.split(term)
        # "cust supp" starts "customer support": every typed word begins a word of the term.
        starts = all(any(word.startswith(part) for word in words) for part in typed)
        if starts or score >= SUGGEST_CUTOFF:
            ranked.append((not term.startswith(query), not starts, -score, position))
    ranked.sort()
    names = (vocabulary.entries[vocabulary.term_codes[hit[-1]]].name for hit in ranked)
    return list(dict.fromkeys(names))[:limit]
