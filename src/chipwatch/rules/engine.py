"""The rules engine: one evaluation gives the verdict and its reasons.

``determine()`` resolves the destination and end user, builds a :class:`Plan` of
everything in force on the date for that destination (classification text,
licence requirements, review policies, exceptions, conditions, import-side
measures) and applies it to the item. ``Plan.evaluate_arrays`` applies the same
plan to arrays of candidate chips.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from .countries import Country, countries, fold
from .criteria import ArrayFacts, Facts, Finding, Outcome, ltr
from .load import load_rules
from .model import (
    POLICY_NAMES,
    STRICTNESS,
    Classification,
    Condition,
    Entity,
    Event,
    ImportMeasure,
    LicenseException,
    PolicyChange,
    PolicyRule,
    Requirement,
    RuleSet,
    Scope,
)
from .screening import Screener, ScreeningMatch, screen

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from ..api import ChipView

NOT_CONTROLLED = "not 3A090"
MODES = ("enforcement", "legal-text")
_POLICY_CODES = {None: -1, "approval": 0, "case-by-case": 1, "denial": 2}
_POLICY_NAMES = {v: k for k, v in _POLICY_CODES.items()}


# --- items ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Item:
    """What is being exported: a catalog chip or ad-hoc specs, as engine facts."""

    name: str
    facts: Facts
    id: str | None = None
    kind: str = "ic"  # "ic" or "computer" (4A090)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "vendor": self.facts.vendor, "kind": self.kind}


def item_from_chip(view: ChipView, *, kind: str = "ic") -> Item:
    """Engine facts from a catalog chip and its metrics."""
    m, c = view.metrics, view.chip
    metrics: dict[str, tuple[float, float]] = {}
    for name in (
        "tpp",
        "dram_bandwidth_gbps",
        "io_bandwidth_gbps",
        "dram_plus_io_bandwidth_gbps",
        "hbm_bandwidth_density",
    ):
        value = getattr(m, name)
        if value is not None:
            metrics[name] = (value, value)
    if m.performance_density is not None:
        metrics["performance_density"] = (m.performance_density, m.performance_density)
    elif m.performance_density_max is not None:
        metrics["performance_density"] = (0.0, m.performance_density_max)
    if c.transistors_billion is not None:
        metrics["transistors_billion"] = (c.transistors_billion.value,) * 2
    flags = {"datacenter": c.market == "datacenter", "hbm": False}
    return Item(c.name, Facts(metrics, flags, c.id, c.vendor), c.id, kind)


SPEC_KEYS = {
    "tpp": "tpp",
    "pd": "performance_density",
    "performance_density": "performance_density",
    "dram_bw": "dram_bandwidth_gbps",
    "io_bw": "io_bandwidth_gbps",
    "hbm_density": "hbm_bandwidth_density",
    "transistors": "transistors_billion",
}


class SpecError(ValueError):
    """Ad-hoc specs that cannot be used."""


def item_from_spec(spec: Mapping[str, str] | str) -> Item:
    """Facts from ad-hoc specs such as ``tpp=2368,die_area=814,dram_bw=4000,market=datacenter``.

    Keys: tpp, die_area (mm²; gives performance density), pd, dram_bw, io_bw (GB/s),
    hbm_density, transistors (billions), market (datacenter/workstation/consumer),
    vendor, name, kind (ic/computer/hbm).
    """
    pairs = _parse_spec(spec) if isinstance(spec, str) else dict(spec)
    allowed = set(SPEC_KEYS) | {"die_area", "market", "vendor", "name", "kind"}
    unknown = sorted(set(pairs) - allowed)
    if unknown:
        raise SpecError(
            f"unknown spec key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}"
        )
    metrics: dict[str, tuple[float, float]] = {}
    numbers: dict[str, float] = {}
    for key, value in pairs.items():
        if key in SPEC_KEYS or key == "die_area":
            try:
                number = float(value)
            except ValueError:
                raise SpecError(f"spec {key}={value!r} is not a number") from None
            if not math.isfinite(number) or number < 0:
                raise SpecError(f"spec {key}={value!r} must be a finite number, not negative")
            numbers[key] = number
    for key, number in numbers.items():
        if key in SPEC_KEYS:
            metrics[SPEC_KEYS[key]] = (number, number)
    if "die_area" in numbers and "tpp" in numbers and "performance_density" not in metrics:
        if numbers["die_area"] <= 0:
            raise SpecError("spec die_area must be > 0")
        pd = numbers["tpp"] / numbers["die_area"]
        metrics["performance_density"] = (pd, pd)
    if "dram_bandwidth_gbps" in metrics and "io_bandwidth_gbps" in metrics:
        total = metrics["dram_bandwidth_gbps"][0] + metrics["io_bandwidth_gbps"][0]
        metrics["dram_plus_io_bandwidth_gbps"] = (total, total)
    market = pairs.get("market")
    if market is not None and market not in ("datacenter", "workstation", "consumer"):
        raise SpecError(f"spec market={market!r}: use datacenter, workstation or consumer")
    kind = pairs.get("kind", "ic")
    if kind not in ("ic", "computer", "hbm"):
        raise SpecError(f"spec kind={kind!r}: use ic, computer or hbm")
    if kind == "hbm":
        metrics.setdefault("tpp", (0.0, 0.0))  # a memory device has no processing units
    flags: dict[str, bool | None] = {
        "datacenter": None if market is None else market == "datacenter",
        "hbm": kind == "hbm",
    }
    name = pairs.get("name") or "ad-hoc item"
    return Item(
        name,
        Facts(metrics, flags, None, pairs.get("vendor")),
        None,
        "computer" if kind == "computer" else "ic",
    )


def _parse_spec(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        if "=" not in part:
            raise SpecError(f"spec part {part!r} is not key=value")
        key, value = (x.strip() for x in part.split("=", 1))
        out[key.lower()] = value
    return out


# --- results -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reason:
    rule: str
    paragraph: str
    text: str
    citation: str
    evidence: str = "primary"
    url: str | None = None
    text_ar: str = ""

    def in_language(self, lang: str) -> str:
        """The reason's text in Arabic when asked and known, else in English."""
        return self.text_ar if lang == "ar" and self.text_ar else self.text

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "paragraph": self.paragraph,
            "text": self.text,
            "text_ar": self.text_ar or None,
            "citation": self.citation,
            "evidence": self.evidence,
            "url": self.url,
        }


