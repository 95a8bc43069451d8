"""Load and validate catalog YAML files into :class:`~.schema.Chip` records.

Every problem becomes one :class:`CatalogError` naming the file, chip id,
field, offending value and what would be allowed.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .schema import (
    BASES,
    DIE_KINDS,
    EVIDENCE_LEVELS,
    MARKETS,
    PRECISIONS,
    Chip,
    Die,
    Price,
    Quantity,
    Source,
)


class CatalogError(ValueError):
    """A catalog file breaks the schema; the message says where and how to fix it."""

    def __init__(
        self, file: str, chip: str | None, field: str | None, value: Any, allowed: str
    ) -> None:
        self.file, self.chip, self.field, self.value, self.allowed = (
            file,
            chip,
            field,
            value,
            allowed,
        )
        where = file
        if chip:
            where += f": chip {chip!r}"
        if field:
            where += f", field {field!r}"
        super().__init__(f"{where}: value {value!r} is not allowed; {allowed}")


#: Accepted units per kind of quantity and their factor to the canonical unit.
UNITS: dict[str, dict[str, float]] = {
    "throughput": {
        "TFLOPS": 1.0,
        "TOPS": 1.0,
        "PFLOPS": 1e3,
        "POPS": 1e3,
        "GFLOPS": 1e-3,
        "GOPS": 1e-3,
    },
    "bandwidth": {"GB/s": 1.0, "TB/s": 1e3, "Gbit/s": 0.125},
    "capacity": {"GB": 1.0, "GiB": 1.073741824, "TB": 1e3},
    "area": {"mm2": 1.0},
    "power": {"W": 1.0},
    "count": {"billion": 1.0},
    "money": {"USD": 1.0},
}
CANONICAL = {
    "throughput": "TFLOPS",
    "bandwidth": "GB/s",
    "capacity": "GB",
    "area": "mm2",
    "power": "W",
    "count": "billion",
    "money": "USD",
}
CHIP_KEYS = {
    "id",
    "vendor",
    "name",
    "family",
    "flagship",
    "aliases",
    "variant",
    "form_factor",
    "architecture",
    "process",
    "launch_date",
    "market",
    "cloud_only",
    "china_variant_of",
    "name_also_means",
    "sources",
    "throughput",
    "dies",
    "transistors_billion",
    "memory",
    "interconnect",
    "tdp_w",
    "price",
    "notes",
}
QUANTITY_KEYS = {"value", "unit", "sources", "evidence", "basis", "note"}
MEMORY_DIE_WORDS = re.compile(r"\b(hbm\d?e?|dram|gddr\d?x?|lpddr\d?x?|memory|sram stack)\b", re.I)
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@dataclass
class _Ctx:
    """Where we are in a file, for error messages."""

    file: str
    sources: dict[str, Source]
    chip: str | None = None
    default_sources: tuple[str, ...] = ()

    def fail(self, field: str | None, value: Any, allowed: str) -> CatalogError:
        return CatalogError(self.file, self.chip, field, value, allowed)


def load_files(paths: Iterable[Path], *, base: Path | None = None) -> list[Chip]:
    """Parse and validate each YAML file; ids must be unique across all of them."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    chips: list[Chip] = []
    seen: dict[str, str] = {}
    for path in paths:
        label = _label(path, base)
        try:
            doc = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
        except OSError as exc:
            raise CatalogError(
                label, None, None, str(path), f"file cannot be read ({exc})"
            ) from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f" at line {mark.line + 1}" if mark else ""
            raise CatalogError(
                label, None, None, getattr(exc, "problem", str(exc)), f"YAML syntax error{line}"
            ) from None
        for chip in parse_document(doc, label):
            if chip.id in seen:
                raise CatalogError(
                    label,
                    chip.id,
                    "id",
                    chip.id,
                    f"ids must be unique; already defined in {seen[chip.id]}",
                )
            seen[chip.id] = label
            chips.append(chip)
    return chips


def _label(path: Path, base: Path | None) -> str:
    if base is not None:
        try:
            return path.relative_to(base).as_posix()
        except ValueError:
            pass
    return str(path)


def parse_document(doc: Any, file: str) -> list[Chip]:
    """Validate one parsed YAML document (``sources`` + ``chips``)."""
    if not isinstance(doc, Mapping):
        raise CatalogError(
            file,
            None,
            None,
            type(doc).__name__,
            "a file must be a mapping with 'sources' and 'chips'",
        )
    _no_unknown(doc, {"sources", "chips"}, _Ctx(file, {}), "")
    ctx = _Ctx(file, _parse_sources(doc.get("sources") or {}, file))
    raw_chips = doc.get("chips")
    if not isinstance(raw_chips, list) or not raw_chips:
        raise ctx.fail("chips", raw_chips, "a non-empty list of chip mappings")
    return [_parse_chip(raw, ctx) for raw in raw_chips]


