"""Fleets: units with their price range, aggregates, H100-equivalents, capacity, CSV input."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from chipwatch.cli import main
from chipwatch.scenarios.fleet import FleetError, FleetItem, fleet, parse_money


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("18e9", 18e9),
        ("$18B", 18e9),
        ("18 billion", 18e9),
        ("1.5bn", 1.5e9),
        ("$950M", 950e6),
        ("12,000", 12000.0),
    ],
)
def test_money(text: str, value: float) -> None:
    assert parse_money(text) == pytest.approx(value)


def test_bad_money() -> None:
    with pytest.raises(FleetError, match="cannot read"):
        parse_money("eighteen")


def test_18_billion_of_h20_in_2025_q1() -> None:
    """Reuters (2024-02) cites $12,000-15,000 per H20: $18B buys 1.2-1.5 million."""
    f = fleet([FleetItem("H20", spend=18e9)], on=dt.date(2025, 3, 1), to="CN")
    assert f["units"]["low"] == pytest.approx(1.2e6)
    assert f["units"]["high"] == pytest.approx(1.5e6)
    assert f["tpp_total"]["central"] == pytest.approx(f["units"]["central"] * 2368)
    h = f["h100_equivalents"]
    assert h["by_tpp"]["central"] == pytest.approx(f["units"]["central"] * 2368 / 15831.2)
    assert (
        h["by_memory_bandwidth"]["central"] > h["by_tpp"]["central"]
    )  # H20's strength is bandwidth
    assert (
        f["items"][0]["determination"]["license_required"] is False
    )  # before the April 2025 letter
    assert f["power_mw"]["central"] == pytest.approx(f["units"]["central"] * 400 / 1e6)
    assert f["inference"]["output_tokens_per_day"]["central"] > 0
    assert f["training"]["reference_runs_per_year"]["central"] > 0
    for key in (
        "units",
        "tpp_total",
        "h100_equivalents",
        "training",
        "inference",
        "power_mw",
        "assumptions",
    ):
        assert key in f


def test_units_and_unit_price_override() -> None:
    f = fleet([FleetItem("H100", units=1000), FleetItem("H20", spend=1e8, unit_price=10_000)])
    assert f["units"]["central"] == pytest.approx(1000 + 10_000)


def test_chip_without_price_needs_one() -> None:
    with pytest.raises(FleetError, match="--unit-price"):
        fleet([FleetItem("H800", spend=1e9)])


def test_cli_fleet_json_and_compare(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "fleet",
                "H20",
                "--spend",
                "$18B",
                "--on",
                "2025-03-01",
                "--to",
                "CN",
                "--compare",
                "H100 SXM",
                "--format",
                "json",
            ]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["comparison"]["items"][0]["determination"]["license_required"] is True
    assert data["units"]["central"] > 2 * data["comparison"]["units"]["central"]


def test_cli_mixed_fleet_csv(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    csv_file = tmp_path / "fleet.csv"
    csv_file.write_text(
        "chip,units,spend,unit_price\nH20,1000,,\nAscend 910B,,$1.67B,\n", encoding="utf-8"
    )
    assert main(["fleet", "--input", str(csv_file)]) == 0
    out = capsys.readouterr().out
    assert "H20" in out and "Ascend 910B" in out and "H100-equivalents" in out
    bad = tmp_path / "bad.csv"
    bad.write_text("chip,units\n,3\n", encoding="utf-8")
    assert main(["fleet", "--input", str(bad)]) == 2