@dataclass(frozen=True)
class Determination:
    """The answer for one item, destination, date and end user, with its reasons."""

    item: Item
    destination: Country
    rules_destination: Country
    on: dt.date
    classification: str
    license_required: bool | None
    review_policy: str | None
    license_exceptions: tuple[dict[str, Any], ...]
    conditions: tuple[dict[str, Any], ...]
    import_restrictions: tuple[dict[str, Any], ...]
    reasons: tuple[Reason, ...]
    missing: tuple[str, ...]
    data_version: str
    mode: str
    end_user: ScreeningMatch | None = None
    end_user_name: str | None = None
    exported_from_us: bool = True
    possible_classifications: tuple[str, ...] = ()

    @property
    def undetermined(self) -> bool:
        return self.license_required is None

    def key(self) -> tuple[Any, ...]:
        """What a timeline compares between dates."""
        return (
            self.classification,
            self.license_required,
            self.review_policy,
            tuple(x["id"] for x in self.license_exceptions),
            tuple(x["rule"] for x in self.import_restrictions),
        )

    def to_dict(self) -> dict[str, Any]:
        dest = {
            "code": self.destination.code,
            "name": self.destination.name,
            "name_ar": self.destination.name_ar,
        }
        if self.rules_destination.code != self.destination.code:
            dest["treated_as"] = self.rules_destination.code
        return {
            "chip": self.item.to_dict(),
            "destination": dest,
            "on": self.on.isoformat(),
            "end_user": (
                {
                    "query": self.end_user_name,
                    "match": self.end_user.to_dict() if self.end_user else None,
                }
                if self.end_user_name
                else None
            ),
            "classification": self.classification,
            "possible_classifications": list(self.possible_classifications),
            "license_required": self.license_required,
            "review_policy": self.review_policy,
            "license_exceptions": list(self.license_exceptions),
            "conditions": list(self.conditions),
            "import_restrictions": list(self.import_restrictions),
            "reasons": [r.to_dict() for r in self.reasons],
            "missing": list(self.missing),
            "mode": self.mode,
            "exported_from_us": self.exported_from_us,
            "data_version": self.data_version,
        }


# --- the plan: what is in force for one destination, date and end user -----------------


