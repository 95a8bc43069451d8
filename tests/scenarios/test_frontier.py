"""Compliance frontier: licence-free and at least as good as the H20 under the 2023 rules."""

from __future__ import annotations

import datetime as dt

import pytest

from chipwatch.scenarios.frontier import FrontierError, frontier


def test_h100_base_china_2024_beats_h20_and_is_licence_free() -> None:
    r = frontier(to="CN", on=dt.date(2024, 6, 1), base="H100 SXM", objective="decode")
    assert r["determination"]["license_required"] is False
    h20 = next(c for c in r["comparisons"] if c["chip"] == "H20")
    assert r["objective_value"] >= h20["objective_value"]
    assert any("2,400" in b and "3A090.b.1" in b for b in r["binding_constraints"])
    for key in (
        "design",
        "metrics",
        "determination",
        "objective",
        "objective_value",
        "binding_constraints",
        "comparisons",
    ):
        assert key in r


def test_april_2025_bandwidth_criteria_move_the_frontier() -> None:
    before = frontier(to="CN", on=dt.date(2024, 6, 1), objective="decode")
    after = frontier(to="CN", on=dt.date(2025, 6, 1), objective="decode")
    assert after["metrics"]["dram_bandwidth_gbps"] < 1400
    assert after["metrics"]["dram_plus_io_bandwidth_gbps"] < 1700
    assert after["objective_value"] < before["objective_value"]
    assert after["determination"]["license_required"] is False


def test_january_2026_zone() -> None:
    r = frontier(to="CN", on=dt.date(2026, 2, 1), zone="case-by-case", objective="tpp")
    assert r["determination"]["review_policy"] == "case-by-case"
    assert r["metrics"]["tpp"] < 21000 and r["metrics"]["dram_bandwidth_gbps"] < 6500


def test_density_binds_on_a_small_die() -> None:
    r = frontier(to="CN", on=dt.date(2024, 6, 1), base="L40S", objective="tpp")
    assert r["determination"]["license_required"] is False
    assert any("performance density" in b for b in r["binding_constraints"])


def test_errors() -> None:
    with pytest.raises(FrontierError, match="objective"):
        frontier(to="CN", on=dt.date(2024, 6, 1), objective="speed")
    with pytest.raises(FrontierError, match="lacks"):
        frontier(to="CN", on=dt.date(2024, 6, 1), base="B30A")