def _parse_sources(raw: Any, file: str) -> dict[str, Source]:
    ctx = _Ctx(file, {})
    if not isinstance(raw, Mapping):
        raise ctx.fail("sources", raw, "a mapping of source key -> {url, retrieved, evidence}")
    out: dict[str, Source] = {}
    for key, s in raw.items():
        fld = f"sources.{key}"
        if not isinstance(s, Mapping):
            raise ctx.fail(fld, s, "a mapping with url, retrieved, evidence")
        _no_unknown(s, {"url", "retrieved", "evidence", "title"}, ctx, fld)
        url = s.get("url")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ctx.fail(f"{fld}.url", url, "an http(s) URL")
        retrieved = _date_str(s.get("retrieved"))
        if retrieved is None or len(retrieved) != 10:
            raise ctx.fail(f"{fld}.retrieved", s.get("retrieved"), "a retrieval date YYYY-MM-DD")
        if retrieved > dt.date.today().isoformat():
            raise ctx.fail(f"{fld}.retrieved", retrieved, "a retrieval date not in the future")
        evidence = s.get("evidence")
        if evidence not in EVIDENCE_LEVELS[:3]:
            raise ctx.fail(f"{fld}.evidence", evidence, f"one of {', '.join(EVIDENCE_LEVELS[:3])}")
        out[str(key)] = Source(str(key), url, retrieved, evidence, s.get("title"))
    return out


def _parse_chip(raw: Any, file_ctx: _Ctx) -> Chip:
    if not isinstance(raw, Mapping):
        raise file_ctx.fail("chips[]", raw, "each chip must be a mapping")
    chip_id = raw.get("id")
    ctx = _Ctx(file_ctx.file, file_ctx.sources, chip=str(chip_id) if chip_id else None)
    if not isinstance(chip_id, str) or not ID_RE.match(chip_id):
        raise ctx.fail("id", chip_id, "a lowercase slug such as 'nvidia-h100-sxm'")
    _no_unknown(raw, CHIP_KEYS, ctx, "")
    ctx.default_sources = _source_keys(raw.get("sources"), ctx, "sources")
    for req in ("vendor", "name", "market"):
        if not isinstance(raw.get(req), str) or not raw[req].strip():
            raise ctx.fail(req, raw.get(req), "a non-empty string")
    if raw["market"] not in MARKETS:
        raise ctx.fail("market", raw["market"], f"one of {', '.join(MARKETS)}")

    process = _mapping(raw.get("process"), ctx, "process", {"node", "non_planar"})
    non_planar = _opt_bool(process.get("non_planar"), ctx, "process.non_planar")
    memory = _mapping(raw.get("memory"), ctx, "memory", {"type", "capacity_gb", "bandwidth_gbps"})
    inter = _mapping(
        raw.get("interconnect"),
        ctx,
        "interconnect",
        {"scale_up", "scale_up_gbps_bidir", "pcie_gen", "pcie_lanes", "other_io_gbps_bidir"},
    )
    throughput_raw = _mapping(raw.get("throughput"), ctx, "throughput", set(PRECISIONS))
    throughput = {
        k: q
        for k in PRECISIONS
        if (q := _quantity(throughput_raw.get(k), ctx, f"throughput.{k}", "throughput")) is not None
    }
    return Chip(
        id=chip_id,
        vendor=raw["vendor"],
        name=raw["name"],
        family=_opt_str(raw.get("family"), ctx, "family") or raw["name"],
        flagship=bool(_opt_bool(raw.get("flagship"), ctx, "flagship")),
        aliases=tuple(_str_list(raw.get("aliases"), ctx, "aliases")),
        variant=_opt_str(raw.get("variant"), ctx, "variant"),
        form_factor=_opt_str(raw.get("form_factor"), ctx, "form_factor"),
        architecture=_opt_str(raw.get("architecture"), ctx, "architecture"),
        process_node=_opt_str(process.get("node"), ctx, "process.node"),
        non_planar=non_planar,
        launch_date=_opt_date(raw.get("launch_date"), ctx, "launch_date"),
        market=raw["market"],
        cloud_only=bool(_opt_bool(raw.get("cloud_only"), ctx, "cloud_only")),
        china_variant_of=_opt_str(raw.get("china_variant_of"), ctx, "china_variant_of"),
        name_also_means=_opt_str(raw.get("name_also_means"), ctx, "name_also_means"),
        throughput=throughput,
        dies=tuple(
            _die(d, i, ctx, non_planar) for i, d in enumerate(_list(raw.get("dies"), ctx, "dies"))
        ),
        transistors_billion=_quantity(
            raw.get("transistors_billion"), ctx, "transistors_billion", "count"
        ),
        memory_type=_opt_str(memory.get("type"), ctx, "memory.type"),
        memory_gb=_quantity(memory.get("capacity_gb"), ctx, "memory.capacity_gb", "capacity"),
        memory_bandwidth_gbps=_quantity(
            memory.get("bandwidth_gbps"), ctx, "memory.bandwidth_gbps", "bandwidth"
        ),
        scale_up=_opt_str(inter.get("scale_up"), ctx, "interconnect.scale_up"),
        scale_up_gbps=_quantity(
            inter.get("scale_up_gbps_bidir"),
            ctx,
            "interconnect.scale_up_gbps_bidir",
            "bandwidth",
            allow_zero=True,
        ),
        pcie_gen=_opt_int(inter.get("pcie_gen"), ctx, "interconnect.pcie_gen", range(1, 8)),
        pcie_lanes=_opt_int(
            inter.get("pcie_lanes"), ctx, "interconnect.pcie_lanes", (1, 2, 4, 8, 16, 32)
        ),
        other_io_gbps=_quantity(
            inter.get("other_io_gbps_bidir"),
            ctx,
            "interconnect.other_io_gbps_bidir",
            "bandwidth",
            allow_zero=True,
        ),
        tdp_w=_quantity(raw.get("tdp_w"), ctx, "tdp_w", "power"),
        price=_price(raw.get("price"), ctx),
        notes=_opt_str(raw.get("notes"), ctx, "notes"),
        sources={k: ctx.sources[k] for k in _all_source_keys(raw, ctx)},
        file=ctx.file,
    )