@dataclass
class Plan:
    """Everything in force on ``on`` that can matter for this destination and end user."""

    on: dt.date
    destination: Country
    rules_destination: Country
    groups: frozenset[str]
    mode: str
    exported_from_us: bool
    rules: RuleSet
    classification: Classification | None
    classification_event: Event | None
    requirements: list[tuple[Requirement, PolicyRule]]
    policy_changes: list[PolicyChange]
    exceptions: list[LicenseException]
    conditions: list[Condition]
    import_measures: list[ImportMeasure]
    notes: list[Reason] = field(default_factory=list)
    end_user: ScreeningMatch | None = None
    end_user_name: str | None = None
    entity_listed: bool = False

    def facts(self, item: Item) -> Facts:
        flags = {**item.facts.flags, "exported_from_us": self.exported_from_us}
        return replace(item.facts, flags=flags)

    # scalar ------------------------------------------------------------------------

    def determine(self, item: Item) -> Determination:
        facts = self.facts(item)
        reasons: list[Reason] = []
        possible, class_reasons, missing = self._classify(facts, item.kind)
        reasons += class_reasons
        outcomes = [self._outcome_for(c, facts) for c in possible]
        lics = {o[0] for o in outcomes}
        lic = lics.pop() if len(lics) == 1 else None
        policies = {o[1] for o in outcomes}
        policy = policies.pop() if len(policies) == 1 and lic else None
        classification = possible[0] if len(possible) == 1 else "undetermined"
        outcome = outcomes[0] if len(outcomes) == 1 else None
        if outcome is not None:
            reasons += outcome[2]
            missing += [m for m in outcome[3] if m not in missing]
        else:
            reasons.append(
                Reason(
                    "chipwatch",
                    "undetermined",
                    "the classification could be any of "
                    + ", ".join(possible)
                    + (
                        "; the licence answer is the same for each"
                        if lic is not None
                        else "; the answer depends on which"
                    ),
                    "-",
                    "inferred",
                    text_ar="قد يكون التصنيف أيًّا من "
                    + "، ".join(ltr(p) for p in possible)
                    + ("؛ وجواب الترخيص واحد لكل منها" if lic is not None else "؛ والجواب يتوقف على أيّها"),
                )
            )
            # what holds whatever the classification (a letter naming the product) still explains
            reasons += [r for r in outcomes[0][2] if all(r in o[2] for o in outcomes[1:])]
        exceptions: tuple[dict[str, Any], ...] = ()
        conditions: list[dict[str, Any]] = []
        if outcome is not None and lic:
            exceptions = self._exceptions(classification, facts, outcome[4])
            conditions += outcome[5]
        if outcome is not None:
            conditions += self._conditions(classification, facts, lic)
        reasons += self.notes
        return Determination(
            item=item,
            destination=self.destination,
            rules_destination=self.rules_destination,
            on=self.on,
            classification=classification,
            license_required=lic,
            review_policy=policy,
            license_exceptions=exceptions,
            conditions=tuple({(c["rule"], c["text"]): c for c in conditions}.values()),
            import_restrictions=tuple(self._imports(item)),
            reasons=tuple(dict.fromkeys(reasons)),
            missing=tuple(dict.fromkeys(missing)),
            data_version=self.rules.version,
            mode=self.mode,
            end_user=self.end_user,
            end_user_name=self.end_user_name,
            exported_from_us=self.exported_from_us,
            possible_classifications=tuple(possible),
        )

    def _classify(self, facts: Facts, kind: str) -> tuple[list[str], list[Reason], list[str]]:
        cls, event = self.classification, self.classification_event
        if cls is None or event is None:
            first = min((e for e in self.rules.events if e.classification), key=lambda e: e.start)
            note = f"ECCN 3A090 did not exist yet (created by {first.citation}, effective {first.start})"
            note_ar = (
                f"لم يكن التصنيف 3A090 موجودًا بعد (استحدثه {ltr(first.citation)} النافذ في {ltr(str(first.start))})"
            )
            return (
                [NOT_CONTROLLED],
                [Reason("chipwatch", "3A090", note, first.citation, "primary", text_ar=note_ar)],
                [],
            )
        possible: list[str] = []
        reasons: list[Reason] = []
        missing: list[str] = []
        failed: list[tuple[str, str]] = []
        for p in cls.paragraphs:
            out = p.when.evaluate(facts)
            value, findings = out.value, list(out.findings)
            excluded_by = None
            for x in cls.exclusions:
                if not p.id.startswith(tuple(x.paragraphs)) or value is False:
                    continue
                ex = x.when.evaluate(facts)
                if ex.value is True:
                    origin = self._origin(x.introduced_by, event)
                    reasons.append(
                        _reason(
                            origin, x.id, f"{x.text}: " + _join(ex.findings),
                            text_ar=f"{_ar(x)}: " + _join_ar(ex.findings),
                        )
                    )
                    value, excluded_by = False, x.id
                    break
                if ex.value is None:
                    value, findings = None, findings + list(ex.findings)
            label = _eccn(p.id, kind)
            origin = self._origin(p.introduced_by, event)
            if value is True:
                possible.append(label)
                reasons.append(
                    _reason(
                        origin, label, f"{p.text}: " + _join(findings),
                        text_ar=f"{_ar(p)}: " + _join_ar(findings),
                    )
                )
                break
            if value is None:
                possible.append(label)
                missing += [f.missing for f in findings if f.missing]
                reasons.append(
                    _reason(
                        event,
                        label,
                        "cannot tell: " + _join(f for f in findings if f.value is None),
                        "inferred",
                        text_ar="لا يمكن الجزم: " + _join_ar(f for f in findings if f.value is None),
                    )
                )
            else:
                why = (
                    f"meets it but {excluded_by} applies"
                    if excluded_by
                    else _join(f for f in findings if f.value is False)
                )
                why_ar = (
                    f"يستوفيه لكن يستبعده البند {ltr(excluded_by)}"
                    if excluded_by
                    else _join_ar(f for f in findings if f.value is False)
                )
                failed.append((f"not {label} ({why})", f"ليس {ltr(label)} ({why_ar})"))
        else:
            possible.append(NOT_CONTROLLED)
            if failed:
                reasons.insert(
                    0,
                    _reason(
                        event, cls.eccn, "; ".join(f[0] for f in failed),
                        text_ar="؛ ".join(f[1] for f in failed),
                    ),
                )
        return possible, reasons, missing

    def _origin(self, event_id: str | None, default: Event) -> Event:
        """The event that introduced a restated paragraph (for its citation)."""
        return self.rules.by_id.get(event_id, default) if event_id else default

    def _outcome_for(
        self, classification: str, facts: Facts
    ) -> tuple[
        bool | None, str | None, list[Reason], list[str], list[Requirement], list[dict[str, Any]]
    ]:
        """(licence required, review policy, reasons, missing, applying requirements, conditions)."""
        facts = replace(facts, classification=classification)
        applying: list[tuple[Requirement, str | None, list[Reason], list[dict[str, Any]]]] = []
        unknown: list[Reason] = []
        missing: list[str] = []
        for req, policy_rule in self.requirements:
            value, findings = _applies(req, classification, facts)
            event = self.rules.by_id.get(req.event)
            if value is None:
                missing += [f.missing for f in findings if f.missing]
                text = f"may apply: {req.text}" + (
                    f" ({_join(findings)})"
                    if findings
                    else " (chipwatch does not classify this item under other ECCNs)"
                )
                text_ar = f"قد ينطبق: {_ar(req)}" + (
                    f" ({_join_ar(findings)})"
                    if findings
                    else " (لا يصنّف chipwatch هذا المنتج تحت تصنيفات أخرى)"
                )
                unknown.append(_reason(event, req.paragraph, text, "inferred", req, text_ar))
                continue
            if not value:
                continue
            policy, p_reasons, conds = self._policy(req, policy_rule, facts)
            detail = f" ({_join(findings)})" if req.items is not None else ""
            detail_ar = f" ({_join_ar(findings)})" if req.items is not None else ""
            why = [
                _reason(
                    event, req.paragraph, f"{req.text}{detail}", text_ar=f"{_ar(req)}{detail_ar}"
                ),
                *p_reasons,
            ]
            applying.append((req, policy, why, conds))
        if applying:
            lic: bool | None = True
        elif unknown:
            lic = None
        else:
            lic = False
        policy = None
        reasons: list[Reason] = []
        conditions: list[dict[str, Any]] = []
        for _req, pol, why, conds in applying:
            reasons += why
            conditions += conds
            if STRICTNESS[pol] > STRICTNESS[policy]:
                policy = pol
        if not applying:
            reasons += unknown or [
                Reason(
                    "chipwatch",
                    "-",
                    f"no licence requirement in force applies to {classification} items for "
                    f"{self.rules_destination.name} on {self.on.isoformat()}",
                    "-",
                    "inferred",
                    text_ar=f"لا ينطبق أي اشتراط ترخيص نافذ على منتجات {ltr(classification)} "
                    f"المتجهة إلى {self.rules_destination.name_ar} في {ltr(self.on.isoformat())}",
                )
            ]
        return lic, policy, reasons, missing, [a[0] for a in applying], conditions

    def _policy(
        self, req: Requirement, rule: PolicyRule, facts: Facts
    ) -> tuple[str | None, list[Reason], list[dict[str, Any]]]:
        policy = rule.policy
        event = self.rules.by_id.get(req.event)
        label = policy or "not established"
        note_ar = rule.note_ar or rule.note
        reasons = [
            _reason(
                event,
                rule.citation or req.paragraph,
                f"review policy: {label}" + (f" ({rule.note})" if rule.note else ""),
                rule.evidence,
                req,
                f"سياسة المراجعة: {POLICY_NAMES['ar'].get(policy or '', 'غير محددة')}"
                + (f" ({note_ar})" if note_ar else ""),
            )
        ]
        conditions: list[dict[str, Any]] = []
        for change in self.policy_changes:
            if req.key not in change.applies_to:
                continue
            out = change.when.evaluate(facts) if change.when else Outcome(True, ())
            ch_event = self.rules.by_id.get(change.event)
            if out.value is True:
                policy = change.policy
                detail = f" ({_join(out.findings)})" if out.findings else ""
                reasons.append(
                    _reason(
                        ch_event,
                        change.paragraph,
                        f"review policy {change.policy}: {change.text}{detail}",
                        change.evidence,
                        text_ar=f"تصبح سياسة المراجعة «{POLICY_NAMES['ar'][change.policy]}»: {_ar(change)}"
                        + (f" ({_join_ar(out.findings)})" if out.findings else ""),
                    )
                )
                conditions += [
                    {
                        "rule": change.event,
                        "paragraph": change.paragraph,
                        "text": c,
                        "text_ar": c_ar or None,
                        "citation": ch_event.citation if ch_event else "",
                    }
                    for c, c_ar in _with_arabic(change.conditions, change.conditions_ar)
                ]
            elif out.value is False:
                reasons.append(
                    _reason(
                        ch_event,
                        change.paragraph,
                        f"{change.text} does not apply: {_join(f for f in out.findings if f.value is False)}",
                        change.evidence,
                        text_ar=f"لا ينطبق: {_ar(change)}: "
                        + _join_ar(f for f in out.findings if f.value is False),
                    )
                )
            else:
                reasons.append(
                    _reason(
                        ch_event,
                        change.paragraph,
                        f"may qualify for {change.policy} review: {_join(out.findings)}",
                        "inferred",
                        text_ar=f"قد يتأهل لسياسة «{POLICY_NAMES['ar'][change.policy]}»: "
                        + _join_ar(out.findings),
                    )
                )
        return policy, reasons, conditions

    def _exceptions(
        self, classification: str, facts: Facts, applying: Sequence[Requirement]
    ) -> tuple[dict[str, Any], ...]:
        if self.entity_listed or any(not r.paragraphs for r in applying):
            return ()
        facts = replace(facts, classification=classification)
        out = []
        for x in self.exceptions:
            if not classification.startswith(x.paragraphs):
                continue
            if x.when is not None and x.when.evaluate(facts).value is not True:
                continue
            event = self.rules.by_id.get(x.event)
            out.append(
                {
                    "id": x.id,
                    "name": x.name,
                    "citation": x.citation,
                    "rule": x.event,
                    "conditions": list(x.conditions),
                    "conditions_ar": list(x.conditions_ar) or None,  # None when untranslated
                    "url": event.sources[0].url if event else None,
                }
            )
        return tuple(out)

    def _conditions(
        self, classification: str, facts: Facts, lic: bool | None
    ) -> list[dict[str, Any]]:
        facts = replace(facts, classification=classification)
        out = []
        for c in self.conditions:
            if c.items is not None and c.items.evaluate(facts).value is not True:
                continue
            event = self.rules.by_id.get(c.event)
            out.append(
                {
                    "rule": c.event,
                    "paragraph": c.paragraph,
                    "text": c.text,
                    "text_ar": c.text_ar or None,
                    "citation": event.citation if event else "",
                }
            )
        hq_rules = (
            [r for r, _ in self._hq_pending if classification.startswith(r.paragraphs)]
            if self.end_user_name is None
            else []
        )
        for r in hq_rules:
            event = self.rules.by_id.get(r.event)
            out.append(
                {
                    "rule": r.event,
                    "paragraph": r.paragraph,
                    "text": f"also: {r.text} (name an end user to check)",
                    "text_ar": f"كذلك: {_ar(r)} (سمِّ المستخدم النهائي للتحقق)",
                    "citation": event.citation if event else "",
                }
            )
        return out

    def _imports(self, item: Item) -> list[dict[str, Any]]:
        out = []
        for m in self.import_measures:
            if m.matches(item.id, item.facts.vendor):
                event = self.rules.by_id[m.event]
                out.append(
                    {
                        "rule": m.event,
                        "severity": m.severity,
                        "text": m.text,
                        "text_ar": m.text_ar or None,
                        "since": event.effective.isoformat(),
                        "citation": event.citation,
                        "evidence": event.evidence,
                        "url": event.sources[0].url,
                    }
                )
        return out

    _hq_pending: list[tuple[Requirement, PolicyRule]] = field(default_factory=list)

    # vectorized ------------------------------------------------------------------------

    def evaluate_arrays(self, arrays: ArrayFacts) -> dict[str, Any]:
        """Classification, licence requirement and review policy for N items at once.

        Returns ``classification`` (int index into ``labels``, -1 = undetermined),
        ``license_required`` (1 / 0 / -1 undetermined) and ``review_policy`` (index
        into ``policies``, -1 = none). Same answers as :meth:`determine`.
        """
        import numpy as np

        n = arrays.n
        arrays.memo.clear()  # leaf masks are shared within one evaluation only
        arrays.flags["exported_from_us"] = (np.ones(n, bool), np.full(n, self.exported_from_us))
        labels: list[str] = []
        class_idx = np.full(n, -2, dtype=np.int16)  # -2 = not decided yet
        possible_masks: list[tuple[str, npt.NDArray[np.bool_]]] = []
        unknown_seen = np.zeros(n, bool)
        decided = np.zeros(n, bool)
        cls = self.classification
        paragraphs = list(cls.paragraphs) if cls else []
        for p in paragraphs:
            t, f = p.when.evaluate_arrays(arrays)
            for x in cls.exclusions if cls else ():
                if p.id.startswith(tuple(x.paragraphs)):
                    xt, xf = x.when.evaluate_arrays(arrays)
                    t, f = t & xf, f | xt
            label = _eccn(p.id, "ic")
            labels.append(label)
            hit = t & ~decided
            maybe = ~t & ~f & ~decided
            possible_masks.append((label, hit | maybe))
            class_idx[hit & ~unknown_seen] = len(labels) - 1
            class_idx[hit & unknown_seen] = -1
            unknown_seen |= maybe
            decided |= hit
        labels.append(NOT_CONTROLLED)
        rest = ~decided
        possible_masks.append((NOT_CONTROLLED, rest))
        class_idx[rest & ~unknown_seen] = len(labels) - 1
        class_idx[rest & unknown_seen] = -1
        # licence and policy per possible class; they must agree across possibilities
        all_true = np.ones(n, bool)
        all_false = np.ones(n, bool)
        policy = np.full(n, -3, dtype=np.int8)  # -3 = unset
        policy_conflict = np.zeros(n, bool)
        reqs = self._requirement_arrays(arrays)
        for label, mask in possible_masks:
            lt, lf, pol = self._outcome_arrays(label, reqs, n)
            all_true &= ~mask | lt
            all_false &= ~mask | lf
            first = mask & (policy == -3)
            policy[first] = pol[first]
            policy_conflict |= mask & ~first & (policy != pol)
        lic = np.where(all_true, 1, np.where(all_false, 0, -1)).astype(np.int8)
        policy = np.where((lic == 1) & ~policy_conflict, policy, -1).astype(np.int8)
        return {
            "classification": class_idx,
            "labels": labels,
            "license_required": lic,
            "review_policy": policy,
            "policies": [_POLICY_NAMES[i] for i in range(3)],
        }

    def _requirement_arrays(self, arrays: ArrayFacts) -> list[tuple[Requirement, Any, Any, Any]]:
        """Per requirement: item-criterion masks (None when class-dependent) and policy codes."""
        import numpy as np

        out = []
        for req, rule in self.requirements:
            t, f = req.items.evaluate_arrays(arrays) if req.items is not None else (None, None)
            pol: Any = np.int8(_POLICY_CODES[rule.policy])
            for change in self.policy_changes:
                if req.key in change.applies_to:
                    changed = np.int8(_POLICY_CODES[change.policy])
                    pol = (
                        np.where(change.when.evaluate_arrays(arrays)[0], changed, pol)
                        if change.when
                        else changed
                    )
            out.append((req, t, f, pol))
        return out

    @staticmethod
    def _outcome_arrays(
        classification: str, reqs: Sequence[tuple[Requirement, Any, Any, Any]], n: int
    ) -> tuple[Any, Any, Any]:
        """(certainly required, certainly not required, review policy code) for one classification."""
        import numpy as np

        any_true = np.zeros(n, bool)
        all_false = np.ones(n, bool)
        policy: Any = np.full(n, -1, dtype=np.int8)
        for req, t, f, pol in reqs:
            if t is None:  # decided by the classification alone
                hit = req.all_items or classification.startswith(tuple(req.paragraphs))
                if hit:
                    any_true[:] = True
                    policy = np.maximum(policy, pol)
                elif req.other_items_undetermined:
                    all_false[:] = False
                continue
            any_true |= t
            all_false &= f
            policy = np.where(t, np.maximum(policy, pol), policy)
        return any_true, all_false & ~any_true, np.where(any_true, policy, -1).astype(np.int8)


