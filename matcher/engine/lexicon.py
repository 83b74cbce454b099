"""The taxonomy as it is read in each language: names and aliases by their stems, the verb and
object patterns that stand for a service, and the phrases that say who the buyer is."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from matcher.engine.language import Analyser, Language, fold, words

Level = Literal["service", "category"]
How = Literal["exact", "alias", "lemma", "paraphrase", "fuzzy", "category"]
# A one-word name this short and written in capitals ("AP", "IT", "CX") is an abbreviation: it
# stands for the service only when the text writes it in capitals too ("ar" is Portuguese air).
ABBREVIATION = 5
# Verbs of at least this many letters meet their other conjugations by their first letters.
LOOSE_VERB = 5


@dataclass(frozen=True, slots=True)
class Term:
    """A name, alias or phrase of a service or category, keyed by its stems."""

    level: Level
    code: str
    text: str
    how: How
    caps: bool
    # Its words as written, folded ("saisie de donnees").
    spelt: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Pattern:
    """A verb and an object that together name a service: "take" + "calls"."""

    code: str
    verbs: tuple[tuple[str, ...], ...]
    objects: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class Buyer:
    """Words that say who the buyer is rather than what it buys, and what it keeps."""

    openers: tuple[tuple[str, ...], ...]
    opener_words: frozenset[str]
    needs_head: frozenset[tuple[str, ...]]
    possessives: frozenset[str]
    heads: frozenset[str]
    stops: frozenset[str]
    declines: tuple[tuple[str, ...], ...]
    declines_after: tuple[tuple[str, ...], ...]
    languages_named: frozenset[str]


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Everything needed to read a text in one language."""

    language: Language
    terms: Mapping[tuple[str, ...], Term]
    unordered: Mapping[tuple[str, ...], Term]
    spelled: frozenset[str]
    written: Mapping[tuple[str, ...], Term]
    # A word (its stem, or as written) -> the lengths, in words, of the names it can begin
    # (in any order, for names that meet in any order): windows of other lengths are not tried.
    starts: Mapping[str, frozenset[int]]
    patterns: tuple[Pattern, ...]
    # First stem of a pattern's verb or object -> each distinct key (its stems) with the
    # patterns it stands in: (pattern, 0 verb / 1 object).
    cues: Mapping[str, tuple[tuple[tuple[str, ...], tuple[tuple[int, int], ...]], ...]]
    # One-word verbs by their first letters, to meet other conjugations ("erfasst").
    loose_verbs: Mapping[str, tuple[tuple[int, str], ...]]
    # One-word verbs as written ("register"), which an ending in -er does not make a person.
    verb_words: frozenset[str]
    buyer: Buyer
    industries: Mapping[tuple[str, ...], str]
    industry_of: Mapping[str, str]
    category_of: Mapping[str, str]
    # A service -> the more specific services it covers (its loose reading yields to them).
    narrower: Mapping[str, frozenset[str]]
    # An umbrella service or category -> its core services, the parts a brief names it by.
    parts_of: Mapping[str, frozenset[str]]
    # Services done on documents: a list a colon opens after one names its documents.
    keys_documents: frozenset[str]
    multilingual: tuple[str, frozenset[str]] | None
    spellings: Mapping[int, tuple[tuple[str, ...], tuple[Term, ...], tuple[int, ...]]]
    # Names of several words by the words they are spelt with: a window with a slip in it is
    # compared only with the names that share one of its other words.
    spelling_words: Mapping[int, Mapping[str, tuple[int, ...]]]

    def analyser(self) -> Analyser:
        """Return a fresh analyser for this language (stemmers are not shared)."""
        return Analyser(self.language)


def build_lexicons(
    languages: Mapping[str, Language],
    services: Iterable[Mapping[str, Any]],
    categories: Iterable[Mapping[str, Any]],
    industries: Iterable[Mapping[str, Any]],
    paraphrases: Mapping[str, Any],
    buyers: Mapping[str, Any],
    umbrellas: Iterable[Mapping[str, Any]] = (),
) -> dict[str, Lexicon]:
    """Build one lexicon per language from the taxonomy and the reading data files (and the
    umbrella terms of the judging data, whose core services a brief may name as their parts)."""
    named = [
        *(("service", item) for item in services),
        *(("category", item) for item in categories),
    ]
    spellings = _spellings(named, paraphrases)
    english = buyers.get("en", {}).get("languages_named", ())
    # An umbrella service ("RCM") or a category's own core ("LPO"), not a named bundle in one.
    parts = {
        str(item.get("service") or item["category"]): frozenset(item["core"])
        for item in umbrellas
        if item.get("service") or not item.get("name")
    }
    return {
        code: _lexicon(
            language,
            named,
            industries,
            paraphrases,
            buyers.get(code, {}),
            spellings,
            english,
            parts,
        )
        for code, language in languages.items()
    }