def _quantity(
    raw: Any, ctx: _Ctx, fld: str, kind: str, *, allow_zero: bool = False
) -> Quantity | None:
    """A bare number (canonical unit, chip's sources) or a mapping with provenance."""
    if raw is None:
        return None
    spec: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {"value": raw}
    _no_unknown(spec, QUANTITY_KEYS, ctx, fld)
    value = spec.get("value")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ctx.fail(fld, value, f"a finite number in {CANONICAL[kind]} or null when unknown")
    if value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ctx.fail(fld, value, f"a number {bound} (use null when unknown or not supported)")
    unit = spec.get("unit", CANONICAL[kind])
    if unit not in UNITS[kind]:
        raise ctx.fail(f"{fld}.unit", unit, f"one of {', '.join(UNITS[kind])}")
    basis = spec.get("basis", "published")
    if basis not in BASES:
        raise ctx.fail(f"{fld}.basis", basis, f"one of {', '.join(BASES)}")
    note = _opt_str(spec.get("note"), ctx, f"{fld}.note")
    if basis != "published" and not note:
        raise ctx.fail(
            f"{fld}.note",
            note,
            f"a note is required when basis is {basis!r} (say how the figure was obtained, "
            "e.g. 'datasheet 1979 is with sparsity; halved')",
        )
    keys = _source_keys(spec.get("sources"), ctx, f"{fld}.sources") or ctx.default_sources
    if not keys:
        raise ctx.fail(
            f"{fld}.sources",
            None,
            "every number needs a source: list source keys on the number or on the chip",
        )
    evidence = spec.get("evidence")
    if evidence is None:
        evidence = "derived" if basis != "published" else _best_evidence(keys, ctx)
    elif evidence not in EVIDENCE_LEVELS:
        raise ctx.fail(f"{fld}.evidence", evidence, f"one of {', '.join(EVIDENCE_LEVELS)}")
    return Quantity(float(value) * UNITS[kind][unit], CANONICAL[kind], keys, evidence, basis, note)


def _best_evidence(keys: tuple[str, ...], ctx: _Ctx) -> str:
    levels = [ctx.sources[k].evidence for k in keys]
    return min(levels, key=EVIDENCE_LEVELS.index)


def _source_keys(raw: Any, ctx: _Ctx, fld: str) -> tuple[str, ...]:
    keys = tuple(_str_list(raw, ctx, fld))
    for k in keys:
        if k not in ctx.sources:
            known = ", ".join(sorted(ctx.sources)) or "none defined in this file"
            raise ctx.fail(fld, k, f"a key of this file's 'sources' ({known})")
    return keys


def _all_source_keys(raw: Mapping[str, Any], ctx: _Ctx) -> list[str]:
    """Every source key the chip cites anywhere, in first-use order."""
    found: list[str] = list(ctx.default_sources)

    def walk(node: Any) -> None:
        if isinstance(node, Mapping):
            for key, val in node.items():
                if key == "sources" and isinstance(val, list):
                    found.extend(str(v) for v in val)
                else:
                    walk(val)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk({k: v for k, v in raw.items() if k != "sources"})
    return list(dict.fromkeys(found))