def _applies(
    req: Requirement, classification: str, facts: Facts
) -> tuple[bool | None, tuple[Finding, ...]]:
    if req.all_items:
        return True, ()
    if req.paragraphs:
        if classification.startswith(tuple(req.paragraphs)):
            return True, ()
        return (None if req.other_items_undetermined else False), ()
    assert req.items is not None
    out = req.items.evaluate(facts)
    return out.value, out.findings


def _eccn(paragraph: str, kind: str) -> str:
    return paragraph.replace("3A090", "4A090", 1) if kind == "computer" else paragraph


def _join(findings: Any) -> str:
    return "; ".join(f.text for f in findings)


def _join_ar(findings: Any) -> str:
    return "؛ ".join(f.text_ar or f.text for f in findings)


def _ar(rule_part: Any) -> str:
    """A rule record's Arabic text, or its English text where no translation is kept."""
    return str(rule_part.text_ar or rule_part.text)


def _with_arabic(lines: Sequence[str], arabic: Sequence[str]) -> list[tuple[str, str]]:
    return [(line, arabic[i] if i < len(arabic) else "") for i, line in enumerate(lines)]


def _reason(
    event: Event | None,
    paragraph: str,
    text: str,
    evidence: str | None = None,
    req: Requirement | None = None,
    text_ar: str = "",
) -> Reason:
    if event is None:
        return Reason("chipwatch", paragraph, text, "-", evidence or "inferred", text_ar=text_ar)
    return Reason(
        event.id,
        paragraph,
        text,
        event.citation,
        evidence or event.evidence,
        event.sources[0].url,
        text_ar,
    )


