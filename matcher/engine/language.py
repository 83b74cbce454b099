"""Words of a text: tokens with their offsets, the language they are in, and their stems.

Stems come from the Snowball stemmers (PyStemmer). A stemmer keeps state between calls, so
each reading makes its own (a third of a microsecond) and none is shared between threads.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import Stemmer

DEFAULT_LANGUAGE = "en"
# A word, a number pair ("24/7"), a word joined by "&" ("F&A", "R&D"); punctuation that ends a
# clause or separates a list is kept as a token of its own. Hyphens and apostrophes split words:
# "prior-art" is "prior art", "d'appels" is "d appels".
_TOKENS = re.compile(r"\d+/\d+|[^\W_]+(?:&[^\W_]+)*|[,;.:!?()\[\]/&+\n]")
_CLAUSE_ENDS = frozenset(";.:!?()[]\n")
_LIST_MARKS = frozenset(",/&+")

Kind = Literal["word", "stop", "join", "end"]


@dataclass(frozen=True, slots=True)
class Language:
    """How one language is read: its stemmer, its small words and its list words."""

    code: str
    stemmer: str
    stopwords: frozenset[str]
    conjunctions: frozenset[str]
    # The accented letters it writes ("ã", "ß"): they settle a tie of small words.
    letters: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Token:
    """One word or mark of a text, where it stands, and what part it plays."""

    text: str
    start: int
    end: int
    kind: Kind
    stem: str = ""
    folded: str = ""
    # Commas and list words from the start of the text up to this token: two words stand in
    # one phrase when no comma stands between them (counts are compared, not scanned).
    commas: int = 0
    joins: int = 0

    @property
    def caps(self) -> bool:
        """Whether the word is written in capitals, as abbreviations are ("AP", "IT")."""
        return _capitals(self.text)


def languages_from(data: Mapping[str, Mapping[str, Sequence[str] | str]]) -> dict[str, Language]:
    """Build the languages from the data file's entries."""
    return {
        code: Language(
            code,
            str(entry["stemmer"]),
            frozenset(fold(word) for word in entry["stopwords"]),
            frozenset(fold(word) for word in entry["conjunctions"]),
            frozenset(str(entry.get("letters", ""))),
        )
        for code, entry in data.items()
    }


def fold(word: str) -> str:
    """Return a word case-folded, with accents taken off ("Nómina" -> "nomina")."""
    if word.isascii():
        return word.lower()
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def words(text: str) -> list[tuple[str, int, int]]:
    """Return the raw tokens of a text with their character offsets."""
    return [(match.group(), match.start(), match.end()) for match in _TOKENS.finditer(text)]


def detect(text: str, languages: Mapping[str, Language]) -> str:
    """Return the language whose small words a text uses most (English when none stands out)."""
    folded = [fold(raw) for raw, _, _ in words(text)]
    counts = {
        code: sum(word in language.stopwords for word in folded)
        for code, language in languages.items()
    }
    lowered = text.lower()
    best = max(
        counts,
        key=lambda code: (
            counts[code],
            sum(lowered.count(letter) for letter in languages[code].letters),
            code == DEFAULT_LANGUAGE,
        ),
    )
    return best if counts[best] > counts.get(DEFAULT_LANGUAGE, 0) else DEFAULT_LANGUAGE


class Analyser:
    """Tokenise and stem texts in one language; one per reading, never shared by threads."""

    def __init__(self, language: Language):
        self.language = language
        self._stemmer = Stemmer.Stemmer(language.stemmer, 0)

    def stem(self, word: str) -> str:
        """Return the stem of one word, accents off first, so that inflected forms meet and
        a word typed without its accents ("nominas") is the same word."""
        return fold(str(self._stemmer.stemWord(word.casefold())))

    def tokens(self, text: str) -> list[Token]:
        """Return the tokens of a text, each with its kind and (for words) its stem."""
        result = []
        commas = joins = 0
        for raw, start, end in words(text):
            folded = fold(raw)
            stem = ""
            kind: Kind
            if raw in _CLAUSE_ENDS:
                kind = "end"
            elif raw in _LIST_MARKS or (
                folded in self.language.conjunctions and not _capitals(raw)
            ):
                kind = "join"
                joins += 1
                commas += raw == ","
            elif folded in self.language.stopwords and not _capitals(raw):
                kind = "stop"
            else:
                kind, stem = "word", self.stem(raw)
            result.append(Token(raw, start, end, kind, stem, folded, commas, joins))
        return result

    def key(self, text: str) -> tuple[str, ...]:
        """Return the stems of a name's words, small words left out: its look-up key."""
        return tuple(token.stem for token in self.tokens(text) if token.kind == "word")


def _capitals(raw: str) -> bool:
    return len(raw) > 1 and raw.isupper()
