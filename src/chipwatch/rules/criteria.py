"""Criterion trees: all / any / not over metric comparisons, flags and product names.

Evaluation is three-valued (True, False, None = undetermined) and works on
intervals, so an unknown value with a known bound still decides when it can
(e.g. a performance density of at most 4.1 is certainly below 5.92). The same
tree evaluates one item (with the findings that decided it) or arrays of items.

>>> c = parse({"any": [{"metric": "tpp", "op": ">=", "value": 4800},
...                    {"all": [{"metric": "tpp", "op": ">=", "value": 1600},
...                             {"metric": "performance_density", "op": ">=", "value": 5.92}]}]})
>>> facts = Facts(metrics={"tpp": (2368.0, 2368.0), "performance_density": (2.91, 2.91)})
>>> c.evaluate(facts).value
False
>>> c.evaluate(Facts(metrics={"tpp": (2368.0, 2368.0)})).value is None
True
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    BoolArray = npt.NDArray[np.bool_]
    FloatArray = npt.NDArray[np.float64]

METRICS = {
    "tpp": "TPP",
    "performance_density": "performance density",
    "dram_bandwidth_gbps": "DRAM bandwidth (GB/s)",
    "io_bandwidth_gbps": "I/O bandwidth (GB/s)",
    "dram_plus_io_bandwidth_gbps": "DRAM + I/O bandwidth (GB/s)",
    "hbm_bandwidth_density": "memory bandwidth density (GB/s/mm²)",
    "transistors_billion": "transistors (billions)",
}
FLAGS = {
    "datacenter": "designed or marketed for datacenters",
    "exported_from_us": "exported from the United States",
    "hbm": "a high-bandwidth-memory device",
    "commercially_available_in_us": "commercially available in the United States",
}
#: Arabic labels of the metrics, and of each flag when it holds and when it does not.
METRICS_AR = {
    "tpp": "أداء المعالجة الإجمالي (TPP)",
    "performance_density": "كثافة الأداء",
    "dram_bandwidth_gbps": "عرض نطاق الذاكرة DRAM (غيغابايت/ث)",
    "io_bandwidth_gbps": "عرض نطاق الإدخال والإخراج (غيغابايت/ث)",
    "dram_plus_io_bandwidth_gbps": "مجموع عرض نطاق DRAM والإدخال والإخراج (غيغابايت/ث)",
    "hbm_bandwidth_density": "كثافة عرض نطاق الذاكرة (غيغابايت/ث/مم²)",
    "transistors_billion": "عدد الترانزستورات (بالمليار)",
}
FLAGS_AR = {
    "datacenter": ("مصمَّم أو مسوَّق لمراكز البيانات", "غير مصمَّم ولا مسوَّق لمراكز البيانات"),
    "exported_from_us": ("مُصدَّر من الولايات المتحدة", "غير مُصدَّر من الولايات المتحدة"),
    "hbm": ("ذاكرة ذات عرض نطاق عالٍ (HBM)", "ليس ذاكرة ذات عرض نطاق عالٍ (HBM)"),
    "commercially_available_in_us": (
        "متاح تجاريًا في الولايات المتحدة",
        "غير متاح تجاريًا في الولايات المتحدة",
    ),
}
OPS_AR = {">=": "لا يقل عن", ">": "أكبر من", "<": "أقل من", "<=": "لا يزيد على"}
OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<": operator.lt,
    "<=": operator.le,
}
Interval = tuple[float, float]
UNKNOWN: Interval = (-math.inf, math.inf)


@dataclass(frozen=True, slots=True)
class Facts:
    """What the engine knows about one item: metric intervals, flags, identity."""

    metrics: Mapping[str, Interval] = field(default_factory=dict)
    flags: Mapping[str, bool | None] = field(default_factory=dict)
    product_id: str | None = None
    vendor: str | None = None
    classification: str | None = None

    def interval(self, metric: str) -> Interval:
        return self.metrics.get(metric, UNKNOWN)


@dataclass(frozen=True, slots=True)
class Finding:
    """One leaf test and its outcome, phrased for a reason line."""

    text: str
    value: bool | None
    missing: str | None = None
    ref: str | None = None
    text_ar: str = ""


@dataclass(frozen=True, slots=True)
class Outcome:
    value: bool | None
    findings: tuple[Finding, ...]

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.missing for f in self.findings if f.missing))


class Criterion:
    """Base of the tree nodes."""

    ref: str | None = None

    def evaluate(self, facts: Facts) -> Outcome:
        raise NotImplementedError

    def evaluate_arrays(self, arrays: ArrayFacts) -> tuple[BoolArray, BoolArray]:
        """(certainly true, certainly false) masks; neither means undetermined."""
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class Compare(Criterion):
    metric: str
    op: str
    value: float
    ref: str | None = None

    def evaluate(self, facts: Facts) -> Outcome:
        lo, hi = facts.interval(self.metric)
        fn = OPS[self.op]
        label = METRICS[self.metric]
        if lo == hi:
            result: bool | None = fn(lo, self.value)
            shown = _num(lo)
        else:
            # certain only when the whole interval falls on one side
            at_lo, at_hi = fn(lo, self.value), fn(hi, self.value)
            result = at_lo if at_lo == at_hi else None
            shown = "unknown" if (lo, hi) == UNKNOWN else f"between {_num(lo)} and {_num(hi)}"
        rel = self.op if result is not False else _NEGATE[self.op]
        text = (
            f"{label} {shown} {rel} {_num(self.value)}"
            if result is not None
            else (f"{label} {shown}: cannot tell whether {self.op} {_num(self.value)}")
        )
        label_ar = METRICS_AR[self.metric]
        shown_ar = (
            ltr(_num(lo))
            if lo == hi
            else "غير معروف"
            if (lo, hi) == UNKNOWN
            else f"بين {ltr(_num(lo))} و{ltr(_num(hi))}"
        )
        text_ar = (
            f"{label_ar} {shown_ar}، {OPS_AR[rel]} {ltr(_num(self.value))}"
            if result is not None
            else f"{label_ar} {shown_ar}: لا يمكن الجزم بأنه {OPS_AR[self.op]} {ltr(_num(self.value))}"
        )
        missing = self.metric if result is None else None
        return Outcome(result, (Finding(text, result, missing, self.ref, text_ar),))

    def evaluate_arrays(self, arrays: ArrayFacts) -> tuple[BoolArray, BoolArray]:
        return arrays.leaf(self, lambda: self._masks(arrays))

    def _masks(self, arrays: ArrayFacts) -> tuple[BoolArray, BoolArray]:
        import numpy as np

        lo, hi = arrays.interval(self.metric)
        fn = getattr(np, _NUMPY_OPS[self.op])
        with np.errstate(invalid="ignore"):
            if lo is hi:  # exact values: one comparison (NaN compares false both ways)
                true = fn(lo, self.value)
                return true, ~true & ~np.isnan(lo)
            at_lo, at_hi = fn(lo, self.value), fn(hi, self.value)
        true = np.asarray(at_lo & at_hi, dtype=bool)
        false = np.asarray(~at_lo & ~at_hi, dtype=bool) & ~np.isnan(lo) & ~np.isnan(hi)
        return true, false


_NUMPY_OPS = {">=": "greater_equal", ">": "greater", "<": "less", "<=": "less_equal"}
_NEGATE = {">=": "<", ">": "<=", "<": ">=", "<=": ">"}


@dataclass(frozen=True, slots=True)
class Flag(Criterion):
    name: str
    expected: bool
    ref: str | None = None

    def evaluate(self, facts: Facts) -> Outcome:
        actual = facts.flags.get(self.name)
        label = FLAGS[self.name]
        yes, no = FLAGS_AR[self.name]
        if actual is None:
            unknown = Finding(
                f"unknown whether {label}", None, self.name, self.ref, f"غير معروف ما إذا كان {yes}"
            )
            return Outcome(None, (unknown,))
        result = actual == self.expected
        text = label if actual else f"not {label}"
        return Outcome(result, (Finding(text, result, None, self.ref, yes if actual else no),))

    def evaluate_arrays(self, arrays: ArrayFacts) -> tuple[BoolArray, BoolArray]:
        return arrays.leaf(self, lambda: self._masks(arrays))

    def _masks(self, arrays: ArrayFacts) -> tuple[BoolArray, BoolArray]:
        import numpy as np

        known, value = arrays.flag(self.name)
        match = value == self.expected
        return np.asarray(known & match), np.asarray(known & ~match)


@dataclass(frozen=True, slots=True)
class Product(Criterion):
    ids: frozenset[str]
    ref: str | None = None

    def evaluate(self, facts: Facts) -> Outcome:
        result = facts.product_id in self.ids
        named = facts.product_id or "this item"
        text = f"{named} is named" if result else f"{named} is not among the named products"
        named_ar = ltr(facts.product_id) if facts.product_id else "هذا المنتج"
        text_ar = f"{named_ar} مذكور بالاسم" if result else f"{named_ar} ليس من المنتجات المذكورة بالاسم"
        return Outcome(result, (Finding(text, result, None, self.ref, text_ar),))

    def evaluate_arrays(self, arrays: ArrayFacts) -> tuple[BoolArray, BoolArray]:
        return arrays.leaf(self, lambda: self._masks(arrays))

    def _masks(self, arrays: ArrayFacts) -> tuple[BoolArray, BoolArray]:
        import numpy as np

        named = (
            np.isin(arrays.product_ids, list(self.ids))
            if arrays.product_ids is not None
            else np.zeros(arrays.n, bool)
        )
        return named, ~named


@dataclass(frozen=True, slots=True)
class Vendor(Criterion):
    names: frozenset[str]
    ref: str | None = None

    def evaluate(self, facts: Facts) -> Outcome:
        if facts.vendor is None:
            return Outcome(None, (Finding("vendor unknown", None, "vendor", self.ref, "المورّد غير معروف"),))
        result = facts.vendor in self.names
        verb = "is" if result else "is not"
        names = ", ".join(sorted(self.names))
        text = f"vendor {facts.vendor} {verb} one of {names}"
        names_ar = "، ".join(ltr(n) for n in sorted(self.names))
        text_ar = f"المورّد {ltr(facts.vendor)} {'من بين' if result else 'ليس من بين'} {names_ar}"
        return Outcome(result, (Finding(text, result, None, self.ref, text_ar),))

    def evaluate_arrays(self, arrays: ArrayFacts) -> tuple[BoolArray, BoolArray]:
        return arrays.leaf(self, lambda: self._masks(arrays))

    def _masks(self, arrays: ArrayFacts) -> tuple[BoolArray, BoolArray]:
        import numpy as np

        if arrays.vendors is None:
            unknown = np.zeros(arrays.n, bool)
            return unknown, unknown
        hit = np.isin(arrays.vendors, list(self.names))
        return hit, ~hit


@dataclass(frozen=True, slots=True)
class Classified(Criterion):
    """True when the item's classification starts with one of the paragraphs."""

    paragraphs: tuple[str, ...]
    ref: str | None = None

    def evaluate(self, facts: Facts) -> Outcome:
        c = facts.classification or "not controlled"
        result = c.startswith(self.paragraphs)
        text = f"classified {c}" + ("" if result else f", not {' or '.join(self.paragraphs)}")
        text_ar = f"مصنَّف {ltr(c)}" + ("" if result else f"، لا {ltr(' / '.join(self.paragraphs))}")
        return Outcome(result, (Finding(text, result, None, self.ref, text_ar),))

    def evaluate_arrays(self, arrays: ArrayFacts) -> tuple[BoolArray, BoolArray]:
        import numpy as np

        hit = np.zeros(arrays.n, bool)
        if arrays.classification is not None:
            for p in self.paragraphs:
                hit |= np.char.startswith(arrays.classification.astype(str), p)
        return hit, ~hit