# --- building plans ----------------------------------------------------------------------


class EngineError(ValueError):
    """Bad engine input (unknown mode, date out of range, …)."""


class _Scoped(Protocol):
    @property
    def destinations(self) -> Scope: ...


_S = TypeVar("_S", bound=_Scoped)


def _reaching(items: Iterable[_S], code: str, groups: frozenset[str]) -> list[_S]:
    """The items whose destination scope covers this country (by code or country group)."""
    return [x for x in items if x.destinations.contains(code, groups)]


def build_plan(
    destination: str | Country,
    on: dt.date,
    end_user: str | None = None,
    *,
    mode: str = "enforcement",
    exported_from_us: bool = True,
    screener: Screener | None = None,
    owned_by: str | None = None,
) -> Plan:
    """Everything in force for a destination, date and end user (``owned_by``: the party that owns
    50% or more of the end user, for the Affiliates rule)."""
    if mode not in MODES:
        raise EngineError(f"unknown mode {mode!r}; use {' or '.join(MODES)}")
    table = countries()
    dest = destination if isinstance(destination, Country) else table.resolve(destination)
    end_user, owned_by = (end_user or "").strip() or None, (owned_by or "").strip() or None
    return _plan(dest.code, on, end_user, mode, exported_from_us, screener, owned_by)


