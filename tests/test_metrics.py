"""Export-control metrics: golden values with their sources, and scalar == vectorized."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import chipwatch
from chipwatch.catalog.schema import BIT_LENGTH, Die, Quantity
from chipwatch.metrics import (
    applicable_die_area,
    io_bandwidth_array,
    io_bandwidth_gbps,
    performance_density,
    performance_density_array,
    tpp,
    tpp_array,
)

TRACKER = "https://github.com/s-w-kelly/chip-export-controls/blob/main/src/data/chipData.js"
# (chip, TPP, PD or None, tolerance on TPP, source of the published figure)
GOLDEN = [
    ("A100 SXM", 4992, 6.04, 0.5, TRACKER + " (NVIDIA A100 SXM: tpp 4992, pd 6.04)"),
    # The issue quotes "≈ 19.4"; the tracker gives 19.45 (15,832 / 814).
    ("H100 SXM", 15832, 19.45, 1.0, TRACKER + " (NVIDIA H100 SXM: tpp 15832, pd 19.45)"),
    ("H20", 2368, 2.91, 0.5, TRACKER + " (NVIDIA H20 SXM: tpp 2368, pd 2.91)"),
    (
        "L20",
        1912,
        3.14,
        0.5,
        "https://www.tomshardware.com/pc-components/gpus/new-nvidia-ai-gpus-designed-to-get-around-us-export-bans-come-to-china-h20-l20-and-l2-to-fill-void-left-by-restricted-models",
    ),
    (
        "RTX 4090",
        5285,
        None,
        1.0,
        "https://meterpreter.org (RTX 4090 TPP 5,286 per NVIDIA's 660.6 INT8 TOPS x 8)",
    ),
    (
        "RTX 4090 D",
        4707,
        None,
        1.0,
        "https://hmc-tech.com (RTX 4090D INT8 588.35 TOPS -> TPP 4,707)",
    ),
]


@pytest.mark.parametrize(("name", "want_tpp", "want_pd", "tol", "source"), GOLDEN)
def test_golden_metrics(
    name: str, want_tpp: float, want_pd: float | None, tol: float, source: str
) -> None:
    m = chipwatch.chip(name).metrics
    assert m.tpp == pytest.approx(want_tpp, abs=tol), source
    if want_pd is not None:
        assert m.performance_density == pytest.approx(want_pd, abs=0.01), source


def test_bis_worked_example() -> None:
    """Technical Note 2 to 3A090: 600 TOPS at 8 bits or 300 TFLOPS at 16 bits meet TPP 4800."""
    assert tpp({"int8": 600.0})[0] == 4800
    assert tpp({"bf16": 300.0})[0] == 4800


def test_tf32_is_not_counted_but_flagged_when_it_would_bind() -> None:
    value, basis = tpp({"tf32": 667.0, "bf16": 667.0})
    assert value == 667 * 16 and basis == ("bf16",)
    trn2 = chipwatch.chip("Trainium2").metrics
    assert "tpp_tf32" in trn2.reasons


def test_density_counts_logic_and_io_but_not_memory_or_planar_dies() -> None:
    q = lambda v: Quantity(v, "mm2", ("s",), "datasheet")  # noqa: E731
    dies = [
        Die("compute", "logic", 2, q(100.0), True),
        Die("io", "io", 1, q(50.0), True),
        Die("HBM3 stack", "memory", 4, q(110.0), True),
        Die("old io", "io", 1, q(300.0), False),
    ]
    area, known, reason = applicable_die_area(dies)
    assert (area, known, reason) == (250.0, 250.0, None)


def test_unknown_die_area_gives_null_density_with_reason_and_bound() -> None:
    ascend = chipwatch.chip("MI300X").metrics
    assert ascend.performance_density is None
    assert "performance_density" in ascend.reasons


def test_io_bandwidth_excludes_memory_and_adds_pcie() -> None:
    a800 = chipwatch.chip("A800 SXM").metrics
    assert a800.io_bandwidth_gbps == 400 + 64  # NVLink 400 + PCIe Gen4 x16 both ways
    h800 = chipwatch.chip("H800").metrics
    assert h800.io_bandwidth_gbps == 400 + 128
    h20 = chipwatch.chip("H20").metrics
    assert h20.dram_plus_io_bandwidth_gbps == 4000 + 900 + 128


def test_hbm_density_from_memory_dies(data_dir) -> None:  # type: ignore[no-untyped-def]
    from chipwatch.catalog import load_catalog
    from chipwatch.metrics import chip_metrics

    acme = chip_metrics(load_catalog([data_dir / "user-chip.yaml"], use_env=False)["acme-x1"])
    assert acme.hbm_bandwidth_density == pytest.approx(2400 / 440)
    assert acme.performance_density == pytest.approx(250 * 8 / 400)


finite = st.floats(min_value=0.01, max_value=1e5, allow_nan=False)
maybe = st.one_of(st.none(), finite)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.fixed_dictionaries({k: maybe for k in BIT_LENGTH}), min_size=1, max_size=30),
    st.lists(
        st.one_of(st.none(), st.floats(min_value=1.0, max_value=5000.0)), min_size=30, max_size=30
    ),
    st.lists(st.tuples(maybe, maybe, maybe), min_size=30, max_size=30),
)
def test_vectorized_equals_scalar(chips, areas, ios) -> None:  # type: ignore[no-untyped-def]
    n = len(chips)
    columns = {k: np.array([np.nan if c[k] is None else c[k] for c in chips]) for k in BIT_LENGTH}
    vec_tpp = tpp_array(columns)
    area = np.array([np.nan if a is None else a for a in areas[:n]])
    vec_pd = performance_density_array(vec_tpp, area)
    io_cols = [np.array([np.nan if t[i] is None else t[i] for t in ios[:n]]) for i in range(3)]
    vec_io = io_bandwidth_array(*io_cols)
    for i, c in enumerate(chips):
        scalar, _ = tpp({k: v for k, v in c.items() if v is not None})
        if scalar is None:
            assert math.isnan(vec_tpp[i])
            continue
        assert vec_tpp[i] == pytest.approx(scalar)
        pd = performance_density(scalar, areas[i])
        assert math.isnan(vec_pd[i]) if pd is None else vec_pd[i] == pytest.approx(pd)
        io = io_bandwidth_gbps(*ios[i])
        assert math.isnan(vec_io[i]) if io is None else vec_io[i] == pytest.approx(io)


def test_vectorized_matches_catalog_chips() -> None:
    views = chipwatch.chips()
    cols = {
        k: np.array(
            [v.chip.throughput[k].value if k in v.chip.throughput else np.nan for v in views]
        )
        for k in BIT_LENGTH
    }
    vec = tpp_array(cols)
    for v, t in zip(views, vec, strict=True):
        if v.metrics.tpp is None:
            assert math.isnan(t)
        else:
            assert t == pytest.approx(v.metrics.tpp)