@dataclass(frozen=True, slots=True)
class All(Criterion):
    items: tuple[Criterion, ...]
    ref: str | None = None

    def evaluate(self, facts: Facts) -> Outcome:
        outs = [c.evaluate(facts) for c in self.items]
        if any(o.value is False for o in outs):
            return Outcome(False, _flat(o for o in outs if o.value is False))
        if any(o.value is None for o in outs):
            return Outcome(None, _flat(o for o in outs if o.value is None))
        return Outcome(True, _flat(outs))

    def evaluate_arrays(self, arrays: ArrayFacts) -> tuple[BoolArray, BoolArray]:
        masks = [c.evaluate_arrays(arrays) for c in self.items]
        true, false = masks[0]
        for t, f in masks[1:]:
            true, false = true & t, false | f
        return true, false


@dataclass(frozen=True, slots=True)
class AnyOf(Criterion):
    items: tuple[Criterion, ...]
    ref: str | None = None

    def evaluate(self, facts: Facts) -> Outcome:
        outs = [c.evaluate(facts) for c in self.items]
        if any(o.value is True for o in outs):
            return Outcome(True, _flat(o for o in outs if o.value is True))
        if any(o.value is None for o in outs):
            return Outcome(None, _flat(o for o in outs if o.value is None))
        return Outcome(False, _flat(outs))

    def evaluate_arrays(self, arrays: ArrayFacts) -> tuple[BoolArray, BoolArray]:
        masks = [c.evaluate_arrays(arrays) for c in self.items]
        true, false = masks[0]
        for t, f in masks[1:]:
            true, false = true | t, false & f
        return true, false


