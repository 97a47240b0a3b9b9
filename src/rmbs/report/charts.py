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
    """Class factors over time, one panel per group: the classes whose factor has moved (principal paid or losses
    allocated); the others stay at 1.0 and are named in the panel title's count."""
    labels = history["factor_labels"]
    groups = sorted({history["groups"][n] for n in history["factors"]})
    width = 9.5 if len(groups) == 1 else 3.7 * len(groups) + 0.6
    fig, axes = plt.subplots(1, len(groups), figsize=(width, 2.8), squeeze=False, sharey=True)
    x = list(range(len(labels)))
    colors = [plt.get_cmap("tab20")(i) for i in range(20)]
    for ax, g in zip(axes[0], groups, strict=True):
        names = [n for n in history["factors"] if history["groups"][n] == g]
        moving = [n for n in names if min(history["factors"][n]) < 0.999999] or names[:1]
        for i, n in enumerate(moving):
            ax.plot(
                x, history["factors"][n], label=n, color=colors[(2 * i) % 20 + (i // 10) % 2], linewidth=1.3
            )
        still = len(names) - len(moving)
        ax.set_title(f"Group {g}" + (f" ({still} classes still at 1.0)" if still else ""), fontsize=8)
        _style(ax)
        step = max(1, len(labels) // 7)
        ax.set_xticks(x[::step], [labels[i] for i in x[::step]], rotation=45, ha="right")
        ax.set_ylim(0, 1.05)
        ax.legend(
            fontsize=5.5,
            frameon=False,
            loc="center left",
            bbox_to_anchor=(1.0, 0.5),
            ncol=1 + len(moving) // 9,
        )
    axes[0][0].set_ylabel("factor", fontsize=8)
    fig.tight_layout()
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
    ax.legend(fontsize=6, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return _uri(fig)
