"""What ``labelmarket ablate`` writes: the carry table, the per-criterion effects, a heatmap and report.md."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from labelmarket.experiments.ablate import FULL, Ablation, carry_table, criterion_table  # noqa: E402
from labelmarket.scenarios.mechanisms import MECHANISMS  # noqa: E402

PASS_COLOUR, FAIL_COLOUR, NA_COLOUR = "#b7e1a1", "#f4a6a6", "#dddddd"
DPI = 130


def _fmt(x: float) -> str:
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return "–"
    if np.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{x:.3g}"


def consistent(effect_median: float, effect_p10: float, effect_p90: float) -> bool:
    """A paired effect that points one way: nonzero median, and the 10th-90th percentile range does not
    straddle zero. A flip without it is a knife-edge criterion tipping over on noise."""
    return bool(effect_median != 0 and not np.isnan(effect_median) and (effect_p10 >= 0 or effect_p90 <= 0))


def mechanism_summary(result: Ablation, carries: pd.DataFrame, criteria: pd.DataFrame) -> pd.DataFrame:
    """Per mechanism: its switch, what it claims, what it carries (and of that, what rests on a consistent
    paired effect) and blocks, and a one-word verdict."""
    flips = criteria[criteria["flipped"]]
    steady = {(v, p) for v, p, m, lo, hi in zip(flips.variant, flips.pattern, flips.effect_median, flips.effect_p10,
                                                   flips.effect_p90, strict=True) if consistent(m, lo, hi)}
    records = []
    for m in result.mechanisms:
        row = carries.loc[m.name] if m.name in carries.index else pd.Series(dtype=str)
        carried = [p for p, cell in row.items() if cell == "carries"]
        blocked = [p for p, cell in row.items() if cell == "blocks"]
        shown = [p for p in carried if (m.name, p) in steady]
        claimed_shown = [p for p in m.claims if p in shown]
        verdict = ("claims shown" if m.claims and len(claimed_shown) == len(m.claims) else
                   "claims partly shown" if claimed_shown else
                   "claims not shown" if m.claims else
                   "carries nothing (claims nothing)" if not shown else "carries a pattern it does not claim")
        records.append({"mechanism": m.name, "ODD": m.odd_section,
                        "switch": ", ".join(f"{k} = {v}" for k, v in (m.off or {}).items()),
                        "claims": " ".join(m.claims) or "–", "carries": " ".join(carried) or "–",
                        "consistent effect": " ".join(shown) or "–",
                        "blocks": " ".join(blocked) or "–", "verdict": verdict})
    return pd.DataFrame.from_records(records)


def _markdown(frame: pd.DataFrame) -> str:
    head = "| " + " | ".join(str(c) for c in frame.columns) + " |"
    rule = "|" + "---|" * len(frame.columns)
    body = ["| " + " | ".join(str(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def heatmap(table: pd.DataFrame, path: Path) -> Path:
    """Rows: the full model and each mechanism off; columns: criteria. Colour: pass or fail; text: the
    statistic judged; a black frame: the verdict differs from the full model's."""
    variants = list(dict.fromkeys(table["variant"]))
    keys = list(dict.fromkeys(table["key"]))
    cell = table.set_index(["variant", "key"])
    fig, ax = plt.subplots(figsize=(max(8.0, 0.62 * len(keys) + 3.5), 0.36 * len(variants) + 2.2))
    for y, variant in enumerate(variants):
        for x, key in enumerate(keys):
            if (variant, key) not in cell.index:
                continue
            row = cell.loc[(variant, key)]
            applicable = not str(row["criterion"]).startswith("not applicable")
            colour = NA_COLOUR if not applicable else (PASS_COLOUR if row["passed"] else FAIL_COLOUR)
            ax.add_patch(Rectangle((x, y), 1, 1, facecolor=colour, edgecolor="white"))
            if row["flipped"] and variant != FULL:
                ax.add_patch(Rectangle((x + 0.04, y + 0.04), 0.92, 0.92, fill=False, edgecolor="black", linewidth=1.6))
            ax.text(x + 0.5, y + 0.5, _fmt(row["value"]) if applicable else "n/a", ha="center", va="center",
                    fontsize=6)
    ax.set_xlim(0, len(keys))
    ax.set_ylim(len(variants), 0)
    ax.set_xticks(np.arange(len(keys)) + 0.5, keys, rotation=70, ha="right", fontsize=7)
    ax.set_yticks(np.arange(len(variants)) + 0.5, [v if v == FULL else f"{v} off" for v in variants], fontsize=7)
    ax.set_title("Ablation: each criterion with one mechanism switched off (green pass, red fail; "
                 "framed: verdict flipped)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def write_ablation_report(folder: Path, result: Ablation) -> None:
    carries = carry_table(result.rows)
    criteria = criterion_table(result.rows)
    summary = mechanism_summary(result, carries, criteria)
    carries.to_csv(folder / "carries.csv", index_label="mechanism")
    criteria.to_csv(folder / "criteria.csv", index=False)
    summary.to_csv(folder / "mechanisms.csv", index=False)
    picture = heatmap(criteria, folder / "ablation.png")
    full = criteria[criteria["variant"] == FULL][["key", "use", "over", "value", "passed"]]
    flips = criteria[criteria["flipped"] & (criteria["variant"] != FULL)]
    flips = flips.assign(consistent=["yes" if consistent(m, lo, hi) else "no" for m, lo, hi in
                                     zip(flips.effect_median, flips.effect_p10, flips.effect_p90, strict=True)])
    flip_rows = flips.assign(effect=[f"{_fmt(m)} ({_fmt(lo)} to {_fmt(hi)})" for m, lo, hi in
                                     zip(flips.effect_median, flips.effect_p10, flips.effect_p90, strict=True)],
                             value=flips["value"].map(_fmt), now=np.where(flips["passed"], "pass", "FAIL"))
    matrix = carries.reset_index(names="mechanism off")
    no_switch = [m for m in MECHANISMS if m.off is None]
    body = [
        f"# Ablation of `{result.base}`",
        "",
        f"The full model and {len(result.mechanisms)} mechanisms switched off one at a time, each on the base "
        f"scenario and every counterfactual the patterns need, seeds {result.seeds[0]}-{result.seeds[-1]} "
        f"(common random numbers); {result.seconds:.0f} s wall time. A mechanism **carries** a pattern when the "
        "pattern passes with the full model and fails without it; it **blocks** one when the pattern fails with "
        "the full model and passes without it. A pattern passes when all its criteria pass. *Consistent effect* "
        "lists the carried patterns where a flipped criterion's paired effect points one way over seeds (nonzero "
        "median, 10th-90th percentile range not straddling zero); a flip without one is a knife-edge criterion "
        "tipping over on noise.",
        "",
        "## What carries what",
        "",
        _markdown(summary),
        "",
        "Mechanisms with no clean switch (not ablated): "
        + "; ".join(f"{m.name} ({m.odd_section}): {m.summary}" for m in no_switch) + ".",
        "",
        "## Patterns with each mechanism off",
        "",
        _markdown(matrix),
        "",
        "## Full model",
        "",
        _markdown(full.assign(value=full["value"].map(_fmt), passed=np.where(full["passed"], "pass", "FAIL"))),
        "",
        "## Criteria whose verdict flips",
        "",
        "Effect: the criterion's per-seed value with the mechanism off minus its value in the full model, same "
        "seed; median over seeds (10th to 90th percentile).",
        "",
        _markdown(flip_rows[["variant", "key", "now", "value", "effect", "consistent"]]) if len(flip_rows)
        else "None.",
        "",
        f"![ablation heatmap]({picture.name})",
        "",
        "Every criterion, value and paired effect: `criteria.csv`; the pattern matrix: `carries.csv`.",
        "",
    ]
    (folder / "report.md").write_text("\n".join(body), encoding="utf-8")