@dataclass(frozen=True, slots=True)
class Not(Criterion):
    item: Criterion
    ref: str | None = None

    def evaluate(self, facts: Facts) -> Outcome:
        out = self.item.evaluate(facts)
        return Outcome(None if out.value is None else not out.value, out.findings)

    def evaluate_arrays(self, arrays: ArrayFacts) -> tuple[BoolArray, BoolArray]:
        true, false = self.item.evaluate_arrays(arrays)
        return false, true


def _flat(outs: Any) -> tuple[Finding, ...]:
    return tuple(f for o in outs for f in o.findings)


def ltr(text: object) -> str:
    """Isolate a left-to-right run (codes, dates, names) inside Arabic text (Unicode LRI ... PDI)."""
    return f"\u2066{text}\u2069"


def _num(x: float) -> str:
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.2f}".rstrip("0").rstrip(".")


@dataclass
class ArrayFacts:
    """Column arrays for N items: metric (lo, hi) pairs and known/value flag pairs."""

    n: int
    metrics: dict[str, tuple[FloatArray, FloatArray]] = field(default_factory=dict)
    flags: dict[str, tuple[BoolArray, BoolArray]] = field(default_factory=dict)
    product_ids: Any = None
    vendors: Any = None
    classification: Any = None
    memo: dict[Criterion, tuple[BoolArray, BoolArray]] = field(default_factory=dict)

    def leaf(
        self, criterion: Criterion, compute: Callable[[], tuple[BoolArray, BoolArray]]
    ) -> tuple[BoolArray, BoolArray]:
        """Masks of a leaf test, computed once per set of arrays (rules repeat the same tests)."""
        if criterion not in self.memo:
            self.memo[criterion] = compute()
        return self.memo[criterion]

    def interval(self, metric: str) -> tuple[FloatArray, FloatArray]:
        import numpy as np

        if metric not in self.metrics:
            nan = np.full(self.n, np.nan)
            return nan, nan
        return self.metrics[metric]

    def flag(self, name: str) -> tuple[BoolArray, BoolArray]:
        import numpy as np

        if name not in self.flags:
            return np.zeros(self.n, bool), np.zeros(self.n, bool)
        return self.flags[name]


