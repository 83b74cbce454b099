"""Read the services a free text asks for, as a sourcing lead reads a brief.

Words are compared by their stems, so inflected forms meet ("modelling", "models"); small words
are left out inside a phrase ("processing of payroll" is "payroll processing"). On top of the
taxonomy's names: lists that share a head ("contract drafting and review"), verbs with their
objects ("answer the phones"), spelling slips, and the words that say who the buyer is ("we are
a data analytics startup"), which set the client's industry and never a service.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from matcher.engine.language import Token, detect
from matcher.engine.lexicon import LOOSE_VERB, Buyer, How, Level, Lexicon, Term

# At most this many words stand between a verb and its object ("answer all incoming calls").
GAP = 3
# A lone verb or object stands for words at most this much longer than its stem: "patents"
# is "patent", "patentability" is not.
STEM_REACH = 6
# A list shares at most this many words of head before or after its items.
HEAD = 3
# Spelling slips: a phrase this alike (rapidfuzz ratio, 0-100) to a name, with as many words.
SPELLING_CUTOFF = 92
SPELLING_WINDOW = 4
SPELLING_MIN_LETTERS = 5
# Two texts whose lengths differ by more than this share cannot be SPELLING_CUTOFF alike.
SPELLING_LENGTHS = 0.85
# Languages that put the verb after its object ("Daten erfassen"), and the marks that part a
# verb from an object.
VERB_LAST = frozenset({"de"})
# How a one-word paraphrase may end in the plural, in the five languages.
PLURAL_ENDINGS = ("s", "es", "n", "en", "x")
LIST_BREAKS = frozenset({",", ";"})
# The marks that end a sentence (a colon or a semicolon ends a clause, not a sentence).
SENTENCE_ENDS = frozenset({".", "!", "?", "\n"})
# A buyer's description of itself is at most this many words long.
IDENTITY_WORDS = 6
CONFIDENCE: Mapping[str, float] = {
    "exact": 1.0,
    "alias": 0.97,
    "lemma": 0.93,
    "unordered": 0.88,
    "coordination": 0.9,
    "paraphrase": 0.85,
}


@dataclass(frozen=True, slots=True)
class Found:
    """A service (or category) a text names, and where."""

    level: Level
    code: str
    text: str
    start: int
    end: int
    how: How
    confidence: float


@dataclass(frozen=True, slots=True)
class Identity:
    """Words in which the buyer says who it is, and the industry they name."""

    text: str
    start: int
    end: int
    industry: str | None


@dataclass(frozen=True, slots=True)
class TextReading:
    """What one text says: services, who the buyer is, and the clauses nothing was read in."""

    language: str
    found: tuple[Found, ...]
    identities: tuple[Identity, ...]
    unrecognised: tuple[tuple[str, int, int], ...]


@dataclass(frozen=True, slots=True)
class _Candidate:
    found: Found
    covers: frozenset[int]
    size: int
    verbs: frozenset[int] = frozenset()


def read_text(
    lexicons: Mapping[str, Lexicon], text: str, language: str | None = None
) -> TextReading:
    """Read the services a text names, each once, in the order they are written."""
    code = language or detect(text, {key: lexicon.language for key, lexicon in lexicons.items()})
    lexicon = lexicons[code]
    tokens = lexicon.analyser().tokens(text)
    identities, blocked = _identities(lexicon, tokens, text)
    blocked |= _declined(lexicon, tokens)
    clauses = _clauses(tokens)
    taken = set(blocked)
    chosen: list[_Candidate] = []
    for clause in clauses:
        words = [i for i in clause if tokens[i].kind == "word"]
        direct = _terms(lexicon, tokens, words, text) + _paraphrases(lexicon, tokens, words, text)
        chosen += _select(direct, taken)
        chosen += _select(_spellings(lexicon, tokens, words, text, taken), taken)
        chosen += _coordinated(lexicon, tokens, clause, text, blocked, chosen)
    found: dict[str, Found] = {}
    for candidate in sorted(
        chosen, key=lambda item: (item.found.start, -item.size, -item.found.confidence)
    ):
        found.setdefault(candidate.found.code, candidate.found)
    _drop_documents(lexicon, tokens, found)
    # "End-to-end revenue cycle: eligibility checks, prior auths, coding": a part of an umbrella
    # the brief names, read from loose words, is the umbrella's scope, not one more service.
    for umbrella, core in lexicon.parts_of.items():
        if umbrella in found:
            for code in [code for code in core & found.keys() if found[code].how == "paraphrase"]:
                del found[code]
    # "An IT service desk: password resets, ticket logging": a loose reading of a broad service
    # yields to the specific one it covers, read in the same brief.
    for broad, specific in lexicon.narrower.items():
        if (
            found.get(broad) is not None
            and found[broad].how == "paraphrase"
            and specific & found.keys()
        ):
            del found[broad]
    asked = _languages_asked(lexicon, tokens, text, found)
    if asked is not None:
        found.setdefault(asked.code, asked)
    read_spans = [(item.start, item.end) for item in found.values()]
    read_spans += [(item.start, item.end) for item in identities]
    unrecognised = tuple(
        part for clause in clauses if (part := _unread(tokens, clause, text, read_spans))
    )
    return TextReading(code, tuple(found.values()), identities, unrecognised)


def _drop_documents(lexicon: Lexicon, tokens: Sequence[Token], found: dict[str, Found]) -> None:
    """Leave out the loose readings in a list a colon opens after a service done on documents,
    named outright: "data entry for our clients: bank statements, purchase invoices, expense
    claims" names the documents keyed, not three services more."""
    ends = [token for token in tokens if token.kind == "end" and token.text in SENTENCE_ENDS]
    for token in tokens:
        if token.text != ":":
            continue
        opened = token.start
        begun = max((end.end for end in ends if end.end <= opened), default=0)
        closed = min((end.start for end in ends if end.start > opened), default=tokens[-1].end + 1)
        named = any(
            code in lexicon.keys_documents
            and item.how in ("exact", "alias", "lemma")
            and begun <= item.start
            and item.end <= opened
            for code, item in found.items()
        )
        if named:
            for code in [
                code
                for code, item in found.items()
                if item.how == "paraphrase" and opened < item.start < closed
            ]:
                del found[code]


