"""Schema validation: every bad file gets one clear error naming file, chip, field and value."""

from __future__ import annotations

from pathlib import Path

import pytest

from chipwatch.catalog import CatalogError, load_catalog
from chipwatch.catalog.load import load_files

DATA = Path(__file__).parent.parent / "data"

# reason -> (chip id named in the error, field named in the error, words the message must contain)
BAD = {
    "negative-throughput": ("test-neg", "throughput.bf16", "> 0"),
    "sparse-without-note": ("test-sparse", "throughput.fp8.note", "halved_from_sparse"),
    "unknown-unit": ("test-unit", "memory.bandwidth_gbps.unit", "GB/s, TB/s"),
    "duplicate-id": ("test-dup", "id", "unique"),
    "missing-source": ("test-nosource", "throughput.bf16.sources", "needs a source"),
    "memory-die-as-logic": ("test-hbm-logic", "dies[1].kind", "memory"),
    "unknown-market": ("test-market", "market", "datacenter, workstation, consumer"),
    "unknown-field": ("test-field", "tdp_watts", "allowed here"),
    "undefined-source-key": ("test-srckey", "sources", "vendor-sheet"),
    "estimate-without-note": ("test-estimate", "dies[0].area_mm2.note", "estimate"),
    "zero-throughput": ("test-zero", "throughput.fp8", "null"),
    "yaml-syntax": (None, None, "YAML syntax error at line"),
    "source-without-url": (None, "sources.vendor-sheet.url", "http(s) URL"),
    "future-retrieval": (None, "sources.vendor-sheet.retrieved", "not in the future"),
}


def test_every_bad_fixture_is_covered() -> None:
    on_disk = {p.name.removeprefix("bad.").removesuffix(".yaml") for p in DATA.glob("bad.*.yaml")}
    assert on_disk - {"china-variant-unknown"} == set(BAD)


@pytest.mark.parametrize("reason", sorted(BAD))
def test_bad_file_gives_one_clear_error(reason: str) -> None:
    chip, field, words = BAD[reason]
    path = DATA / f"bad.{reason}.yaml"
    with pytest.raises(CatalogError) as info:
        load_files([path])
    err = info.value
    message = str(err)
    assert str(path) in message
    assert err.chip == chip
    assert err.field == field
    assert words in message
    if chip:
        assert repr(chip) in message


def test_china_variant_must_name_a_catalog_chip() -> None:
    with pytest.raises(CatalogError, match="china_variant_of") as info:
        load_catalog([DATA / "bad.china-variant-unknown.yaml"])
    assert info.value.value == "nvidia-h999"


def test_units_convert_to_canonical() -> None:
    (chip,) = load_files([DATA / "user-chip.yaml"])
    assert chip.memory_bandwidth_gbps is not None
    assert chip.memory_bandwidth_gbps.value == pytest.approx(2400.0)
    assert chip.memory_bandwidth_gbps.unit == "GB/s"


def test_provenance_is_resolved_for_every_number() -> None:
    (chip,) = load_files([DATA / "user-chip.yaml"])
    fp8 = chip.throughput["fp8"]
    assert fp8.evidence == "derived" and fp8.basis == "halved_from_sparse"
    assert chip.throughput["bf16"].evidence == "primary"
    assert chip.throughput["bf16"].sources == ("design-doc",)
    assert chip.sources["design-doc"].url.startswith("https://")


def test_builtin_catalog_numbers_all_cite_a_url() -> None:
    catalog = load_catalog(use_env=False)
    assert len(catalog) >= 55
    for chip in catalog:
        quantities = [
            *chip.throughput.values(),
            chip.memory_gb,
            chip.memory_bandwidth_gbps,
            chip.tdp_w,
        ]
        quantities += [d.area_mm2 for d in chip.dies]
        for q in quantities:
            if q is None:
                continue
            assert q.sources, chip.id
            assert all(chip.sources[k].url.startswith("http") for k in q.sources), chip.id
            if q.basis != "published":
                assert q.note, (chip.id, q)


def test_user_chip_merges_and_builtin_conflict_needs_override() -> None:
    merged = load_catalog([DATA / "user-chip.yaml"], use_env=False)
    assert "acme-x1" in merged and "nvidia-h20" in merged
    with pytest.raises(CatalogError, match="--override"):
        load_catalog([DATA / "user-override-h20.yaml"], use_env=False)
    replaced = load_catalog([DATA / "user-override-h20.yaml"], override=True, use_env=False)
    assert replaced["nvidia-h20"].memory_gb is not None
    assert replaced["nvidia-h20"].memory_gb.value == 141


def test_environment_variable_adds_files(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHIPWATCH_CATALOG", str(DATA / "user-chip.yaml"))
    assert "acme-x1" in load_catalog()


def test_cache_is_invalidated_when_a_file_changes(tmp_path: Path) -> None:
    user = tmp_path / "mine.yaml"
    text = (DATA / "user-chip.yaml").read_text()
    user.write_text(text)
    assert load_catalog([user], use_env=False)["acme-x1"].name == "Acme X1"
    user.write_text(text.replace("name: Acme X1", "name: Acme X1 rev B") + "\n")
    assert load_catalog([user], use_env=False)["acme-x1"].name == "Acme X1 rev B"