class CriterionError(ValueError):
    """A criterion in a rule file is malformed."""


def parse(raw: Any, where: str = "criterion") -> Criterion:
    """Build a tree from its YAML form; raises :class:`CriterionError` naming the place."""
    if not isinstance(raw, Mapping):
        raise CriterionError(f"{where}: expected a mapping, got {raw!r}")
    ref = raw.get("ref")
    if "all" in raw or "any" in raw:
        key = "all" if "all" in raw else "any"
        items = raw[key]
        if not isinstance(items, list) or not items:
            raise CriterionError(f"{where}.{key}: expected a non-empty list")
        parsed = tuple(parse(x, f"{where}.{key}[{i}]") for i, x in enumerate(items))
        return All(parsed, ref) if key == "all" else AnyOf(parsed, ref)
    if "not" in raw:
        return Not(parse(raw["not"], f"{where}.not"), ref)
    if "metric" in raw:
        metric, op, value = raw.get("metric"), raw.get("op"), raw.get("value")
        if metric not in METRICS:
            raise CriterionError(f"{where}.metric: {metric!r} is not one of {', '.join(METRICS)}")
        if op not in OPS:
            raise CriterionError(f"{where}.op: {op!r} is not one of {', '.join(OPS)}")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise CriterionError(f"{where}.value: {value!r} is not a number")
        return Compare(metric, op, float(value), ref)
    if "flag" in raw:
        name = raw["flag"]
        if name not in FLAGS:
            raise CriterionError(f"{where}.flag: {name!r} is not one of {', '.join(FLAGS)}")
        expected = raw.get("is", True)
        if not isinstance(expected, bool):
            raise CriterionError(f"{where}.is: {expected!r} must be true or false")
        return Flag(name, expected, ref)
    if "vendor" in raw or "classified" in raw:
        key = "vendor" if "vendor" in raw else "classified"
        names = raw[key]
        if not isinstance(names, list) or not names or not all(isinstance(i, str) for i in names):
            raise CriterionError(f"{where}.{key}: expected a non-empty list of strings")
        return Vendor(frozenset(names), ref) if key == "vendor" else Classified(tuple(names), ref)
    if "product" in raw:
        ids = raw["product"]
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise CriterionError(f"{where}.product: expected a list of chip ids")
        return Product(frozenset(ids), ref)
    raise CriterionError(
        f"{where}: expected one of all, any, not, metric, flag, product, vendor, classified; got {sorted(raw)}"
    )
