"""Forgiving chip-name lookup: case, spacing, hyphens, vendor prefixes, aliases, families."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from .schema import Chip

#: Words that may precede a chip name without changing which chip is meant.
PREFIX_WORDS = (
    "nvidia",
    "amd",
    "intel",
    "habana",
    "huawei",
    "hisilicon",
    "google",
    "cloud",
    "aws",
    "amazon",
    "geforce",
    "instinct",
    "tesla",
    "cambricon",
    "biren",
    "moore",
    "threads",
    "moorethreads",
    "hygon",
    "the",
)
_SPLIT = re.compile(r"[^0-9a-z]+")


def normalize(name: str) -> str:
    """Lower-case, drop punctuation/spacing and leading vendor words: 'NVIDIA H-20' -> 'h20'."""
    words = [w for w in _SPLIT.split(name.lower()) if w]
    while len(words) > 1 and words[0] in PREFIX_WORDS:
        words.pop(0)
    return "".join(words)


@dataclass(frozen=True, slots=True)
class Match:
    """The chip a name resolved to and, when it was not exact, why."""

    chip: Chip
    note: str | None = None


class UnknownChipError(LookupError):
    """No chip matches; ``suggestions`` holds close names."""

    def __init__(self, name: str, suggestions: list[str]) -> None:
        self.name, self.suggestions = name, suggestions
        hint = f"; did you mean {', '.join(repr(s) for s in suggestions)}?" if suggestions else ""
        super().__init__(f"unknown chip {name!r}{hint} (run 'chipwatch chips' for the list)")


class NameIndex:
    """Maps normalized names, ids, aliases and family names to chips."""

    def __init__(self, chips: Iterable[Chip]) -> None:
        self._exact: dict[str, Chip] = {}
        self._family: dict[str, list[Chip]] = {}
        for chip in chips:
            keys = [chip.id, chip.name, f"{chip.vendor} {chip.name}", *chip.aliases]
            for key in keys:
                self._exact.setdefault(normalize(key), chip)
            self._family.setdefault(normalize(chip.family), []).append(chip)

    def resolve(self, name: str) -> Match:
        """Resolve a user-typed name; a family name gives its flagship and says so."""
        key = normalize(name)
        members = self._family.get(key, [])
        named = key in self._exact and normalize(self._exact[key].name) == key
        if key in self._exact and (len(members) < 2 or named):
            return Match(self._exact[key])
        if members:
            flagship = next((c for c in members if c.flagship), members[0])
            if len(members) == 1:
                return Match(flagship)
            others = ", ".join(c.name for c in members if c is not flagship)
            return Match(
                flagship,
                f"{name!r} is a family; showing its flagship {flagship.name} (also: {others})",
            )
        raise UnknownChipError(name, self.suggest(name))

    def suggest(self, name: str, n: int = 3) -> list[str]:
        """Up to ``n`` chip names close to ``name``."""
        key = normalize(name)
        close = difflib.get_close_matches(key, list(self._exact), n=n * 3, cutoff=0.6)
        if not close and key:
            close = [k for k in self._exact if key in k or k in key][: n * 3]
        names = [self._exact[k].name for k in close]
        return list(dict.fromkeys(names))[:n]