@functools.lru_cache(maxsize=4096)
def _plan(
    dest_code: str,
    on: dt.date,
    end_user: str | None,
    mode: str,
    exported_from_us: bool,
    screener: Screener | None,
    owned_by: str | None = None,
) -> Plan:
    rules, table = load_rules(), countries()
    dest = table.by_code[dest_code]
    effective = table.effective(dest_code, on)
    groups = table.groups_on(effective.code, on)
    notes: list[Reason] = []
    if dest.code == "US":
        notes.append(
            Reason(
                "chipwatch",
                "destination",
                "the destination is the United States: a shipment within the US is not an export "
                "(releases to foreign persons there, deemed exports, are not modelled)",
                "15 CFR 734.13",
                "primary",
                text_ar="الوجهة هي الولايات المتحدة: الشحن داخلها ليس تصديرًا (ولا يُنمذَج الإفصاح "
                "لأشخاص أجانب داخلها، أي التصدير الضمني)",
            )
        )
    if effective.code != dest.code:
        notes.append(
            Reason(
                "chipwatch",
                "destination",
                f"{dest.name} is treated as {effective.name} under the EAR since "
                f"{dest.treated_since.isoformat() if dest.treated_since else '?'}",
                dest.treated_citation or "-",
                "primary",
                text_ar=f"تُعامَل {dest.name_ar} معاملة {effective.name_ar} بموجب لوائح EAR منذ "
                f"{ltr(dest.treated_since.isoformat() if dest.treated_since else '?')}",
            )
        )
    match = screen(end_user, screener) if end_user else None
    hq = match.entity.country if match else None
    hq_groups = (
        table.groups_on(table.effective(hq, on).code, on) if hq in table.by_code else frozenset()
    )
    hq_code = table.effective(hq, on).code if hq in table.by_code else None
    active = [
        e
        for e in rules.events
        if e.start <= on and (e.end(mode) is None or on < (e.end(mode) or on))
    ]
    replaced: dict[str, dt.date] = {}
    for e in rules.events:
        for key in e.replaces:
            replaced[key] = min(replaced.get(key, e.start), e.start)

    def alive(key: str) -> bool:
        return not (key in replaced and replaced[key] <= on)

    class_events = [e for e in active if e.classification is not None]
    class_event = max(class_events, key=lambda e: e.start) if class_events else None

    requirements: list[tuple[Requirement, PolicyRule]] = []
    hq_pending: list[tuple[Requirement, PolicyRule]] = []
    for e in active:
        for req in e.requirements:
            if not alive(req.key):
                continue
            in_dest = req.destinations.contains(effective.code, groups)
            hq_hit = hq_code is not None and _in_scope(
                req.or_headquartered_in or req.headquartered_in, hq_code, hq_groups
            )
            if req.headquartered_in is not None:
                if not in_dest:
                    continue
                if hq_code is None:
                    hq_pending.append((req, _policy_rule(req, effective.code, groups)))
                    continue
                if not hq_hit:
                    continue
            elif not in_dest and not (req.or_headquartered_in is not None and hq_hit):
                continue
            if end_user and req.except_end_users and _exempt(end_user, match, req.except_end_users):
                notes.append(
                    Reason(
                        e.id,
                        req.paragraph,
                        f"{end_user} is an approved recipient exempt from: {req.text}",
                        e.citation,
                        "primary",
                        e.sources[0].url,
                        f"{ltr(end_user)} جهة مستلمة معتمدة معفاة من: {_ar(req)}",
                    )
                )
                continue
            requirements.append((req, _policy_rule(req, effective.code, groups)))
    entity_listed = False
    if match is not None:
        entity = match.entity
        score = f"{match.score:.2f}"
        if entity.listed and (entity.added is None or entity.added <= on):
            entity_listed = True
            requirements.append(_entity_requirement(entity, on))
            notes.append(
                Reason(
                    "screening",
                    entity.list_name or "Entity List",
                    f"end user {end_user!r} matches {entity.name!r} (as {match.matched_name!r}, score {score}), "
                    f"listed {entity.added.isoformat() if entity.added else '(date not given)'}",
                    entity.citation or "-",
                    "primary",
                    text_ar=f"المستخدم النهائي {ltr(end_user)} يطابق {ltr(entity.name)} "
                    f"(بالاسم {ltr(match.matched_name)}، درجة التطابق {score})، المُدرج في "
                    f"{ltr(entity.added.isoformat() if entity.added else '?')}",
                )
            )
        elif entity.listed:
            notes.append(
                Reason(
                    "screening",
                    entity.list_name or "Entity List",
                    f"end user {end_user!r} matches {entity.name!r} (score {score}), but it was listed only on "
                    f"{entity.added.isoformat() if entity.added else '?'}",
                    entity.citation or "-",
                    "primary",
                    text_ar=f"المستخدم النهائي {ltr(end_user)} يطابق {ltr(entity.name)} "
                    f"(درجة التطابق {score})، لكنه لم يُدرج إلا في "
                    f"{ltr(entity.added.isoformat() if entity.added else '?')}",
                )
            )
        else:
            notes.append(
                Reason(
                    "screening",
                    "-",
                    f"end user {end_user!r} matches {entity.name!r} (score {score})"
                    + (
                        f" on the {entity.list_name}, which imposes no export licence requirement"
                        if entity.list_name
                        else ": not on the screened lists"
                    )
                    + f"; headquartered in {entity.country}",
                    "-",
                    "secondary",
                    text_ar=f"المستخدم النهائي {ltr(end_user)} يطابق {ltr(entity.name)} "
                    f"(درجة التطابق {score})"
                    + (
                        f" في {ltr(entity.list_name)}، وهي قائمة لا تفرض اشتراط ترخيص تصدير"
                        if entity.list_name
                        else ": غير مدرج في القوائم التي فُحصت"
                    )
                    + f"؛ مقره في {_country_ar(entity.country)}",
                )
            )
    elif end_user:
        notes.append(
            Reason(
                "screening",
                "-",
                f"end user {end_user!r}: no match on the screened lists (threshold 0.86); its "
                "headquarters are unknown to chipwatch",
                "-",
                "inferred",
                text_ar=f"المستخدم النهائي {ltr(end_user)}: لا تطابق في القوائم التي فُحصت "
                "(عتبة 0.86)؛ ومقره غير معروف لـ chipwatch",
            )
        )
    if owned_by:
        owner_listed = _affiliate_listing(owned_by, end_user, on, active, screener, notes)
        if owner_listed is not None and not entity_listed:
            entity_listed = True
            requirements.append(_entity_requirement(owner_listed, on))
    plan = Plan(
        on=on,
        destination=dest,
        rules_destination=effective,
        groups=groups,
        mode=mode,
        exported_from_us=exported_from_us,
        rules=rules,
        classification=class_event.classification if class_event else None,
        classification_event=class_event,
        requirements=requirements,
        policy_changes=_reaching((p for e in active for p in e.policy_changes), effective.code, groups),
        exceptions=[
            x
            for x in _reaching((x for e in active for x in e.license_exceptions), effective.code, groups)
            if alive(x.key)
        ],
        conditions=_reaching((c for e in active for c in e.conditions), effective.code, groups),
        # import measures are the destination's own law: its real code, not US country groups
        import_measures=_reaching((m for e in active for m in e.import_measures), dest.code, frozenset()),
        notes=notes,
        end_user=match,
        end_user_name=end_user,
        entity_listed=entity_listed,
    )
    plan._hq_pending = hq_pending
    return plan