def _languages_asked(
    lexicon: Lexicon, tokens: Sequence[Token], text: str, found: Mapping[str, Found]
) -> Found | None:
    # Support "in English, German and Italian" is multilingual support.
    rule = lexicon.multilingual
    named = [i for i, token in enumerate(tokens) if token.folded in lexicon.buyer.languages_named]
    if rule is None or len({tokens[i].folded for i in named}) < 2:
        return None
    if not any(lexicon.category_of.get(code) in rule[1] for code in found):
        return None
    snippet, start, end = _span(tokens, named[0], named[-1], text)
    return Found("service", rule[0], snippet, start, end, "paraphrase", CONFIDENCE["paraphrase"])


def _clauses(tokens: Sequence[Token]) -> list[list[int]]:
    clauses: list[list[int]] = [[]]
    for position, token in enumerate(tokens):
        if token.kind == "end":
            clauses.append([])
        else:
            clauses[-1].append(position)
    return [clause for clause in clauses if clause]


def _span(tokens: Sequence[Token], first: int, last: int, text: str) -> tuple[str, int, int]:
    start, end = tokens[first].start, tokens[last].end
    return text[start:end], start, end


def _found(
    term: Term, tokens: Sequence[Token], first: int, last: int, text: str, how: str
) -> Found:
    # `how` is how the words met the term: as written, by stems, in another order, in a list.
    snippet, start, end = _span(tokens, first, last, text)
    if term.how == "paraphrase":
        how = "paraphrase"
    told = "lemma" if how in ("unordered", "coordination") else how
    if term.level == "category":
        told = "category"
    return Found(term.level, term.code, snippet, start, end, told, CONFIDENCE[how])  # type: ignore[arg-type]


