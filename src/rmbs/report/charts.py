"""matplotlib charts for the reports, returned as PNG data URIs (WeasyPrint and browsers embed them alike)."""

from __future__ import annotations

import base64
import io
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

PALETTE = ["#1f4e79", "#c55a11", "#548235", "#7030a0", "#bf9000", "#2e75b6", "#a9d18e", "#ff7c80"]
BUCKET_COLORS = {
    "dq_1_30": "#9dc3e6",
    "dq_31_60": "#2e75b6",
    "dq_61_90": "#1f4e79",
    "dq_91_plus": "#7030a0",
    "foreclosure": "#c55a11",
    "reo": "#a50021",
    "bankruptcy": "#7f7f7f",
}


def _uri(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=150, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _style(ax: Any) -> None:
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.tick_params(labelsize=7)


def factor_chart(history: dict[str, Any]) -> str:
    """Class factors over time, one panel per group (the classes that have moved, plus the PO and subordinates
    summarized by their first class, so a panel stays legible)."""
    labels = history["factor_labels"]
    groups = sorted({history["groups"][n] for n in history["factors"]})
    fig, axes = plt.subplots(
        1, len(groups), figsize=(3.6 * len(groups) + 0.8, 2.6), squeeze=False, sharey=True
    )
    x = list(range(len(labels)))
    for ax, g in zip(axes[0], groups, strict=True):
        names = [n for n in history["factors"] if history["groups"][n] == g]
        moving = [n for n in names if history["factors"][n][-1] < 0.999999] or names[:1]
        for i, n in enumerate(moving[:8]):
            ax.plot(x, history["factors"][n], label=n, color=PALETTE[i % len(PALETTE)], linewidth=1.4)
        ax.set_title(f"Group {g}", fontsize=9)
        _style(ax)
        step = max(1, len(labels) // 6)
        ax.set_xticks(x[::step], [labels[i] for i in x[::step]], rotation=45, ha="right")
        ax.set_ylim(bottom=0)
        ax.legend(fontsize=6, frameon=False, loc="lower left")
    axes[0][0].set_ylabel("factor", fontsize=8)
    fig.suptitle(
        "Class factors (classes with principal paid or losses; others stay at 1.0)", fontsize=9, y=1.06
    )
    return _uri(fig)


def delinquency_chart(history: dict[str, Any]) -> str:
    """Delinquent, foreclosure and REO principal balances by period, stacked, all loan groups."""
    labels = history["labels"]
    fig, ax = plt.subplots(figsize=(7.5, 2.9))
    x = list(range(len(labels)))
    bottom = [0.0] * len(labels)
    for k, name in history["bucket_names"].items():
        vals = [v / 100 / 1e6 for v in history["delinquency"][k]]
        if not any(vals):
            continue
        ax.bar(x, vals, bottom=bottom, label=name, color=BUCKET_COLORS.get(k, "#999999"), width=0.7)
        bottom = [a + b for a, b in zip(bottom, vals, strict=True)]
    _style(ax)
    ax.set_xticks(x, labels, rotation=45, ha="right")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"${v:,.1f}m"))
    ax.set_title("Delinquent, foreclosure and REO principal balances", fontsize=9)
    ax.legend(fontsize=6, frameon=False, ncol=4, loc="upper left")
    return _uri(fig)
