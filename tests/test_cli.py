"""The chipwatch CLI: commands, formats, errors without tracebacks, a light start-up path."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from chipwatch.cli import main

DATA = Path(__file__).parent / "data"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_show_json_has_the_public_shape(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "show", "H20", "--format", "json")
    assert code == 0
    data = json.loads(out)
    for key in ("id", "name", "vendor", "market", "metrics", "sources"):
        assert key in data
    for key in ("tpp", "performance_density", "dram_bandwidth_gbps", "io_bandwidth_gbps"):
        assert key in data["metrics"]
    assert data["metrics"]["tpp"] == 2368
    assert data["sources"] and all(s["url"].startswith("http") for s in data["sources"])


def test_show_table_names_metrics_and_sources(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "show", "nvidia h-20")
    assert code == 0
    assert "TPP" in out and "2,368" in out and "2.91" in out
    assert "Sources" in out and "https://" in out


def test_show_family_says_it_picked_the_flagship(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "show", "H100")
    assert "H100 SXM" in out and "flagship" in out


def test_chips_filters_and_json_list(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "chips",
        "--vendor",
        "nvidia",
        "--china-variants",
        "--sort",
        "tpp",
        "--format",
        "json",
    )
    assert code == 0
    rows = json.loads(out)
    assert rows and all(r["vendor"] == "NVIDIA" and r["china_variant_of"] for r in rows)
    tpps = [r["metrics"]["tpp"] for r in rows if r["metrics"]["tpp"] is not None]
    assert tpps == sorted(tpps, reverse=True)
    assert {"H20", "L20", "GeForce RTX 4090 D"} <= {r["name"] for r in rows}


def test_chips_market_filter_and_csv(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "chips", "--market", "consumer", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows and {r["market"] for r in rows} == {"consumer"}
    assert "tpp" in rows[0]


def test_chips_table_counts_rows(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "chips")
    assert code == 0
    assert out.strip().endswith("chips")
    assert int(out.strip().split()[-2]) >= 55


def test_compare_formats(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "compare", "H20", "H100", "L20", "--format", "json")
    assert code == 0
    assert [r["name"] for r in json.loads(out)] == ["H20", "H100 SXM", "L20"]
    code, out, _ = run(capsys, "compare", "H20", "RTX 4090D")
    assert code == 0 and "GeForce RTX 4090 D" in out and "tpp" in out
    code, out, _ = run(capsys, "compare", "H20", "A100", "--format", "csv")
    assert len(list(csv.DictReader(io.StringIO(out)))) == 2


def test_unknown_chip_suggests_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "show", "H2O")
    assert code == 2 and out == ""
    assert "did you mean" in err and "H20" in err


def test_user_catalog_flag_and_override(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "show", "X1", "--catalog", str(DATA / "user-chip.yaml"), "--format", "json"
    )
    assert code == 0 and json.loads(out)["id"] == "acme-x1"
    code, _, err = run(capsys, "show", "H20", "--catalog", str(DATA / "user-override-h20.yaml"))
    assert code == 2 and "--override" in err
    code, out, _ = run(
        capsys,
        "show",
        "H20",
        "--catalog",
        str(DATA / "user-override-h20.yaml"),
        "--override",
        "--format",
        "json",
    )
    assert code == 0 and json.loads(out)["memory"]["capacity_gb"]["value"] == 141


def test_bad_catalog_file_gives_message_not_traceback() -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "chipwatch.cli",
            "show",
            "H20",
            "--catalog",
            str(DATA / "bad.negative-throughput.yaml"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "bad.negative-throughput.yaml" in proc.stderr and "'test-neg'" in proc.stderr
    assert "throughput.bf16" in proc.stderr and "-148" in proc.stderr


def test_missing_catalog_file_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "chips", "--catalog", "/nonexistent/chips.yaml")
    assert code == 2 and "/nonexistent/chips.yaml" in err and "cannot be read" in err


def test_show_does_not_import_heavy_libraries(tmp_path: Path) -> None:
    code = (
        "import sys; from chipwatch.cli import main; main(['show', 'H20', '--format', 'json']);"
        "heavy = {'numpy', 'pandas', 'pydantic', 'fastapi', 'matplotlib', 'plotly'};"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy), file=sys.stderr)"
    )
    env = {"CHIPWATCH_CACHE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    for _ in range(2):  # the second run reads the cache
        proc = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
        )
    assert proc.stderr.strip() == "[]"


def test_help_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    assert "show" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["--version"])
    assert "chipwatch" in capsys.readouterr().out