def _terms(
    lexicon: Lexicon, tokens: Sequence[Token], words: list[int], text: str
) -> list[_Candidate]:
    result = []
    empty: frozenset[int] = frozenset()
    for first in range(len(words)):
        token = tokens[words[first]]
        sizes = lexicon.starts.get(token.stem, empty) | lexicon.starts.get(token.folded, empty)
        for size in sorted(sizes, reverse=True):
            if size > len(words) - first:
                continue
            window = words[first : first + size]
            if _broken(tokens, window):
                continue
            key = tuple(tokens[i].stem for i in window)
            term, how = lexicon.terms.get(key), "lemma"
            if term is None:
                # Written as a name is written, accents left off ("saisie de donnees").
                spelt = tuple(
                    tokens[i].folded
                    for i in range(window[0], window[-1] + 1)
                    if tokens[i].kind != "join"
                )
                term = lexicon.written.get(spelt)
            if term is None and size > 1 and not _joined(tokens, window):
                term, how = lexicon.unordered.get(tuple(sorted(key))), "unordered"
            if term is None or (term.caps and not (size == 1 and tokens[window[0]].caps)):
                continue
            written = _written_as(tokens, window[0], window[-1], term)
            # A one-word paraphrase stands only as written or as its plural: "reporting", not
            # "reported"; "animations", "Sektoranalysen".
            if (
                size == 1
                and term.how == "paraphrase"
                and not written
                and not _plural_of(tokens[window[0]], term)
            ):
                continue
            if how == "lemma" and written:
                how = term.how
            found = _found(term, tokens, window[0], window[-1], text, how)
            result.append(_Candidate(found, frozenset(window), size))
    return result


def _broken(tokens: Sequence[Token], window: list[int]) -> bool:
    return tokens[window[-1]].commas != tokens[window[0]].commas


def _joined(tokens: Sequence[Token], window: list[int]) -> bool:
    return tokens[window[-1]].joins != tokens[window[0]].joins


def _plural_of(token: Token, term: Term) -> bool:
    named = term.spelt
    return len(named) == 1 and any(token.folded == named[0] + end for end in PLURAL_ENDINGS)


def _written_as(tokens: Sequence[Token], first: int, last: int, term: Term) -> bool:
    written = [tokens[i].folded for i in range(first, last + 1) if tokens[i].kind != "join"]
    return tuple(written) == term.spelt


def _paraphrases(
    lexicon: Lexicon, tokens: Sequence[Token], words: list[int], text: str
) -> list[_Candidate]:
    stems = [tokens[i].stem for i in words]
    verb_last = lexicon.language.code in VERB_LAST
    # English stems meet their conjugations already; prefixes would take "analyst" for "analyse".
    english = lexicon.language.code == "en"
    loose = lexicon.loose_verbs if not english else {}
    # Where each pattern's verbs and objects stand, found through the lexicon's index of
    # first stems: one pass over the clause, not one per pattern.
    places: dict[int, tuple[list[tuple[int, int]], list[tuple[int, int]]]] = {}
    for position, stem in enumerate(stems):
        agent = english and _agent_noun(tokens[words[position]], lexicon.verb_words)
        for key, standing in lexicon.cues.get(stem, ()):
            end = position + len(key) - 1
            if tuple(stems[position : end + 1]) != key or not _fits(
                tokens, words, position, end, key
            ):
                continue
            for pattern, role in standing:
                if not (role == 0 and agent):
                    places.setdefault(pattern, ([], []))[role].append((position, end))
        for pattern, verb in loose.get(stem[:LOOSE_VERB], ()):
            if (
                stem != verb
                and _same_verb(stem, verb)
                and _fits(tokens, words, position, position, (verb,))
            ):
                places.setdefault(pattern, ([], []))[0].append((position, position))
    result = []
    for number, (verbs, objects) in sorted(places.items()):
        pair = next(
            (
                (verb, thing)
                for verb in verbs
                for thing in objects
                if _pairs(tokens, words, verb, thing, verb_last)
                and not (english and _participle(tokens, words, verb, thing))
            ),
            None,
        )
        if pair is None:
            continue
        (verb_start, verb_end), (thing_start, thing_end) = pair
        first, last = min(verb_start, thing_start), max(verb_end, thing_end)
        snippet, start, end = _span(tokens, words[first], words[last], text)
        code = lexicon.patterns[number].code
        found = Found("service", code, snippet, start, end, "paraphrase", CONFIDENCE["paraphrase"])
        covers = frozenset(words[thing_start : thing_end + 1])
        size = thing_end - thing_start + verb_end - verb_start + 2
        verb_words = frozenset(words[verb_start : verb_end + 1])
        result.append(_Candidate(found, covers, size, verb_words))
    return result


