"""Find vendors that are probably the same company under two ids, by their names."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

import numpy as np
from rapidfuzz import fuzz, process

# Legal forms say nothing about which company it is: "Acme Ltd." and "ACME Limited" are one.
LEGAL_FORMS = frozenset(
    resources.files("vendors").joinpath("data/legal_forms.txt").read_text("utf-8").split()
)
SIMILAR_AT = 92.0
WINDOW = 6
_WORDS = re.compile(r"[^\W_]+")
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True, slots=True)
class Duplicate:
    """Two or more vendor ids whose names suggest one company."""

    ids: tuple[str, ...]
    reason: str

    def to_dict(self) -> dict[str, object]:
        """Return the report form."""
        return {"ids": list(self.ids), "reason": self.reason}


def name_key(name: str) -> str:
    """Return the name with case, punctuation and legal forms removed."""
    words = _join_initials(_WORDS.findall(name.casefold().replace("&", " and ")))
    kept = [word for word in words if word not in LEGAL_FORMS]
    return " ".join(kept or words)


def _join_initials(words: list[str]) -> list[str]:
    # Dotted forms split into letters ("S.A." -> "s", "a"); join runs of them back ("sa").
    joined: list[str] = []
    run = ""
    for word in [*words, ""]:
        if len(word) == 1:
            run += word
            continue
        if run:
            joined.append(run)
            run = ""
        if word:
            joined.append(word)
    return joined


def find_duplicates(
    incoming: Iterable[tuple[str, str]], existing: Iterable[tuple[str, str]] = ()
) -> list[Duplicate]:
    """Return likely duplicates among (id, name) pairs that involve at least one incoming id."""
    new_ids: set[str] = set()
    by_key: dict[str, list[str]] = defaultdict(list)
    for vendor_id, name in incoming:
        new_ids.add(vendor_id)
        by_key[name_key(name)].append(vendor_id)
    for vendor_id, name in existing:
        if vendor_id not in new_ids:
            by_key[name_key(name)].append(vendor_id)

    found: list[Duplicate] = []
    for key, ids in by_key.items():
        if len(ids) > 1 and new_ids.intersection(ids):
            reason = f"same name once case, punctuation and legal form are ignored ({key!r})"
            found.append(Duplicate(tuple(sorted(ids)), reason))
    found.extend(_similar_names(by_key, new_ids))
    return sorted(found, key=lambda duplicate: duplicate.ids)


def _similar_names(by_key: dict[str, list[str]], new_ids: set[str]) -> list[Duplicate]:
    # Sorted neighbourhood: near-identical names sort close together, so each key is compared
    # with the next few only: in plain order, in order of its reversed text (for a typo near
    # the start) and with its words sorted (for swapped words).
    keys = [key for key in by_key if key]
    scores: dict[tuple[str, str], float] = {}
    plain = sorted(keys)
    by_end = sorted(keys, key=lambda key: key[::-1])
    by_words = sorted(keys, key=_sorted_words)
    passes = ((plain, plain), (by_end, by_end), (by_words, [_sorted_words(k) for k in by_words]))
    for order, compared in passes:
        for step in range(1, WINDOW + 1):
            similar = process.cpdist(
                compared[:-step],
                compared[step:],
                scorer=fuzz.ratio,
                processor=None,
                score_cutoff=SIMILAR_AT,
                workers=-1,
            )
            for index in np.flatnonzero(similar):
                first, second = sorted((order[index], order[index + step]))
                # "Unit 1" and "Unit 2" are different companies however alike they look.
                if _DIGITS.findall(first) == _DIGITS.findall(second):
                    scores[first, second] = max(scores.get((first, second), 0), similar[index])
    found = []
    for (first, second), score in scores.items():
        ids = tuple(sorted(by_key[first] + by_key[second]))
        if new_ids.intersection(ids):
            reason = f"names are {score:.0f}% alike ({first!r} and {second!r})"
            found.append(Duplicate(ids, reason))
    return found


def _sorted_words(key: str) -> str:
    return " ".join(sorted(key.split()))
