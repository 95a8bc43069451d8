"""CLI: check (single, --spec, bulk, audit), timeline and rules."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from chipwatch.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_check_json_public_shape(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "check", "H20", "--to", "CN", "--on", "2025-05-01", "--format", "json"
    )
    assert code == 0
    data = json.loads(out)
    for key in (
        "chip",
        "destination",
        "on",
        "classification",
        "license_required",
        "review_policy",
        "license_exceptions",
        "conditions",
        "import_restrictions",
        "reasons",
        "data_version",
    ):
        assert key in data
    assert data["license_required"] is True and data["review_policy"] == "denial"
    assert all({"rule", "paragraph", "text", "citation"} <= set(r) for r in data["reasons"])


def test_check_arabic_country_name_and_explain(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "H200", "--to", "الصين", "--on", "2026-02-01", "--explain")
    assert code == 0
    assert "case-by-case" in out and "evidence:" in out and "https://" in out


def test_check_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "L20", "--to", "CN", "--on", "2024-06-01", "--format", "md")
    assert code == 0 and out.startswith("### L20") and "no licence required" in out


def test_check_spec(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "check",
        "--spec",
        "tpp=2368,die_area=814,dram_bw=4000,market=datacenter,vendor=NVIDIA",
        "--to",
        "CN",
        "--on",
        "2025-05-01",
        "--format",
        "json",
    )
    assert code == 0
    assert json.loads(out)["license_required"] is True


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "H20", "--on", "2025-05-01"], "--to"),
        (["check", "H20", "--to", "Atlantis"], "unknown destination"),
        (["check", "H2O", "--to", "CN"], "did you mean"),
        (["check", "--spec", "tpp=abc", "--to", "CN"], "not a number"),
        (["check", "H20", "--spec", "tpp=1", "--to", "CN"], "chip name or --spec"),
        (["rules", "show", "2023-10-17"], "did you mean"),
    ],
)
def test_check_errors(capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    code, out, err = run(capsys, *args)
    assert code == 2 and out == "" and message in err and "Traceback" not in err


def test_bad_date_is_an_argparse_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["check", "H20", "--to", "CN", "--on", "2025-13-01"])
    assert info.value.code == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_bulk_check_writes_results_and_per_row_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    items = tmp_path / "items.csv"
    items.write_text(
        "chip,to,on,end_user,tpp,die_area,dram_bw,market\n"
        "H20,CN,2025-05-01,,,,,\n"
        "L20,السعودية,2024-06-01,,,,,\n"
        ",CN,2024-06-01,,2368,814,4000,datacenter\n"
        "Nonexistent 9000,CN,2024-06-01,,,,,\n"
        "H20,CN,not-a-date,,,,,\n"
        "L20,CN,2025-06-01,Inspur Electronic Information Industry Co.,,,,\n",
        encoding="utf-8",
    )
    out_path = tmp_path / "results.csv"
    audit = tmp_path / "audit.jsonl"
    code, out, _ = run(
        capsys,
        "check",
        "--input",
        str(items),
        "--output",
        str(out_path),
        "--excel",
        "--audit",
        str(audit),
    )
    assert code == 0 and "6 rows checked" in out
    raw = out_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM for Excel
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert [r["license_required"] for r in rows] == ["yes", "no", "no", "", "", "yes"]
    assert "unknown chip" in rows[3]["error"] and "invalid date" in rows[4]["error"]
    assert rows[1]["to"] == "السعودية"
    assert rows[0]["reasons"] and rows[0]["data_version"]
    lines = audit.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4
    record = json.loads(lines[0])
    assert {"time", "inputs", "result", "data_version"} <= set(record)
    assert not list(tmp_path.glob(".chipwatch-*"))  # no temp file left behind


def test_bulk_unreadable_input_leaves_no_output(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out_path = tmp_path / "results.csv"
    code, _, err = run(
        capsys, "check", "--input", str(tmp_path / "missing.csv"), "--output", str(out_path)
    )
    assert code == 2 and "cannot read" in err and not out_path.exists()


def test_single_check_audit(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    audit = tmp_path / "a.jsonl"
    for _ in range(2):
        assert (
            run(capsys, "check", "H20", "--to", "CN", "--on", "2024-06-01", "--audit", str(audit))[
                0
            ]
            == 0
        )
    records = [json.loads(x) for x in audit.read_text().splitlines()]
    assert len(records) == 2 and records[0]["inputs"]["to"] == "CN"
    assert records[0]["result"]["license_required"] is False


def test_timeline_formats(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "timeline", "H20", "--to", "CN", "--until", "2026-11-01", "--format", "json"
    )
    assert code == 0
    periods = json.loads(out)
    assert periods[0]["license_required"] is False
    assert any(p["from"] == "2025-04-09" and p["license_required"] for p in periods)
    code, out, _ = run(capsys, "timeline", "H200", "--to", "CN", "--until", "2026-11-01")
    assert code == 0 and "2026-01-15" in out and "case-by-case" in out
    code, out, _ = run(
        capsys, "timeline", "A100", "--to", "AE", "--until", "2026-11-01", "--format", "md"
    )
    assert code == 0 and out.startswith("### ")


def test_rules_list_and_show(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules")
    assert code == 0 and "2023-10-17-acs" in out and "88 FR 73458" in out
    code, out, _ = run(capsys, "rules", "show", "2026-01-15-china-review-policy")
    assert code == 0 and "21,000" in out and "Sources:" in out
    code, out, _ = run(capsys, "rules", "show", "2023-10-17-acs", "--format", "json")
    assert json.loads(out)["citation"] == "88 FR 73458"


def test_owned_by_applies_the_affiliates_rule_in_cli_and_http(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["H100 SXM", "--to", "SA", "--end-user", "Acme Cloud", "--owned-by", "Huawei"]
    code, out, _ = run(capsys, "check", *args, "--on", "2025-10-15", "--format", "json")
    assert code == 0 and json.loads(out)["review_policy"] == "denial"
    code, out, _ = run(capsys, "timeline", *args, "--from", "2025-06-01", "--until", "2026-12-01")
    assert "2025-09-29-affiliates" in out and "2026-11-10-affiliates-resumed" in out

    import httpx

    from chipwatch.web import create_app

    async def get() -> dict[str, object]:
        transport = httpx.ASGITransport(app=create_app())
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            params = {"chip": "H100 SXM", "to": "SA", "on": "2025-10-15", "end_user": "Acme Cloud",
                      "owned_by": "Huawei"}
            return (await client.get("/api/check", params=params)).json()  # type: ignore[no-any-return]

    import asyncio

    assert asyncio.run(get())["review_policy"] == "denial"
