"""Text views of fleets and frontiers (JSON is the dicts themselves)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _r(r: Mapping[str, float] | None, scale: float = 1.0, digits: int = 0) -> str:
    if not r:
        return "—"
    c, lo, hi = (r[k] * scale for k in ("central", "low", "high"))
    f = f"{{:,.{digits}f}}"
    if abs(hi - lo) < 1e-9 * max(1.0, abs(c)):
        return f.format(c)
    return f"{f.format(c)} ({f.format(lo)}–{f.format(hi)})"


def fleet_text(f: Mapping[str, Any], *, title: str | None = None) -> str:
    lines = [title or "Fleet: " + " + ".join(i["chip"] for i in f["items"]), ""]
    for i in f["items"]:
        price = i.get("unit_price_usd") or {}
        p = (
            f"at ${price['central']:,.0f} per chip ({price.get('date') or price.get('source')})"
            if price
            else ""
        )
        lines.append(f"  {i['chip']:<22}{_r(i['units'])} units {p}")
        if "determination" in i:
            d = i["determination"]
            verdict = {
                True: "licence required",
                False: "no licence required",
                None: "undetermined",
            }[d["license_required"]]
            pol = f" ({d['review_policy']})" if d["review_policy"] else ""
            lines.append(
                f"  {'':<22}export to {f['to']} on {f['on']}: {d['classification']}, {verdict}{pol}"
            )
            for r in d["import_restrictions"]:
                lines.append(f"  {'':<22}import side: {r}")
    h = f["h100_equivalents"]
    lines += [
        "",
        f"  TPP total            {_r(f['tpp_total'], 1e-6, 1)} million",
        f"  BF16 dense           {_r(f['bf16_flops'], 1e-18, 0)} EFLOP/s",
        f"  FP8 dense            {_r(f['fp8_flops'], 1e-18, 0)} EFLOP/s",
        f"  HBM                  {_r(f['hbm_capacity_gb'], 1e-6, 1)} PB, {_r(f['hbm_bandwidth_tbps'], 1e-3, 0)} PB/s",
        f"  H100-equivalents     {_r(h['by_tpp'])} by TPP; {_r(h['by_memory_bandwidth'])} by memory bandwidth",
        f"  training             {_r(f['training']['reference_runs_per_year'])} DeepSeek-V3 pre-training runs (14.8T tokens) per year",
        f"  inference            {_r(f['inference']['output_tokens_per_day'], 1e-12, 1)} trillion DeepSeek-R1 output tokens/day at TPOT ≤ 50 ms",
        f"  power at TDP         {_r(f['power_mw'], 1, 0)} MW"
        if f.get("power_mw")
        else "  power at TDP         —",
    ]
    if f.get("comparison"):
        lines += [
            "",
            fleet_text(
                f["comparison"],
                title="Same spend on " + " + ".join(i["chip"] for i in f["comparison"]["items"]),
            ),
        ]
    else:
        lines += ["", "Assumptions:", *(f"  - {a}" for a in f["assumptions"])]
    return "\n".join(lines)


def frontier_text(r: Mapping[str, Any]) -> str:
    m, k = r["metrics"], r["design"]["knobs"]
    d = r["determination"]
    verdict = {True: "licence required", False: "no licence required", None: "undetermined"}[
        d["license_required"]
    ]
    what = f" serving {r['model']}" if r.get("model") else ""
    lines = [
        f"Compliance frontier for {r['to']} on {r['on']} ({r['zone']}), base {r['base']}, objective {r['objective']}{what}",
        "",
        f"  design              compute {k['compute']:.1%} of the base, memory bandwidth {k['memory_bw']:.2f}x, I/O {k['io']:.0%}",
        f"  TPP                 {m['tpp']:,.0f}",
        f"  performance density {m['performance_density']:.2f}",
        f"  DRAM bandwidth      {m['dram_bandwidth_gbps']:,.0f} GB/s; I/O {m['io_bandwidth_gbps']:,.0f} GB/s; sum {m['dram_plus_io_bandwidth_gbps']:,.0f}",
        f"  determination       {d['classification']}, {verdict}"
        + (f" ({d['review_policy']})" if d["review_policy"] else ""),
        f"  objective           {r['objective_value']:,.1f} {r['objective_unit']}",
        "",
        "Binding constraints",
        *(f"  - {b}" for b in r["binding_constraints"]),
        "",
        "Compared with China-market chips",
    ]
    for c in r["comparisons"]:
        if c["objective_value"] is None:
            lines.append(f"  {c['chip']:<22}—  ({c.get('note')})")
            continue
        lic = {True: "licence required", False: "licence-free", None: "undetermined"}[
            c["license_required"]
        ]
        lines.append(
            f"  {c['chip']:<22}{c['objective_value']:>10,.1f}  {lic}"
            + (f" ({c['review_policy']})" if c.get("review_policy") else "")
        )
    lines.append(
        f"\n{r['candidates_evaluated']:,} candidate designs evaluated, {r['candidates_allowed']:,} allowed"
    )
    return "\n".join(lines)