def _agent_noun(token: Token, verbs: frozenset[str]) -> bool:
    # "managers" shares its stem with "manage", but the people are not the verb; "register"
    # and "recovers" are verbs as written.
    word = token.folded
    return (
        word.endswith(("er", "ers"))
        and not token.stem.endswith("er")
        and word not in verbs
        and word.removesuffix("s") not in verbs
    )


def _fits(
    tokens: Sequence[Token], words: list[int], first: int, last: int, key: tuple[str, ...]
) -> bool:
    # In one stretch between commas; a lone word no longer than its stem reaches.
    if len(key) == 1:
        return len(tokens[words[first]].folded) - len(key[0]) <= STEM_REACH
    return not _broken(tokens, words[first : last + 1])


def _pairs(
    tokens: Sequence[Token],
    words: list[int],
    verb: tuple[int, int],
    thing: tuple[int, int],
    verb_last: bool,
) -> bool:
    # The object follows its verb within a few words ("answer all incoming calls"); it comes
    # first only right before it ("claims processed"), or anywhere close in a language that
    # puts the verb last ("Anrufe von Kunden entgegennehmen"). Never across a comma.
    if thing[0] <= verb[1] and verb[0] <= thing[1]:
        return False  # one word is not both ("renew" in "renewal")
    if thing[0] > verb[1]:
        gap, first, last = thing[0] - verb[1] - 1, words[verb[1]], words[thing[0]]
    else:
        gap, first, last = verb[0] - thing[1] - 1, words[thing[1]], words[verb[0]]
        if not verb_last and gap > 0:
            return False
    if gap > GAP:
        return False
    return tokens[first].commas == tokens[last].commas


def _participle(
    tokens: Sequence[Token], words: list[int], verb: tuple[int, int], thing: tuple[int, int]
) -> bool:
    # "scanned invoices" is the material ("data entry of scanned invoices"), not the scanning.
    return thing[0] == verb[1] + 1 and tokens[words[verb[1]]].folded.endswith("ed")


def _same_verb(stem: str, verb: str) -> bool:
    # Stemmers leave some conjugations apart ("erfasst", "erfass"): one begins the other.
    return len(stem) >= LOOSE_VERB and (stem.startswith(verb) or verb.startswith(stem))


def _select(candidates: list[_Candidate], taken: set[int]) -> list[_Candidate]:
    # Longest phrase first, then the surest reading: "inbound call centre" before "call centre".
    # Verbs may be shared ("answer calls and emails"), but not with a name: in "desk research
    # on the market", "research" belongs to "desk research".
    chosen = []
    named: set[int] = set()
    for candidate in sorted(
        candidates, key=lambda c: (-c.size, -c.found.confidence, c.found.start)
    ):
        if candidate.covers & taken or candidate.verbs & named:
            continue
        taken |= candidate.covers
        if not candidate.verbs:
            named |= candidate.covers
        chosen.append(candidate)
    return chosen


def _spellings(
    lexicon: Lexicon, tokens: Sequence[Token], words: list[int], text: str, taken: set[int]
) -> list[_Candidate]:
    result: list[_Candidate] = []
    # A slip is a word no name is spelt with ("suport"), long enough to tell.
    slips = [
        tokens[i].folded not in lexicon.spelled and len(tokens[i].text) >= SPELLING_MIN_LETTERS
        for i in words
    ]
    if not any(slips):
        return result
    for size in range(min(SPELLING_WINDOW, len(words)), 0, -1):
        if size not in lexicon.spellings:
            continue
        names, terms, lengths = lexicon.spellings[size]
        for first in range(len(words) - size + 1):
            unknown = sum(slips[first : first + size])
            if not unknown or (size > 1 and unknown == size):
                continue
            window = words[first : first + size]
            if taken.intersection(window) or _joined(tokens, window):
                continue
            query = " ".join(tokens[i].folded for i in window)
            # Names too much shorter or longer cannot reach the cutoff.
            low = bisect_left(lengths, len(query) * SPELLING_LENGTHS)
            high = bisect_right(lengths, len(query) / SPELLING_LENGTHS)
            if size == 1:
                numbers: Sequence[int] = range(low, high)
            else:
                # Only names that share one of the window's rightly spelt words.
                sharing = lexicon.spelling_words[size]
                numbers = sorted(
                    {
                        number
                        for i in window
                        for number in sharing.get(tokens[i].folded, ())
                        if low <= number < high
                    }
                )
            best = process.extractOne(
                query,
                [names[number] for number in numbers],
                scorer=fuzz.ratio,
                processor=None,
                score_cutoff=SPELLING_CUTOFF,
            )
            if best is None:
                continue
            term = terms[numbers[best[2]]]
            if term.caps:
                continue
            snippet, start, end = _span(tokens, window[0], window[-1], text)
            how: How = "category" if term.level == "category" else "fuzzy"
            found = Found(term.level, term.code, snippet, start, end, how, 0.9 * best[1] / 100)
            result.append(_Candidate(found, frozenset(window), size))
    return result


