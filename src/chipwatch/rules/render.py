"""Text and Markdown views of determinations, timelines and rule events (JSON is ``to_dict``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from ..render import table
from .engine import Determination, TimelineEntry
from .model import Event


def verdict(d: Determination) -> str:
    """One line: 'licence required (presumption of denial)' / 'no licence required' / 'undetermined'."""
    if d.license_required is None:
        missing = f": missing {', '.join(d.missing)}" if d.missing else ""
        return f"undetermined{missing}"
    if not d.license_required:
        return "no licence required"
    policy = {
        "denial": "presumption of denial",
        "approval": "presumption of approval",
        "case-by-case": "case-by-case review",
    }
    return "licence required" + (
        f" ({policy[d.review_policy]})" if d.review_policy else " (review policy not established)"
    )


def _title(d: Determination) -> str:
    dest = f"{d.destination.name} ({d.destination.code})"
    if d.rules_destination.code != d.destination.code:
        dest += f", treated as {d.rules_destination.name}"
    user = f", end user {d.end_user_name}" if d.end_user_name else ""
    return f"{d.item.name} → {dest} on {d.on.isoformat()}{user}"


def determination_text(d: Determination, *, explain: bool = False) -> str:
    lines = [_title(d), ""]
    rows = [
        (
            "classification",
            d.classification
            if d.classification != "undetermined"
            else "undetermined (" + " or ".join(d.possible_classifications) + ")",
        ),
        ("answer", verdict(d)),
        (
            "licence exceptions",
            ", ".join(f"{x['id']} ({x['citation']})" for x in d.license_exceptions) or "none",
        ),
    ]
    lines += [f"  {k:<20}{v}" for k, v in rows]
    for c in d.conditions:
        lines.append(f"  {'condition':<20}{c['text']} [{c['rule']}]")
    for m in d.import_restrictions:
        lines.append(
            f"  {'import side':<20}{m['severity']} since {m['since']}: {m['text']} [{m['rule']}]"
        )
    lines += ["", "Reasons"]
    for i, r in enumerate(d.reasons, 1):
        cite = f" — {r.citation}" if r.citation not in ("-", "") else ""
        lines.append(f"  {i}. [{r.rule}] {r.paragraph}: {r.text}{cite}")
        if explain:
            lines.append(f"     evidence: {r.evidence}" + (f"; source: {r.url}" if r.url else ""))
    if explain and d.missing:
        lines += ["", f"Missing inputs: {', '.join(d.missing)}"]
    lines += [
        "",
        f"data {d.data_version} · mode {d.mode}"
        + ("" if d.exported_from_us else " · export from outside the US"),
    ]
    return "\n".join(lines)


def determination_md(d: Determination) -> str:
    lines = [
        f"### {_title(d)}",
        "",
        "| | |",
        "|---|---|",
        f"| classification | `{d.classification}` |",
        f"| answer | **{verdict(d)}** |",
        f"| licence exceptions | {', '.join(x['id'] for x in d.license_exceptions) or 'none'} |",
    ]
    lines += [f"| condition | {c['text']} |" for c in d.conditions]
    lines += [
        f"| import side | {m['severity']} since {m['since']}: {m['text']} |"
        for m in d.import_restrictions
    ]
    lines += ["", "**Reasons**", ""]
    lines += [
        f"{i}. `{r.rule}` {r.paragraph}: {r.text} ({r.citation}"
        + (f", [source]({r.url})" if r.url else "")
        + ")"
        for i, r in enumerate(d.reasons, 1)
    ]
    lines += ["", f"_data {d.data_version}, mode {d.mode}_"]
    return "\n".join(lines)


def timeline_text(entries: Sequence[TimelineEntry], *, markdown: bool = False) -> str:
    if not entries:
        return "no periods"
    first = entries[0].determination
    head = f"{first.item.name} → {first.destination.name} ({first.destination.code})"
    rows = []
    for e in entries:
        d = e.determination
        rows.append(
            [
                e.start.isoformat(),
                e.end.isoformat() if e.end else "today",
                d.classification,
                verdict(d),
                ", ".join(x["id"] for x in d.license_exceptions) or "—",
                "; ".join(m["severity"] for m in d.import_restrictions) or "—",
                ", ".join(e.changed_by) or "—",
            ]
        )
    heads = ["from", "until", "classification", "answer", "exceptions", "import side", "changed by"]
    if markdown:
        out = [f"### {head}", "", "| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
        out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
        return "\n".join(out)
    return head + "\n\n" + table(heads, rows, align_right=[False] * len(heads))


def events_text(events: Sequence[Event]) -> str:
    rows = [
        [e.effective.isoformat(), e.id, e.kind, e.citation, e.status_on(_today())] for e in events
    ]
    return table(
        ["effective", "id", "kind", "citation", "status today"], rows, align_right=[False] * 5
    )


def event_text(e: Event) -> str:
    lines = [
        f"{e.title}",
        f"id {e.id} · {e.kind} · {e.citation}",
        f"announced {e.announced} · effective {e.effective}"
        + (f" · compliance {e.compliance}" if e.compliance else ""),
        f"status today: {e.status_on(_today())}",
        "",
        e.summary,
        "",
    ]
    if e.classification:
        lines.append("Classification paragraphs:")
        lines += [f"  {p.id}: {p.text}" for p in e.classification.paragraphs]
        lines += [f"  {x.id}: {x.text}" for x in e.classification.exclusions]
    if e.requirements:
        lines.append("Licence requirements:")
        for r in e.requirements:
            policy = "; ".join(
                f"{p.policy or 'not established'}"
                + (f" for {p.scope.describe()}" if p.scope else "")
                for p in r.policy
            )
            lines.append(
                f"  {r.key} ({r.paragraph}): {r.text} — destinations {r.destinations.describe()}; policy {policy}"
            )
    lines += [f"Review policy change {p.key}: {p.text} → {p.policy}" for p in e.policy_changes]
    lines += [
        f"Licence exception {x.id} ({x.citation}): {x.name}, destinations {x.destinations.describe()}"
        for x in e.license_exceptions
    ]
    lines += [f"Condition {c.key}: {c.text}" for c in e.conditions]
    lines += [f"Import measure {m.key} ({m.severity}): {m.text}" for m in e.import_measures]
    lines += ["", "Sources:"] + [
        f"  {s.url} ({s.evidence}, retrieved {s.retrieved})" for s in e.sources
    ]
    return "\n".join(lines)


def _today() -> dt.date:
    return dt.date.today()
