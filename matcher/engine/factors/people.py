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
# Verified outcomes (rated by the buyer who awarded the work) are pulled toward the same prior,
# but each counts as much as several anonymous reviews: the prior weighs as 3 outcomes.
PRIOR_OUTCOMES = 3.0
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
    """Score the track record: verified outcomes where buyers have rated delivered work, the
    vendor's own client rating otherwise, each shrunk toward a prior when it rests on few."""
    rating, reviews = index.rating, index.reviews
    outcomes, verified_rating = index.verified, index.verified_rating
    verified = outcomes > 0
    with np.errstate(invalid="ignore"):
        stated = (rating * reviews + PRIOR_RATING * PRIOR_REVIEWS) / (reviews + PRIOR_REVIEWS)
        checked = (verified_rating * outcomes + PRIOR_RATING * PRIOR_OUTCOMES) / (
            outcomes + PRIOR_OUTCOMES
        )
        shrunk = np.where(verified, checked, stated)
        known = verified | index.rated
        score = np.where(known, shrunk / 5, NEUTRAL)
        passes = known & (shrunk >= GOOD_RATING)

    def explain(row: int) -> str:
        below = "" if passes[row] else f", under the {GOOD_RATING:.1f} of a good record"
        if verified[row]:
            count = int(outcomes[row])
            text = (
                f"{verified_rating[row]:.1f} from {count} verified outcome{_s(count)} "
                f"({shrunk[row]:.2f} once weighted for how many{below})"
            )
            if index.rated[row]:
                stated_count = int(reviews[row])
                text += (
                    f"; its own rating ({rating[row]:.1f} from {stated_count} "
                    f"review{_s(stated_count)}) not used"
                )
            return text
        if not known[row]:
            if np.isnan(rating[row]):
                return "no client rating yet"
            if index.vendors[row].review_count is None:
                return f"rated {rating[row]:.1f}, but the number of reviews is not listed"
            return f"rated {rating[row]:.1f} from no reviews: no client rating yet"
        count = int(reviews[row])
        return (
            f"rated {rating[row]:.1f} from {count} review{_s(count)}, self-stated "
            f"({shrunk[row]:.2f} once weighted for how many{below})"
        )

    return Factor(score, known, passes, explain, failing(known, passes))


def _s(count: int) -> str:
    return "" if count == 1 else "s"
