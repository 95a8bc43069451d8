"""The rule map: catalog chips on TPP x performance density with the control regions in force.

Regions are not drawn from hand-written thresholds: a log grid of hypothetical chips is
classified by the rules engine for the chosen date and destination (vectorized), so any
rule version - past, present or a new data file - draws itself. A second view puts DRAM
bandwidth against TPP for the 2025 bandwidth criteria and the January 2026 zone.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from typing import Any

import numpy as np

GRID = 220
TPP_RANGE = (300.0, 100_000.0)
PD_RANGE = (0.3, 60.0)
DRAM_RANGE = (100.0, 12_000.0)
#: Die area assumed for the bandwidth view's hypothetical chips (a reticle-size die like GH100).
REFERENCE_AREA = 814.0

STATUS_COLORS = {
    "licence-free": "#2e7d32",
    "licence: approval": "#9ccc65",
    "licence: case-by-case": "#f9a825",
    "licence: denial": "#c62828",
    "licence: policy not established": "#8e24aa",
    "undetermined": "#9e9e9e",
}


def status(license_required: bool | None, policy: str | None) -> str:
    if license_required is None:
        return "undetermined"
    if not license_required:
        return "licence-free"
    return f"licence: {policy}" if policy else "licence: policy not established"


def rule_map(on: dt.date, to: str = "CN") -> dict[str, Any]:
    """Chips with their determination and the two classified grids."""
    from ..api import chips as all_chips
    from ..rules import build_plan, item_from_chip
    from ..rules.engine import array_facts

    plan = build_plan(to, on)
    points = []
    for v in all_chips():
        m = v.metrics
        if not m.tpp:
            continue
        d = plan.determine(item_from_chip(v))
        pd = m.performance_density or m.performance_density_max
        points.append(
            {
                "chip": v.name,
                "id": v.id,
                "vendor": v.vendor,
                "tpp": m.tpp,
                "performance_density": pd,
                "density_is_upper_bound": m.performance_density is None and pd is not None,
                "dram_bandwidth_gbps": m.dram_bandwidth_gbps,
                "classification": d.classification,
                "license_required": d.license_required,
                "review_policy": d.review_policy,
                "status": status(d.license_required, d.review_policy),
            }
        )
    tpp = np.geomspace(*TPP_RANGE, GRID)
    density = np.geomspace(*PD_RANGE, GRID)
    tt, pp = np.meshgrid(tpp, density)
    n = tt.size
    classes = plan.evaluate_arrays(
        array_facts(
            metrics={"tpp": tt.ravel(), "performance_density": pp.ravel()},
            datacenter=np.ones(n, bool),
        )
    )
    dram = np.geomspace(*DRAM_RANGE, GRID)
    t2, d2 = np.meshgrid(tpp, dram)
    bw = plan.evaluate_arrays(
        array_facts(
            metrics={
                "tpp": t2.ravel(),
                "performance_density": t2.ravel() / REFERENCE_AREA,
                "dram_bandwidth_gbps": d2.ravel(),
                "io_bandwidth_gbps": np.zeros(n),
                "dram_plus_io_bandwidth_gbps": d2.ravel(),
            },
            datacenter=np.ones(n, bool),
            vendors=np.full(n, "NVIDIA"),
            product_ids=np.full(n, ""),
        )
    )
    labels = [*classes["labels"], "undetermined"]
    region = np.where(
        classes["classification"] >= 0, classes["classification"], len(labels) - 1
    ).reshape(tt.shape)
    lic, pol = bw["license_required"], bw["review_policy"]
    names = list(STATUS_COLORS)
    bw_status = np.array(
        [
            names.index(
                status({1: True, 0: False, -1: None}[int(a)], bw["policies"][b] if b >= 0 else None)
            )
            for a, b in zip(lic, pol, strict=True)
        ]
    ).reshape(t2.shape)
    return {
        "on": on.isoformat(),
        "to": plan.rules_destination.code,
        "data_version": plan.rules.version,
        "classification_rule": plan.classification_event.id if plan.classification_event else None,
        "chips": points,
        "grid": {
            "tpp": tpp,
            "performance_density": density,
            "dram_bandwidth_gbps": dram,
            "region": region,
            "region_labels": labels,
            "bandwidth_status": bw_status,
            "status_labels": names,
        },
    }


def map_text(r: dict[str, Any]) -> str:
    from ..render import table

    rows = [
        [
            p["chip"],
            p["tpp"],
            p["performance_density"],
            p["dram_bandwidth_gbps"],
            p["classification"],
            p["status"],
        ]
        for p in sorted(r["chips"], key=lambda p: -p["tpp"])
    ]
    head = f"Rule map for {r['to']} on {r['on']} (classification text: {r['classification_rule'] or 'none: before 3A090'}; data {r['data_version']})"
    return (
        head + "\n\n" + table(["chip", "TPP", "PD", "DRAM GB/s", "classification", "status"], rows)
    )


def plot(r: dict[str, Any], path: str) -> None:
    """PNG or SVG (matplotlib) or self-contained interactive HTML (Plotly, no network)."""
    ext = os.path.splitext(path)[1].lower()
    if ext not in (".png", ".svg", ".html"):
        raise ValueError(f"--plot {path!r}: use a .png, .svg or .html file name")
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=ext)
    os.close(fd)
    try:
        (_html if ext == ".html" else _static)(r, tmp)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; a plot is meant to be shared
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


_REGION_COLORS = ["#ef9a9a", "#e57373", "#ffe082", "#ffcc80", "#b39ddb", "#a5d6a7", "#eeeeee"]


def region_color(label: str, i: int) -> str:
    if label == "not 3A090":
        return "#e8f5e9"
    if label == "undetermined":
        return "#eeeeee"
    return _REGION_COLORS[i % len(_REGION_COLORS)]


def _static(r: dict[str, Any], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap

    g = r["grid"]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(15, 6.5), dpi=110)
    labels = g["region_labels"]
    cmap = ListedColormap([region_color(lab, i) for i, lab in enumerate(labels)])
    ax1.pcolormesh(
        g["tpp"],
        g["performance_density"],
        g["region"],
        cmap=cmap,
        vmin=-0.5,
        vmax=len(labels) - 0.5,
        shading="auto",
    )
    for i, lab in enumerate(labels):
        ys, xs = np.nonzero(g["region"] == i)
        if len(xs) > 40:
            ax1.text(
                g["tpp"][int(np.median(xs))],
                g["performance_density"][int(np.median(ys))],
                lab,
                ha="center",
                va="center",
                fontsize=9,
                weight="bold",
                color="#333333",
                alpha=0.8,
            )
    s_names = g["status_labels"]
    ax2.pcolormesh(
        g["tpp"],
        g["dram_bandwidth_gbps"],
        g["bandwidth_status"],
        vmin=-0.5,
        vmax=len(s_names) - 0.5,
        cmap=ListedColormap([STATUS_COLORS[s] for s in s_names]),
        alpha=0.25,
        shading="auto",
    )
    for p in r["chips"]:
        color = STATUS_COLORS[p["status"]]
        if p["performance_density"]:
            ax1.scatter(
                p["tpp"],
                p["performance_density"],
                color=color,
                edgecolor="black",
                s=36,
                zorder=3,
                marker="v" if p["density_is_upper_bound"] else "o",
            )
            ax1.annotate(
                p["chip"],
                (p["tpp"], p["performance_density"]),
                fontsize=7,
                xytext=(4, 3),
                textcoords="offset points",
            )
        if p["dram_bandwidth_gbps"]:
            ax2.scatter(
                p["tpp"], p["dram_bandwidth_gbps"], color=color, edgecolor="black", s=36, zorder=3
            )
            ax2.annotate(
                p["chip"],
                (p["tpp"], p["dram_bandwidth_gbps"]),
                fontsize=7,
                xytext=(4, 3),
                textcoords="offset points",
            )
    for ax in (ax1, ax2):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("TPP (total processing performance)")
    ax1.set_ylabel("performance density (TPP / mm²)")
    ax1.set_title("3A090 classification regions (datacenter parts); ▼ = density upper bound")
    ax2.set_ylabel("DRAM bandwidth (GB/s)")
    ax2.set_title(
        f"Licence status by TPP and DRAM bandwidth (NVIDIA part, {REFERENCE_AREA:.0f} mm² die)"
    )
    from matplotlib.lines import Line2D

    handles = [
        Line2D([], [], marker="o", ls="", color=c, markeredgecolor="black", label=s)
        for s, c in STATUS_COLORS.items()
    ]
    ax2.legend(handles=handles, loc="lower right", fontsize=8, title=f"status for {r['to']}")
    fig.suptitle(
        f"chipwatch rule map — {r['to']} on {r['on']} (rules {r['classification_rule']}, data {r['data_version']})"
    )
    fig.tight_layout()
    fig.savefig(path, format=os.path.splitext(path)[1][1:])
    plt.close(fig)


def _html(r: dict[str, Any], path: str) -> None:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    g = r["grid"]
    fig = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=("3A090 classification regions", "Licence status by DRAM bandwidth"),
    )
    labels = g["region_labels"]
    colors = [region_color(lab, i) for i, lab in enumerate(labels)]
    scale = [[i / max(1, len(colors) - 1), c] for i, c in enumerate(colors)]
    fig.add_trace(
        go.Heatmap(
            x=g["tpp"],
            y=g["performance_density"],
            z=g["region"],
            colorscale=scale,
            zmin=0,
            zmax=len(labels) - 1,
            showscale=False,
            text=[[labels[v] for v in row] for row in g["region"]],
            hovertemplate="TPP %{x:.0f}<br>PD %{y:.2f}<br>%{text}<extra></extra>",
        ),
        row=1,
        col=1,
    )
    names = g["status_labels"]
    scale2 = [[i / max(1, len(names) - 1), STATUS_COLORS[s]] for i, s in enumerate(names)]
    fig.add_trace(
        go.Heatmap(
            x=g["tpp"],
            y=g["dram_bandwidth_gbps"],
            z=g["bandwidth_status"],
            colorscale=scale2,
            zmin=0,
            zmax=len(names) - 1,
            showscale=False,
            opacity=0.35,
            text=[[names[v] for v in row] for row in g["bandwidth_status"]],
            hovertemplate="TPP %{x:.0f}<br>DRAM %{y:.0f} GB/s<br>%{text}<extra></extra>",
        ),
        row=1,
        col=2,
    )
    for st, color in STATUS_COLORS.items():
        pts = [p for p in r["chips"] if p["status"] == st]
        if not pts:
            continue
        hover = [f"{p['chip']}<br>{p['classification']}<br>{p['status']}" for p in pts]
        with_pd = [p for p in pts if p["performance_density"]]
        fig.add_trace(
            go.Scatter(
                x=[p["tpp"] for p in with_pd],
                y=[p["performance_density"] for p in with_pd],
                mode="markers+text",
                text=[p["chip"] for p in with_pd],
                textposition="top right",
                textfont={"size": 9},
                marker={"color": color, "size": 9, "line": {"color": "black", "width": 1}},
                name=st,
                hovertext=[h for p, h in zip(pts, hover, strict=True) if p["performance_density"]],
                hoverinfo="text",
            ),
            row=1,
            col=1,
        )
        fig.add_trace(
            go.Scatter(
                x=[p["tpp"] for p in pts],
                y=[p["dram_bandwidth_gbps"] for p in pts],
                mode="markers",
                marker={"color": color, "size": 9, "line": {"color": "black", "width": 1}},
                name=st,
                showlegend=False,
                hovertext=hover,
                hoverinfo="text",
            ),
            row=1,
            col=2,
        )
    for col in (1, 2):
        fig.update_xaxes(type="log", title_text="TPP", row=1, col=col)
    fig.update_yaxes(type="log", title_text="performance density", row=1, col=1)
    fig.update_yaxes(type="log", title_text="DRAM bandwidth (GB/s)", row=1, col=2)
    fig.update_layout(
        title=f"chipwatch rule map — {r['to']} on {r['on']} (data {r['data_version']})",
        height=620,
        width=1400,
    )
    fig.write_html(path, include_plotlyjs=True, full_html=True)