def _coordinated(
    lexicon: Lexicon,
    tokens: Sequence[Token],
    clause: list[int],
    text: str,
    blocked: set[int],
    chosen: list[_Candidate],
) -> list[_Candidate]:
    # "contract drafting and review", "equity and credit research", "medical billing, coding
    # and collections": items of one list that each form a name with the words they share.
    result = []
    # A phrase that is itself a list ("medical billing and coding") does not own its items.
    owners = {
        i: candidate.found.code
        for candidate in chosen
        if not _joined(tokens, sorted(candidate.covers))
        for i in candidate.covers
    }
    for items in _lists(tokens, clause):
        before = _run(tokens, clause, items[0], -1)
        after = _run(tokens, clause, items[-1], 1)
        for lead in range(len(before) + 1):
            for tail in range(len(after) + 1):
                if not lead and not tail:
                    continue
                head, rest = before[len(before) - lead :], after[:tail]
                named = [
                    (item, term)
                    for item in items
                    if (term := lexicon.terms.get(_stems(tokens, [*head, item, *rest])))
                    and not term.caps
                ]
                if len(named) < 2:
                    continue
                first = head[0] if head else items[0]
                last = rest[-1] if rest else items[-1]
                for item, term in named:
                    if item in blocked or owners.get(item, term.code) != term.code:
                        continue
                    found = _found(term, tokens, first, last, text, "coordination")
                    result.append(_Candidate(found, frozenset({item}), 1 + lead + tail))
    return result


def _lists(tokens: Sequence[Token], clause: list[int]) -> list[list[int]]:
    # Runs of single words joined by "and", "or", "/", commas: word (join+ word)+.
    lists: list[list[int]] = []
    current: list[int] = []
    joined = False
    for i in clause:
        kind = tokens[i].kind
        if kind == "join":
            joined = bool(current)
            continue
        if kind == "word" and joined:
            current.append(i)
        elif kind == "word" or not joined:
            if len(current) > 1:
                lists.append(current)
            current = [i] if kind == "word" else []
        joined = joined and kind == "stop"
    if len(current) > 1:
        lists.append(current)
    return lists


def _run(tokens: Sequence[Token], clause: list[int], start: int, step: int) -> list[int]:
    # The words next to a list, in text order, up to a join or the clause's edge.
    position = clause.index(start) + step
    found: list[int] = []
    while 0 <= position < len(clause) and len(found) < HEAD:
        token = tokens[clause[position]]
        if token.kind == "join":
            break
        if token.kind == "word":
            found.append(clause[position])
        position += step
    return found if step > 0 else found[::-1]


def _stems(tokens: Sequence[Token], positions: list[int]) -> tuple[str, ...]:
    return tuple(tokens[i].stem for i in positions)


def _identities(
    lexicon: Lexicon, tokens: Sequence[Token], text: str
) -> tuple[tuple[Identity, ...], set[int]]:
    buyer = lexicon.buyer
    folded = [token.folded for token in tokens]
    found: list[Identity] = []
    blocked: set[int] = set()
    position = 0
    while position < len(tokens):
        span = _after_opener(buyer, tokens, folded, position) or _possessed(
            buyer, tokens, folded, position
        )
        if span is None:
            position += 1
            continue
        first, last = span
        snippet, start, end = _span(tokens, first, last, text)
        words = [i for i in range(first, last + 1) if tokens[i].kind == "word"]
        found.append(Identity(snippet, start, end, _industry(lexicon, tokens, words)))
        blocked.update(range(first, last + 1))
        position = last + 1
    return tuple(found), blocked


