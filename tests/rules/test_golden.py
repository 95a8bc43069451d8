"""Golden determinations: 68 cases, each with the source of its expected outcome.

The cases live in golden_determinations.csv (columns: case_id, chip, destination, date, end_user,
expected classification / licence / review policy, notes, source_url, source_note). They were
compiled from Federal Register text, the eCFR of 2026-07-23, SEC filings and law-firm summaries
(see docs/research/rules-verified.md); `source_note` says where an outcome rests on inference.
Semantics: licence required before licence exceptions; enforcement mode (AI Diffusion not enforced).
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

import chipwatch

CASES = list(
    csv.DictReader((Path(__file__).parent / "golden_determinations.csv").open(encoding="utf-8"))
)
LICENSE = {"true": True, "false": False, "undetermined": None}


def test_there_are_at_least_40_cases_with_sources() -> None:
    assert len(CASES) >= 40
    assert all(c["source_url"].startswith("http") for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["case_id"] for c in CASES])
def test_golden(case: dict[str, str]) -> None:
    d = chipwatch.check(
        case["chip"],
        to=case["destination"],
        on=dt.date.fromisoformat(case["date"]),
        end_user=case["end_user"] or None,
    )
    where = f"{case['case_id']}: {case['expected_notes']} [{case['source_url']}]"
    expected = case["expected_classification"]
    if expected == "not 3A090":
        assert d.classification == "not 3A090", where
    else:
        assert d.classification.startswith(expected), where
    assert d.license_required is LICENSE[case["expected_license_required"]], where
    if d.license_required and case["expected_review_policy"]:
        assert d.review_policy == case["expected_review_policy"], where
    assert d.reasons, where
