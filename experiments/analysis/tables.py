"""Tables as CSV (full precision, for further work) and Markdown (rounded, for reading and papers)."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd


def markdown_table(frame: pd.DataFrame, digits: int = 3) -> str:
    """A GitHub-flavoured Markdown table; numbers right-aligned, NaN shown as '–'."""
    columns = [str(c) for c in frame.columns]
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
               for c in frame.columns]
    lines = ["| " + " | ".join(_escape(c) for c in columns) + " |",
             "|" + "|".join("---:" if n else "---" for n in numeric) + "|"]
    for row in frame.itertuples(index=False):
        cells = [_cell(value, digits) for value in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _cell(value: object, digits: int) -> str:
    if value is None or value is pd.NA:
        return "–"
    if isinstance(value, float):
        if math.isnan(value):
            return "–"
        if value != 0 and (abs(value) >= 1e6 or abs(value) < 10 ** -digits):
            return f"{value:.{digits}g}"
        return f"{value:.{digits}f}"
    return _escape(str(value))


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def write_table(frame: pd.DataFrame, folder: Path, stem: str, title: str, note: str = "", digits: int = 3) -> list[Path]:
    """Write ``stem.csv`` and ``stem.md`` (with a title and an optional note) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    csv_path = folder / f"{stem}.csv"
    md_path = folder / f"{stem}.md"
    frame.to_csv(csv_path, index=False)
    text = f"# {title}\n\n" + (f"{note}\n\n" if note else "") + markdown_table(frame, digits)
    md_path.write_text(text, encoding="utf-8")
    return [csv_path, md_path]
