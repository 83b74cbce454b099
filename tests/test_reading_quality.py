"""On labelled sets written from the trade's own terms, the engine reads briefs and ranks vendors
at least as well as its floors (bench/quality_bench.py prints the figures and every miss)."""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench" / "quality_bench.py"
pytestmark = pytest.mark.quality


@cache
def figures() -> Any:
    """Run the quality bench once for all the floors."""
    spec = importlib.util.spec_from_file_location("quality_bench", BENCH)
    assert spec is not None
    assert spec.loader is not None
    module: ModuleType = importlib.util.module_from_spec(spec)
    # Its dataclasses look their module up by name.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.measure()


def test_the_labelled_briefs_are_read_with_recall_and_precision_above_their_floors() -> None:
    briefs, _, _ = figures()

    assert briefs.briefs >= 80
    assert briefs.recall >= 0.95, "\n".join(briefs.misses)
    assert briefs.precision >= 0.9, "\n".join(briefs.misses)


def test_no_brief_that_plainly_names_a_need_is_read_as_nothing() -> None:
    briefs, held, _ = figures()

    assert briefs.nothing == [], briefs.nothing
    assert len(held.nothing) <= 0.17 * held.briefs, held.nothing


def test_held_out_briefs_the_reading_was_never_tuned_on_are_read_above_their_floor() -> None:
    _, held, _ = figures()

    assert held.recall >= 0.6
    assert held.precision >= 0.78


def test_graded_rankings_put_the_vendors_a_sourcing_lead_would_pick_on_top() -> None:
    _, _, ranking = figures()

    assert ranking.cases >= 40
    assert ranking.mean_ndcg >= 0.95, "\n".join(ranking.misses)
