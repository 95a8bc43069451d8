"""Rule map: regions classified by the engine, chips coloured by their determination, real plots."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from chipwatch.cli import main
from chipwatch.scenarios.rulemap import plot, rule_map


def test_regions_follow_the_rule_version() -> None:
    old = rule_map(dt.date(2023, 6, 1))
    new = rule_map(dt.date(2024, 6, 1))
    assert (
        "3A090.b.1" not in old["grid"]["region_labels"]
        and "3A090.b.1" in new["grid"]["region_labels"]
    )
    status = {p["chip"]: p["status"] for p in new["chips"]}
    assert status["H20"] == "licence-free" and status["H100 SXM"] == "licence: denial"
    region = new["grid"]["region"]
    labels = new["grid"]["region_labels"]
    assert {labels[i] for i in np.unique(region)} >= {"3A090.a.1", "not 3A090"}


@pytest.mark.parametrize("ext", ["png", "svg", "html"])
def test_plots_are_written(tmp_path: Path, ext: str) -> None:
    out = tmp_path / f"map.{ext}"
    plot(rule_map(dt.date(2026, 2, 1)), str(out))
    data = out.read_bytes()
    assert len(data) > 10_000
    if ext == "png":
        assert data.startswith(b"\x89PNG")
    if ext == "html":
        text = data.decode()
        assert "plotly" in text.lower() and "cdn.plot.ly" not in text.split("<body>")[-1][:2000]


def test_cli_map(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["map", "--on", "2025-06-01", "--to", "CN"]) == 0
    out = capsys.readouterr().out
    assert "H20" in out and "licence" in out
    assert main(["map", "--plot", str(tmp_path / "x.jpg")]) == 2