def _names(
    named: list[tuple[str, Mapping[str, Any]]], paraphrases: Mapping[str, Any]
) -> list[tuple[Level, str, str, How]]:
    # Names before aliases before phrases: where two share stems, the plainer one stands.
    result: list[tuple[Level, str, str, How]] = []
    for level, item in named:
        result.append((level, item["code"], item["name"], "exact"))  # type: ignore[arg-type]
    for level, item in named:
        for alias in item["aliases"]:
            result.append((level, item["code"], alias, "alias"))  # type: ignore[arg-type]
    for code, entry in paraphrases["services"].items():
        kind: Level = "category" if entry.get("level") == "category" else "service"
        for block in entry["languages"].values():
            for phrase in block.get("phrases", ()):
                result.append((kind, str(code), str(phrase), "paraphrase"))
    return result


def _lexicon(
    language: Language,
    named: list[tuple[str, Mapping[str, Any]]],
    industries: Iterable[Mapping[str, Any]],
    paraphrases: Mapping[str, Any],
    buyer: Mapping[str, Any],
    spellings: Mapping[int, tuple[tuple[str, ...], tuple[Term, ...], tuple[int, ...]]],
    english_languages: Iterable[str],
    parts: Mapping[str, frozenset[str]],
) -> Lexicon:
    analyser = Analyser(language)
    terms: dict[tuple[str, ...], Term] = {}
    unordered: dict[tuple[str, ...], Term] = {}
    # Another language's name that means something else here ("collections" of art in French).
    false_friends = {
        (code, " ".join(_folded(text)))
        for code, entry in paraphrases["services"].items()
        for text in entry["languages"].get(language.code, {}).get("false_friends", ())
    }
    for level, code, text, how in _names(named, paraphrases):
        if (code, " ".join(_folded(text))) in false_friends:
            continue
        key = analyser.key(text)
        # A name of several words that keeps only one once small words are left out ("it
        # support" -> "support") would stand for far more than it names.
        if not key or (len(key) == 1 and len(_folded(text)) > 1):
            continue
        term = Term(level, code, text, how, _abbreviation(text), _folded(text))
        terms.setdefault(key, term)
        # Names and aliases meet in any order ("processing of payroll"); a paraphrase, being
        # looser already, only in its own.
        if len(key) > 1 and how != "paraphrase":
            unordered.setdefault(tuple(sorted(key)), term)
    # An entry's own verbs and objects pair each with each; "pairs" holds further groups whose
    # verbs fit only their own objects ("run" + "payroll" but not "run" + "payslips").
    patterns = tuple(
        Pattern(
            code,
            _keys(analyser, group.get("verbs", ())),
            _keys(analyser, group.get("objects", ())),
        )
        for code, entry in paraphrases["services"].items()
        if (block := entry["languages"].get(language.code))
        for group in (block, *block.get("pairs", ()))
        if group.get("verbs") and group.get("objects")
    )
    cues: dict[str, dict[tuple[str, ...], list[tuple[int, int]]]] = {}
    loose: dict[str, list[tuple[int, str]]] = {}
    for number, pattern in enumerate(patterns):
        for role, keys in ((0, pattern.verbs), (1, pattern.objects)):
            for key in keys:
                cues.setdefault(key[0], {}).setdefault(key, []).append((number, role))
        for key in pattern.verbs:
            if len(key) == 1 and len(key[0]) >= LOOSE_VERB:
                loose.setdefault(key[0][:LOOSE_VERB], []).append((number, key[0]))
    industry_keys: dict[tuple[str, ...], str] = {}
    for item in industries:
        for text in (item["name"], *item["aliases"]):
            if key := analyser.key(text):
                industry_keys.setdefault(key, item["code"])
    openers = tuple(_folded(text) for text in buyer.get("openers", ()))
    starts: dict[str, set[int]] = {}
    for key in terms:
        starts.setdefault(key[0], set()).add(len(key))
    for key in unordered:
        for stem in key:
            starts.setdefault(stem, set()).add(len(key))
    for names, found, _ in spellings.values():
        for name, term in zip(names, found, strict=True):
            if size := len(analyser.key(term.text)):
                starts.setdefault(name.split()[0], set()).add(size)
    return Lexicon(
        language=language,
        starts={word: frozenset(sizes) for word, sizes in starts.items()},
        terms=terms,
        unordered=unordered,
        written={
            tuple(name.split()): term
            for names, found, _ in spellings.values()
            for name, term in zip(names, found, strict=True)
        },
        # Words some name or phrase is spelt with: not slips, whatever they match.
        spelled=frozenset(
            word for _, _, text, _ in _names(named, paraphrases) for word in _folded(text)
        ),
        patterns=patterns,
        cues={
            stem: tuple((key, tuple(places)) for key, places in found.items())
            for stem, found in cues.items()
        },
        loose_verbs={prefix: tuple(found) for prefix, found in loose.items()},
        verb_words=frozenset(
            " ".join(_folded(verb))
            for entry in paraphrases["services"].values()
            if (block := entry["languages"].get(language.code))
            for group in (block, *block.get("pairs", ()))
            for verb in group.get("verbs", ())
            if len(_folded(verb)) == 1
        ),
        buyer=Buyer(
            openers=tuple(sorted(openers, key=len, reverse=True)),
            opener_words=frozenset(opener[0] for opener in openers if opener),
            needs_head=frozenset(_folded(text) for text in buyer.get("needs_head", ())),
            possessives=frozenset(fold(word) for word in buyer.get("possessives", ())),
            heads=frozenset(fold(word) for word in buyer.get("heads", ())),
            stops=frozenset(fold(word) for word in buyer.get("stops", ())),
            declines=tuple(_folded(text) for text in buyer.get("declines", ())),
            declines_after=tuple(_folded(text) for text in buyer.get("declines_after", ())),
            languages_named=frozenset(
                fold(word) for word in (*buyer.get("languages_named", ()), *english_languages)
            ),
        ),
        industries=industry_keys,
        industry_of=dict(paraphrases.get("industry_of", {})),
        keys_documents=frozenset(paraphrases.get("keys_documents", ())),
        parts_of=parts,
        narrower={
            code: frozenset(codes) for code, codes in paraphrases.get("narrower", {}).items()
        },
        multilingual=(
            (asked["service"], frozenset(asked["when"]))
            if (asked := paraphrases.get("languages_ask_for"))
            else None
        ),
        category_of={item["code"]: item["category"] for level, item in named if level == "service"},
        spellings=spellings,
        spelling_words=_spelling_words(spellings),
    )


