"""Forgiving name lookup: spellings, aliases, families, suggestions."""

from __future__ import annotations

import pytest

import chipwatch
from chipwatch.catalog import UnknownChipError
from chipwatch.catalog.query import normalize


@pytest.mark.parametrize(
    ("typed", "expected_id"),
    [
        ("h20", "nvidia-h20"),
        ("HGX H20", "nvidia-h20"),
        ("NVIDIA H-20", "nvidia-h20"),
        ("nvidia-h20", "nvidia-h20"),
        ("RTX 4090D", "nvidia-rtx-4090d"),
        ("RTX 4090 D", "nvidia-rtx-4090d"),
        ("GeForce RTX 4090 D", "nvidia-rtx-4090d"),
        ("rtx4090", "nvidia-rtx-4090"),
        ("AMD MI300X", "amd-mi300x"),
        ("Instinct MI300X", "amd-mi300x"),
        ("huawei ascend 910c", "huawei-ascend-910c"),
        ("Ironwood", "google-tpu-v7"),
        ("H100 PCIe", "nvidia-h100-pcie"),
        ("HGX H100", "nvidia-h100-sxm"),
    ],
)
def test_spellings_resolve(typed: str, expected_id: str) -> None:
    assert chipwatch.chip(typed).id == expected_id


@pytest.mark.parametrize(
    ("family", "flagship"),
    [("H100", "nvidia-h100-sxm"), ("A100", "nvidia-a100-sxm"), ("H200", "nvidia-h200-sxm")],
)
def test_family_resolves_to_flagship_and_says_so(family: str, flagship: str) -> None:
    view = chipwatch.chip(family)
    assert view.id == flagship
    assert view.resolved_note is not None and "family" in view.resolved_note
    assert "flagship" in view.resolved_note


def test_exact_name_has_no_note() -> None:
    assert chipwatch.chip("H20").resolved_note is None


def test_unknown_name_suggests_close_names() -> None:
    with pytest.raises(UnknownChipError) as info:
        chipwatch.chip("H2O")
    assert "H20" in info.value.suggestions
    assert "did you mean" in str(info.value)


def test_unrelated_name_has_no_suggestion_noise() -> None:
    with pytest.raises(UnknownChipError) as info:
        chipwatch.chip("zzzzqqq")
    assert info.value.suggestions == []


def test_normalize_strips_vendor_words_but_not_the_whole_name() -> None:
    assert normalize("NVIDIA GeForce RTX 4090 D") == "rtx4090d"
    assert normalize("nvidia") == "nvidia"


def test_no_name_or_alias_names_two_shipped_chips() -> None:
    """A shared alias would resolve silently to whichever file loads first ("R200" was both
    NVIDIA's Rubin and Kunlunxin's R200)."""
    owner: dict[str, str] = {}
    clashes = []
    for chip in chipwatch.catalog():
        for key in {normalize(k) for k in (chip.id, chip.name, f"{chip.vendor} {chip.name}", *chip.aliases)}:
            if owner.setdefault(key, chip.id) != chip.id:
                clashes.append((key, owner[key], chip.id))
    assert clashes == []
