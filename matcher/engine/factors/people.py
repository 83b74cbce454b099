"""Factors about the people: languages spoken and the track record with clients."""

from __future__ import annotations

import numpy as np

from matcher.engine.index import CatalogIndex
from matcher.engine.knowledge import Knowledge
from matcher.engine.reading import Reading
from matcher.engine.scoring import NEUTRAL, Factor, coverage, failing, listing

# A rating is pulled toward the prior as if it came with this many more reviews at the prior.
PRIOR_RATING = 3.8
PRIOR_REVIEWS = 10.0
GOOD_RATING = 4.0


def languages(reading: Reading, index: CatalogIndex, knowledge: Knowledge) -> Factor | None:
    """Score the share of the needed languages a vendor's staff speak."""
    wanted = reading.requirement.languages
    if not wanted:
        return None
    spoken = coverage(index.languages, wanted, {})
    known = index.languages.known
    score = np.where(known, spoken.average, NEUTRAL)
    passes = known & (spoken.weakest >= 1)

    def explain(row: int) -> str:
        if not known[row]:
            return "languages not listed"
        names = tuple(knowledge.language_name(code) for code in wanted)
        has, lacks = spoken.names_met(row, names, 1.0), spoken.names_missed(row, names, 1.0)
        parts = [f"speaks {listing(has)}"] if has else []
        if lacks:
            parts.append(f"not {listing(lacks)}")
        return "; ".join(parts)

    return Factor(score, known, passes, explain, failing(known, passes))


def track_record(reading: Reading, index: CatalogIndex, knowledge: Knowledge) -> Factor | None:
    """Score the client rating, shrunk toward a prior when it rests on few reviews."""
    rating, reviews, known = index.rating, index.reviews, index.rated
    shrunk = (rating * reviews + PRIOR_RATING * PRIOR_REVIEWS) / (reviews + PRIOR_REVIEWS)
    score = np.where(known, shrunk / 5, NEUTRAL)
    with np.errstate(invalid="ignore"):
        passes = known & (shrunk >= GOOD_RATING)

    def explain(row: int) -> str:
        if not known[row]:
            if np.isnan(rating[row]):
                return "no client rating yet"
            if index.vendors[row].review_count is None:
                return f"rated {rating[row]:.1f}, but the number of reviews is not listed"
            return f"rated {rating[row]:.1f} from no reviews: no client rating yet"
        count = int(reviews[row])
        plural = "s" if count != 1 else ""
        below = "" if passes[row] else f", under the {GOOD_RATING:.1f} of a good record"
        return (
            f"rated {rating[row]:.1f} from {count} review{plural} "
            f"({shrunk[row]:.2f} once weighted for how many{below})"
        )

    return Factor(score, known, passes, explain, failing(known, passes))
