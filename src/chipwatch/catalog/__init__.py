"""The chip catalog: built-in cited YAML files plus any user files, validated and cached."""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from .load import CatalogError, load_files
from .query import Match, NameIndex, UnknownChipError
from .schema import BIT_LENGTH, Chip, Die, Price, Quantity, Source

__all__ = [
    "BIT_LENGTH",
    "Catalog",
    "CatalogError",
    "Chip",
    "Die",
    "Match",
    "Price",
    "Quantity",
    "Source",
    "UnknownChipError",
    "builtin_files",
    "load_catalog",
]

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
ENV_CATALOG = "CHIPWATCH_CATALOG"
ENV_CACHE = "CHIPWATCH_CACHE_DIR"
_CACHE_FORMAT = 1


class Catalog:
    """An ordered, id-unique collection of chips with forgiving name lookup."""

    def __init__(self, chips: Sequence[Chip]) -> None:
        self.chips: tuple[Chip, ...] = tuple(chips)
        self._by_id = {c.id: c for c in self.chips}
        self._index = NameIndex(self.chips)
        self._check_references()

    def __iter__(self) -> Iterator[Chip]:
        return iter(self.chips)

    def __len__(self) -> int:
        return len(self.chips)

    def __getitem__(self, chip_id: str) -> Chip:
        return self._by_id[chip_id]

    def __contains__(self, chip_id: object) -> bool:
        return chip_id in self._by_id

    def resolve(self, name: str) -> Match:
        """Find a chip by any reasonable spelling; raises :class:`UnknownChipError`."""
        return self._index.resolve(name)

    def get(self, name: str) -> Chip:
        """Like :meth:`resolve` but returns just the chip."""
        return self._index.resolve(name).chip

    def _check_references(self) -> None:
        families: dict[str, list[Chip]] = {}
        for chip in self.chips:
            families.setdefault(chip.family, []).append(chip)
            if chip.china_variant_of and chip.china_variant_of not in self._by_id:
                raise CatalogError(
                    chip.file,
                    chip.id,
                    "china_variant_of",
                    chip.china_variant_of,
                    "the id of a chip in the catalog",
                )
        for family, members in families.items():
            flagships = [c.id for c in members if c.flagship]
            if len(members) > 1 and len(flagships) != 1:
                raise CatalogError(
                    members[0].file,
                    members[0].id,
                    "flagship",
                    flagships,
                    f"family {family!r} has {len(members)} chips; mark exactly one flagship: true",
                )


def builtin_files() -> list[Path]:
    """The catalog files shipped with chipwatch."""
    return sorted((DATA_DIR / "chips").glob("*.yaml"))


def user_files_from_env() -> list[Path]:
    """Extra catalog files named in ``$CHIPWATCH_CATALOG`` (``os.pathsep``-separated)."""
    raw = os.environ.get(ENV_CATALOG, "")
    return [Path(p) for p in raw.split(os.pathsep) if p.strip()]


def load_catalog(
    extra: Sequence[str | Path] = (), *, override: bool = False, use_env: bool = True
) -> Catalog:
    """Built-in chips merged with ``extra`` (and ``$CHIPWATCH_CATALOG``) files.

    An extra chip whose id is built in is an error unless ``override`` is true,
    in which case the extra definition replaces the built-in one.
    """
    extras = [Path(p) for p in extra] + (user_files_from_env() if use_env else [])
    key = _cache_key(builtin_files() + extras, override)
    cached = _read_cache(key)
    if cached is not None:
        return cached
    builtin = load_files(builtin_files(), base=DATA_DIR)
    added = load_files(extras)
    by_id = {c.id: c for c in builtin}
    for chip in added:
        if chip.id in by_id and not override:
            raise CatalogError(
                chip.file,
                chip.id,
                "id",
                chip.id,
                "this id is built in; choose another id or pass --override to replace it",
            )
        by_id[chip.id] = chip
    catalog = Catalog(list(by_id.values()))
    _write_cache(key, catalog)
    return catalog


# --- cache: the parsed catalog, keyed by file contents' stat and the package version -----


def _cache_dir() -> Path:
    base = os.environ.get(ENV_CACHE) or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "chipwatch"
    )
    return Path(base)


def _cache_key(files: Sequence[Path], override: bool) -> str | None:
    from .. import __version__

    h = hashlib.sha256(f"{_CACHE_FORMAT}:{__version__}:{override}".encode())
    for f in files:
        try:
            st = f.stat()
        except OSError:
            return None  # let the loader report the missing file
        h.update(f"{f.resolve()}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()[:32]


def _read_cache(key: str | None) -> Catalog | None:
    if key is None or os.environ.get(ENV_CACHE) == "off":
        return None
    try:
        with open(_cache_dir() / f"catalog-{key}.pickle", "rb") as fh:
            obj = pickle.load(fh)
    except Exception:
        return None
    return obj if isinstance(obj, Catalog) else None


def _write_cache(key: str | None, catalog: Catalog) -> None:
    if key is None or os.environ.get(ENV_CACHE) == "off":
        return
    try:
        folder = _cache_dir()
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, delete=False, suffix=".tmp") as fh:
            pickle.dump(catalog, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(fh.name, folder / f"catalog-{key}.pickle")
    except OSError:
        pass  # a read-only home only costs speed