def _spellings(
    named: list[tuple[str, Mapping[str, Any]]], paraphrases: Mapping[str, Any]
) -> dict[int, tuple[tuple[str, ...], tuple[Term, ...], tuple[int, ...]]]:
    # Names and aliases as written (folded), by number of words, for typo tolerance. Not the
    # paraphrases: a slip is forgiven in a name, and a loose phrase misspelt is too far off.
    grouped: dict[int, dict[str, Term]] = {}
    for level, code, text, how in _names(named, paraphrases):
        if how == "paraphrase":
            continue
        folded = _folded(text)
        if folded:
            term = Term(level, code, text, how, _abbreviation(text), _folded(text))
            grouped.setdefault(len(folded), {}).setdefault(" ".join(folded), term)
    # Shortest first, so that a look-up compares only names of about the query's length.
    result = {}
    for size, found in sorted(grouped.items()):
        ordered = sorted(found.items(), key=lambda item: len(item[0]))
        result[size] = (
            tuple(name for name, _ in ordered),
            tuple(term for _, term in ordered),
            tuple(len(name) for name, _ in ordered),
        )
    return result


def _spelling_words(
    spellings: Mapping[int, tuple[tuple[str, ...], tuple[Term, ...], tuple[int, ...]]],
) -> dict[int, dict[str, tuple[int, ...]]]:
    result: dict[int, dict[str, tuple[int, ...]]] = {}
    for size, (names, _, _) in spellings.items():
        if size == 1:
            continue
        places: dict[str, list[int]] = {}
        for number, name in enumerate(names):
            for word in set(name.split()):
                places.setdefault(word, []).append(number)
        result[size] = {word: tuple(found) for word, found in places.items()}
    return result


def _keys(analyser: Analyser, texts: Iterable[str]) -> tuple[tuple[str, ...], ...]:
    return tuple(dict.fromkeys(key for text in texts if (key := analyser.key(text))))


def _folded(text: str) -> tuple[str, ...]:
    return tuple(fold(raw) for raw, _, _ in words(text) if raw[0].isalnum())


def _abbreviation(text: str) -> bool:
    found = words(text)
    return len(found) == 1 and len(text) <= ABBREVIATION and text.isupper()