def _after_opener(
    buyer: Buyer, tokens: Sequence[Token], folded: list[str], position: int
) -> tuple[int, int] | None:
    if folded[position] not in buyer.opener_words:
        return None
    for opener in buyer.openers:
        if tuple(folded[position : position + len(opener)]) != opener:
            continue
        first = position + len(opener)
        last = first - 1
        count = 0
        while last + 1 < len(tokens) and count < IDENTITY_WORDS:
            token = tokens[last + 1]
            if token.kind in ("end", "join") or folded[last + 1] in buyer.stops:
                break
            last += 1
            count += token.kind == "word"
        words = [i for i in range(first, last + 1) if tokens[i].kind == "word"]
        if not words:
            return None
        if opener in buyer.needs_head and not any(_head(buyer, tokens[i]) for i in words):
            return None
        return words[0], words[-1]
    return None


def _head(buyer: Buyer, token: Token) -> bool:
    # By the word itself (or its plural), not its stem: "insurer" heads, "insurance" does not.
    word = token.folded
    return word in buyer.heads or word.removesuffix("s") in buyer.heads


def _possessed(
    buyer: Buyer, tokens: Sequence[Token], folded: list[str], position: int
) -> tuple[int, int] | None:
    if folded[position] not in buyer.possessives:
        return None
    words: list[int] = []
    for i in range(position + 1, min(len(tokens), position + 2 + IDENTITY_WORDS)):
        token = tokens[i]
        if token.kind in ("end", "join"):
            return None
        if token.kind != "word":
            continue
        words.append(i)
        if _head(buyer, token):
            return (words[0], words[-1]) if len(words) > 1 else None
    return None


def _declined(lexicon: Lexicon, tokens: Sequence[Token]) -> set[int]:
    # "We've designed the questionnaire ourselves", "manuals stay in-house", "we don't need
    # help settling claims": work the buyer keeps is not work it asks for. The scope is the
    # stretch of the sentence between commas that holds the words.
    folded = [token.folded for token in tokens]
    places: dict[str, list[int]] = {}
    for position, word in enumerate(folded):
        places.setdefault(word, []).append(position)
    found: set[int] = set()
    for cue in lexicon.buyer.declines:
        for position in places.get(cue[0], ()):
            if tuple(folded[position : position + len(cue)]) != cue:
                continue
            first = position
            while first > 0 and not _parts(tokens[first - 1]):
                first -= 1
            last = position
            while last + 1 < len(tokens) and not _parts(tokens[last + 1]):
                last += 1
            found.update(range(first, last + 1))
    for cue in lexicon.buyer.declines_after:
        for position in places.get(cue[0], ()):
            if tuple(folded[position : position + len(cue)]) != cue:
                continue
            last = position
            while last + 1 < len(tokens) and not _parts(tokens[last + 1]):
                last += 1
            found.update(range(position, last + 1))
    return found


def _parts(token: Token) -> bool:
    return token.kind == "end" or token.text in LIST_BREAKS


def _industry(lexicon: Lexicon, tokens: Sequence[Token], words: list[int]) -> str | None:
    stems = [tokens[i].stem for i in words]
    for size in range(len(stems), 0, -1):
        for first in range(len(stems) - size + 1):
            if code := lexicon.industries.get(tuple(stems[first : first + size])):
                return code
    for candidate in _terms(lexicon, tokens, words, ""):
        found = candidate.found
        category = lexicon.category_of.get(found.code, "")
        if code := lexicon.industry_of.get(found.code) or lexicon.industry_of.get(category):
            return code
    return None


def _unread(
    tokens: Sequence[Token], clause: list[int], text: str, spans: list[tuple[int, int]]
) -> tuple[str, int, int] | None:
    words = [i for i in clause if tokens[i].kind == "word"]
    if len(words) < 2:
        return None
    start, end = tokens[clause[0]].start, tokens[clause[-1]].end
    if any(low < end and start < high for low, high in spans):
        return None
    return text[start:end], start, end
