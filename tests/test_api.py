"""The Python API: plain-data conversion and DataFrames."""

from __future__ import annotations

import json

import pytest

import chipwatch


def test_public_names_are_exported() -> None:
    for name in (
        "catalog",
        "chip",
        "chips",
        "compare",
        "to_dataframe",
        "CatalogError",
        "UnknownChipError",
    ):
        assert name in chipwatch.__all__
        assert hasattr(chipwatch, name)


def test_to_dict_is_json_serializable_for_every_chip() -> None:
    for view in chipwatch.chips():
        data = view.to_dict()
        json.dumps(data)
        assert data["id"] == view.id and "metrics" in data


def test_compare_keeps_order() -> None:
    assert [v.id for v in chipwatch.compare(["L20", "H20"])] == ["nvidia-l20", "nvidia-h20"]


def test_bad_sort_key_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="choose one of"):
        chipwatch.chips(sort="speed")


def test_dataframe() -> None:
    df = chipwatch.to_dataframe(chipwatch.chips(vendor="NVIDIA"))
    assert df.loc["nvidia-h20", "tpp"] == 2368
    assert set(df["vendor"]) == {"NVIDIA"}