def _affiliate_listing(
    owned_by: str,
    end_user: str | None,
    on: dt.date,
    active: Sequence[Event],
    screener: Screener | None,
    notes: list[Reason],
) -> Entity | None:
    """The listed owner whose restrictions reach the end user under the Affiliates rule on ``on``
    (with the reason added to ``notes``), or None with a note saying why not."""
    party = ltr(end_user) if end_user else "المستخدم النهائي"
    owner = screen(owned_by, screener)
    listed = owner is not None and owner.entity.listed and (
        owner.entity.added is None or owner.entity.added <= on
    )
    if owner is None or not listed:
        notes.append(
            Reason(
                "screening", "-", f"owner {owned_by!r}: not a listed party on {on.isoformat()}",
                "-", "inferred",
                text_ar=f"المالك {ltr(owned_by)}: ليس جهة مدرجة في {ltr(on.isoformat())}",
            )
        )
        return None
    rule = next((e for e in active if e.affiliates), None)
    if rule is None or rule.affiliates is None:
        why, why_ar = _affiliates_off(on)
        notes.append(
            Reason(
                "chipwatch", "15 CFR 744.11(a)(1)",
                f"owner {owner.entity.name!r} is listed, but the Affiliates rule does not apply on "
                f"{on.isoformat()}: {why}",
                "-", "secondary",
                text_ar=f"المالك {ltr(owner.entity.name)} مدرج، لكن قاعدة الشركات التابعة لا تنطبق في "
                f"{ltr(on.isoformat())}: {why_ar}",
            )
        )
        return None
    a = rule.affiliates
    notes.append(
        _reason(
            rule, a.paragraph,
            f"{end_user or 'the end user'} is {a.threshold_pct:g}%+ owned by {owner.entity.name}: {a.text}",
            text_ar=f"{party} مملوكة بنسبة {a.threshold_pct:g}% أو أكثر لـ {ltr(owner.entity.name)}: "
            f"{a.text_ar or a.text}",
        )
    )
    return owner.entity


def _requirement_ar(entity: Entity) -> str:
    """An Entity List licence requirement in Arabic: the common wording translated, the rest (a
    footnote, a named item class) kept as written."""
    text = entity.license_requirement or "all items subject to the EAR"
    head = "all items subject to the EAR"
    if text.startswith(head):
        rest = text[len(head) :].strip()
        return "كل المواد الخاضعة للوائح EAR" + (f" {ltr(rest)}" if rest else "")
    return ltr(text)


def _country_ar(code: str | None) -> str:
    c = countries().by_code.get(code or "")
    return c.name_ar if c else ltr(code or "?")


def _affiliates_off(on: dt.date) -> tuple[str, str]:
    """Why no Affiliates rule applies on ``on``, from the dated events (English, Arabic)."""
    events = sorted((e for e in load_rules().events if e.affiliates), key=lambda e: e.start)
    if not events or on < events[0].start:
        start = events[0].start.isoformat() if events else "?"
        return f"not yet in force (from {start})", f"لم تكن نافذة بعد (نافذة من {ltr(start)})"
    ends = [end for e in events if (end := e.end("legal-text")) is not None and end <= on]
    ended = max(ends, default=None)
    later = next((e.start for e in events if e.start > on), None)
    until = f" until {later.isoformat()}" if later else ""
    until_ar = f" حتى {ltr(later.isoformat())}" if later else ""
    since = ended.isoformat() if ended else "?"
    return f"suspended since {since}{until}", f"معلّقة منذ {ltr(since)}{until_ar}"


def _in_scope(scope: Scope | None, code: str, groups: frozenset[str]) -> bool:
    return scope is not None and scope.contains(code, groups)


def _policy_rule(req: Requirement, code: str, groups: frozenset[str]) -> PolicyRule:
    for rule in req.policy:
        if rule.scope is None or rule.scope.contains(code, groups):
            return rule
    return PolicyRule(
        None, evidence="inferred", note="no review policy line matches this destination"
    )


