"""How well the engine reads briefs and ranks vendors, on labelled sets written from the domain.

    python bench/quality_bench.py            # figures and every miss
    python bench/quality_bench.py --quiet    # figures only

`bench/quality/briefs.json`: plain-sentence briefs in English, German, Spanish, French and
Portuguese, each with the services a sourcing lead reads in it (`expect`) and the ones a naive
reader would wrongly pick up (`must_not`). `bench/quality/holdout_briefs.json`: more such briefs,
written separately and never used to tune the reading (its misses are not printed).
`bench/quality/ranking.json`: a fixed fictional catalog and requirement profiles, each vendor
graded 0-3 for the profile by hand.

Reading: recall (expected services read), precision (services read that were expected), must-not
services read, briefs read as nothing, and the p50 time to read one brief. Ranking: mean nDCG@5.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from matcher import create_app  # noqa: E402
from matcher.engine.index import build_index  # noqa: E402
from matcher.engine.knowledge import Knowledge  # noqa: E402
from matcher.engine.rank import rank  # noqa: E402
from matcher.engine.reading import read  # noqa: E402
from matcher.matching import knowledge as loaded_knowledge  # noqa: E402
from matcher.matching import vendor_row  # noqa: E402
from matcher.profiles import load_requirement  # noqa: E402
from vendors.schema import load_record  # noqa: E402

SETS = ROOT / "bench" / "quality"
CUTOFF = 5


@dataclass
class BriefFigures:
    """What reading the labelled briefs gave."""

    briefs: int = 0
    expected: int = 0
    hits: int = 0
    read: int = 0
    correct: int = 0
    forbidden: int = 0
    nothing: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)
    p50_ms: float = 0.0

    @property
    def recall(self) -> float:
        """Share of the expected services that were read."""
        return self.hits / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        """Share of the services read that were expected."""
        return self.correct / self.read if self.read else 1.0


@dataclass
class RankingFigures:
    """What ranking the graded cases gave."""

    cases: int = 0
    ndcg: list[float] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    @property
    def mean_ndcg(self) -> float:
        """Mean nDCG@5 over the cases."""
        return statistics.fmean(self.ndcg) if self.ndcg else 1.0


def _covers(knowledge: Knowledge, read_code: str, expected: str) -> bool:
    # An expected category is met by reading it, or any of its services.
    if read_code == expected:
        return True
    entry = knowledge.services.entries.get(read_code)
    return (
        expected in knowledge.categories.entries
        and entry is not None
        and (entry.category == expected)
    )


def brief_figures(knowledge: Knowledge, briefs: list[dict[str, Any]]) -> BriefFigures:
    """Read every brief and compare with its labels."""
    figures = BriefFigures()
    times = []
    for brief in briefs:
        profile: dict[str, Any] = {"description": brief["description"]}
        if brief.get("skills"):
            profile["skills"] = brief["skills"]
        requirement = load_requirement(profile, knowledge)
        started = time.perf_counter()
        reading = read(requirement, knowledge)
        times.append(time.perf_counter() - started)
        codes = list(dict.fromkeys(item.code for item in reading.brief.services))
        expected, forbidden = brief["expect"], brief.get("must_not", [])
        hit = [code for code in expected if any(_covers(knowledge, c, code) for c in codes)]
        right = [c for c in codes if any(_covers(knowledge, c, code) for code in expected)]
        wrong = [c for c in codes if c in forbidden]
        figures.briefs += 1
        figures.expected += len(expected)
        figures.hits += len(hit)
        figures.read += len(codes)
        figures.correct += len(right)
        figures.forbidden += len(wrong)
        if not codes:
            figures.nothing.append(brief["id"])
        if len(hit) < len(expected) or len(right) < len(codes):
            said = ", ".join(f"{s.code} <- {s.text!r} ({s.how})" for s in reading.brief.services)
            figures.misses.append(
                f"{brief['id']}: missed {sorted(set(expected) - set(hit)) or '-'}; "
                f"extra {sorted(set(codes) - set(right)) or '-'}"
                f"{' (MUST NOT)' if wrong else ''}\n    {brief['description']}\n"
                f"    read: {said or 'nothing'}"
            )
    figures.p50_ms = 1000 * statistics.median(times) if times else 0.0
    return figures


def dcg(gains: list[int]) -> float:
    """Discounted cumulative gain of graded results in rank order."""
    return float(sum((2**grade - 1) / math.log2(place + 2) for place, grade in enumerate(gains)))


def ranking_figures(knowledge: Knowledge, data: dict[str, Any]) -> RankingFigures:
    """Rank the fixed catalog for every graded case."""
    rows = [vendor_row(load_record(record)) for record in data["catalog"]]
    index = build_index(rows, knowledge)
    figures = RankingFigures()
    for case in data["cases"]:
        profile = dict(case["profile"])
        profile["limit"] = max(CUTOFF, profile.get("limit", CUTOFF))
        ranking = rank(read(load_requirement(profile, knowledge), knowledge), index, knowledge)
        grades: dict[str, int] = case["grades"]
        top = [result.vendor_id for result in ranking.results[:CUTOFF]]
        ideal = dcg(sorted(grades.values(), reverse=True)[:CUTOFF])
        value = dcg([grades.get(vendor, 0) for vendor in top]) / ideal if ideal else 1.0
        figures.cases += 1
        figures.ndcg.append(value)
        if value < 0.95:
            best = sorted(grades, key=lambda vendor: -grades[vendor])[:CUTOFF]
            figures.misses.append(
                f"{case['id']} nDCG@5 {value:.3f}: {case.get('about', '')}\n"
                f"    engine: {', '.join(f'{v} ({grades.get(v, 0)})' for v in top)}\n"
                f"    graded: {', '.join(f'{v} ({grades[v]})' for v in best)}"
            )
    return figures


def measure() -> tuple[BriefFigures, BriefFigures, RankingFigures]:
    """Run the labelled sets: briefs, held-out briefs, graded rankings (profiles are read by the
    service's own schema, in its app)."""
    briefs = json.loads((SETS / "briefs.json").read_text("utf-8"))
    held = json.loads((SETS / "holdout_briefs.json").read_text("utf-8"))
    cases = json.loads((SETS / "ranking.json").read_text("utf-8"))
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3",
                "JOBS_DATABASE": f"{folder}/jobs.sqlite3",
                "UPLOAD_FOLDER": f"{folder}/uploads",
            }
        )
        with app.app_context():
            knowledge = loaded_knowledge()
            return (
                brief_figures(knowledge, briefs),
                brief_figures(knowledge, held),
                ranking_figures(knowledge, cases),
            )


def main() -> None:
    """Print the figures, then every miss."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quiet", action="store_true", help="figures only, no misses")
    options = parser.parse_args()
    briefs, held, ranking = measure()
    if not options.quiet:
        for line in briefs.misses + ranking.misses:
            print(line)
        print()
    for title, figures in (("briefs", briefs), ("held-out briefs", held)):
        print(f"{title:22} {figures.briefs}")
        print(f"  recall               {figures.recall:.3f}   (target >= 0.90)")
        print(f"  precision            {figures.precision:.3f}   (target >= 0.95)")
        print(f"  must-not read        {figures.forbidden}")
        print(f"  read as nothing      {len(figures.nothing)}   {' '.join(figures.nothing)}")
        print(f"  reading p50          {figures.p50_ms:.2f} ms per brief")
    print(f"ranking cases          {ranking.cases}")
    print(f"mean nDCG@5            {ranking.mean_ndcg:.3f}   (target >= 0.95)")


if __name__ == "__main__":
    main()