def _die(raw: Any, i: int, ctx: _Ctx, chip_non_planar: bool | None) -> Die:
    fld = f"dies[{i}]"
    d = _mapping(raw, ctx, fld, {"name", "kind", "count", "area_mm2", "non_planar"})
    kind = d.get("kind")
    if kind not in DIE_KINDS:
        raise ctx.fail(f"{fld}.kind", kind, f"one of {', '.join(DIE_KINDS)}")
    name = _opt_str(d.get("name"), ctx, f"{fld}.name") or kind
    if kind != "memory" and MEMORY_DIE_WORDS.search(name):
        raise ctx.fail(
            f"{fld}.kind",
            kind,
            f"die {name!r} is a memory die: use kind 'memory' (memory dies never count toward "
            "the applicable die area of performance density)",
        )
    count = _opt_int(d.get("count", 1), ctx, f"{fld}.count", range(1, 1000)) or 1
    non_planar = _opt_bool(d.get("non_planar"), ctx, f"{fld}.non_planar")
    return Die(
        name=name,
        kind=kind,
        count=count,
        area_mm2=_quantity(d.get("area_mm2"), ctx, f"{fld}.area_mm2", "area"),
        non_planar=chip_non_planar if non_planar is None else non_planar,
    )


def _price(raw: Any, ctx: _Ctx) -> Price | None:
    if raw is None:
        return None
    p = _mapping(raw, ctx, "price", {"usd", "low", "high", "date", "note", "sources", "evidence"})
    usd = _quantity(
        {k: p[k] for k in ("sources", "evidence") if k in p} | {"value": p.get("usd")},
        ctx,
        "price.usd",
        "money",
    )
    if usd is None:
        return None
    low = _quantity(p.get("low", usd.value), ctx, "price.low", "money")
    high = _quantity(p.get("high", usd.value), ctx, "price.high", "money")
    assert low is not None and high is not None
    if not low.value <= usd.value <= high.value:
        raise ctx.fail("price", f"{low.value}..{usd.value}..{high.value}", "low <= usd <= high")
    return Price(
        usd,
        low.value,
        high.value,
        _opt_date(p.get("date"), ctx, "price.date"),
        _opt_str(p.get("note"), ctx, "price.note"),
    )


# --- small typed readers -------------------------------------------------------------


def _no_unknown(raw: Mapping[str, Any], allowed: set[str], ctx: _Ctx, fld: str) -> None:
    for key in raw:
        if key not in allowed:
            where = f"{fld}.{key}" if fld else str(key)
            raise ctx.fail(
                where, raw[key], f"unknown field; allowed here: {', '.join(sorted(allowed))}"
            )


def _mapping(raw: Any, ctx: _Ctx, fld: str, allowed: set[str]) -> Mapping[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ctx.fail(fld, raw, f"a mapping with keys {', '.join(sorted(allowed))}")
    _no_unknown(raw, allowed, ctx, fld)
    return raw


def _list(raw: Any, ctx: _Ctx, fld: str) -> list[Any]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ctx.fail(fld, raw, "a list")
    return raw


def _str_list(raw: Any, ctx: _Ctx, fld: str) -> list[str]:
    items = _list(raw, ctx, fld)
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise ctx.fail(fld, item, "a list of non-empty strings")
    return items


def _opt_str(raw: Any, ctx: _Ctx, fld: str) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str | int | float) or isinstance(raw, bool):
        raise ctx.fail(fld, raw, "a string")
    return str(raw)


def _opt_bool(raw: Any, ctx: _Ctx, fld: str) -> bool | None:
    if raw is None or isinstance(raw, bool):
        return raw
    raise ctx.fail(fld, raw, "true, false or null")


def _opt_int(raw: Any, ctx: _Ctx, fld: str, allowed: range | tuple[int, ...]) -> int | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int) or raw not in allowed:
        shown = (
            f"{allowed.start}..{allowed.stop - 1}" if isinstance(allowed, range) else str(allowed)
        )
        raise ctx.fail(fld, raw, f"an integer in {shown}")
    return raw


def _date_str(raw: Any) -> str | None:
    if isinstance(raw, dt.date):
        return raw.isoformat()
    if isinstance(raw, str) and DATE_RE.match(raw):
        return raw
    return None


def _opt_date(raw: Any, ctx: _Ctx, fld: str) -> str | None:
    if raw is None:
        return None
    value = _date_str(raw)
    if value is None:
        raise ctx.fail(fld, raw, "a date YYYY, YYYY-MM or YYYY-MM-DD")
    return value