def _exempt(end_user: str, match: ScreeningMatch | None, exempt: Sequence[str]) -> bool:
    names = {fold(end_user)} | (
        {fold(match.entity.name), *(fold(a) for a in match.entity.aliases)} if match else set()
    )
    return any(fold(x) in names for x in exempt)


def _entity_requirement(entity: Entity, on: dt.date) -> tuple[Requirement, PolicyRule]:
    req = Requirement(
        key=f"entity-list/{fold(entity.name)}",
        event="entity-list",
        paragraph=f"{entity.list_name or 'Entity List'} (15 CFR 744.11; supplement no. 4 to part 744)",
        text=f"{entity.name} is listed: licence required for {entity.license_requirement or 'all items subject to the EAR'}",
        destinations=Scope(worldwide=True),
        policy=(),
        all_items=True,
        text_ar=f"{ltr(entity.name)} مدرجة في القائمة: يلزم ترخيص لـ{_requirement_ar(entity)}",
    )
    policy, citation = entity.policy_on(on)
    return req, PolicyRule(policy, evidence="primary", citation=citation)


# --- public entry points ----------------------------------------------------------------


def determine(
    item: Item,
    destination: str | Country,
    on: dt.date,
    end_user: str | None = None,
    *,
    mode: str = "enforcement",
    exported_from_us: bool = True,
    screener: Screener | None = None,
    owned_by: str | None = None,
) -> Determination:
    """Control status of ``item`` for ``destination`` on ``on`` (and ``end_user``), with reasons."""
    plan = build_plan(
        destination, on, end_user, mode=mode, exported_from_us=exported_from_us, screener=screener,
        owned_by=owned_by,
    )
    return plan.determine(item)


def change_dates(rules: RuleSet | None = None) -> list[dt.date]:
    """Every date on which some rule, group membership or listing starts or stops applying."""
    rules = rules or load_rules()
    dates: set[dt.date] = set()
    for e in rules.events:
        dates.add(e.start)
        for end in (e.superseded_on, e.rescinded, e.not_enforced_since):
            if end:
                dates.add(end)
    dates.update(countries().change_dates())
    dates.update(c.treated_since for c in countries().by_code.values() if c.treated_since)
    dates.update(e.added for e in rules.entities if e.added)
    return sorted(dates)


@dataclass(frozen=True)
class TimelineEntry:
    start: dt.date
    end: dt.date | None
    determination: Determination
    changed_by: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        d = self.determination
        return {
            "from": self.start.isoformat(),
            "until": self.end.isoformat() if self.end else None,
            "classification": d.classification,
            "license_required": d.license_required,
            "review_policy": d.review_policy,
            "license_exceptions": [x["id"] for x in d.license_exceptions],
            "import_restrictions": [x["text"] for x in d.import_restrictions],
            "changed_by": list(self.changed_by),
            "reasons": [r.to_dict() for r in d.reasons],
        }


def timeline(
    item: Item,
    destination: str,
    start: dt.date,
    end: dt.date,
    end_user: str | None = None,
    *,
    mode: str = "enforcement",
    exported_from_us: bool = True,
    owned_by: str | None = None,
) -> list[TimelineEntry]:
    """Each period over which the answer stays the same, and the events that changed it."""
    if end < start:
        raise EngineError(f"timeline end {end} is before start {start}")
    rules = load_rules()
    starts_on: dict[dt.date, list[str]] = {}
    for e in rules.events:
        starts_on.setdefault(e.start, []).append(e.id)
        for d in (e.superseded_on, e.rescinded, e.not_enforced_since):
            if d:
                starts_on.setdefault(d, []).append(f"{e.id} (ends)")
    points = [start, *(d for d in change_dates(rules) if start < d <= end)]
    entries: list[TimelineEntry] = []
    for d in points:
        det = determine(
            item, destination, d, end_user, mode=mode, exported_from_us=exported_from_us,
            owned_by=owned_by,
        )
        if entries and entries[-1].determination.key() == det.key():
            continue
        if entries:
            prev = entries[-1]
            entries[-1] = TimelineEntry(
                prev.start, d - dt.timedelta(days=1), prev.determination, prev.changed_by
            )
        entries.append(
            TimelineEntry(
                d,
                None,
                det,
                tuple(starts_on.get(d, ["country groups or listings"])) if entries else (),
            )
        )
    return entries


def array_facts(
    *,
    metrics: Mapping[str, Any],
    datacenter: Any,
    hbm: Any = None,
    product_ids: Any = None,
    vendors: Any = None,
) -> ArrayFacts:
    """Column arrays for :meth:`Plan.evaluate_arrays`; NaN marks an unknown metric."""
    import numpy as np

    dc = np.asarray(datacenter, dtype=bool)
    n = dc.shape[0]
    cols = {k: (col, col) for k, v in metrics.items() for col in [np.asarray(v, float)]}
    flags = {
        "datacenter": (np.ones(n, bool), dc),
        "hbm": (np.ones(n, bool), np.zeros(n, bool) if hbm is None else np.asarray(hbm, bool)),
    }
    return ArrayFacts(n, cols, flags, product_ids, vendors)


def items_to_arrays(items: Sequence[Item]) -> ArrayFacts:
    """Stack items' facts into columns (intervals kept; unknown flags marked unknown)."""
    import numpy as np

    n = len(items)
    names = {m for it in items for m in it.facts.metrics}
    cols = {}
    for m in names:
        lo = np.array([it.facts.metrics.get(m, (np.nan, np.nan))[0] for it in items], float)
        hi = np.array([it.facts.metrics.get(m, (np.nan, np.nan))[1] for it in items], float)
        cols[m] = (lo, hi)
    flags = {}
    for f in ("datacenter", "hbm"):
        values = [it.facts.flags.get(f) for it in items]
        flags[f] = (np.array([v is not None for v in values]), np.array([bool(v) for v in values]))
    return ArrayFacts(
        n,
        cols,
        flags,
        np.array([it.id or "" for it in items], dtype=object),
        np.array([it.facts.vendor or "" for it in items], dtype=object),
    )
