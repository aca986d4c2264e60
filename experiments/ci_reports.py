"""What ``labelmarket test`` reports: the printed table, a JUnit XML file and a GitHub step summary.

JUnit XML is what GitHub Actions, GitLab and Jenkins read: one ``<testsuite>`` per scenario file, one
``<testcase>`` per check, a ``<failure message=...>`` with the value and the threshold, ``<skipped>`` for a
check switched off. The file is written under a temporary name next to it and renamed when complete.
"""

from __future__ import annotations

import os
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from labelmarket.experiments.expectation_verdicts import Verdict

HEADER = ("scenario", "check", "result", "value", "threshold", "p10-p90", "measured")


def _rows(verdicts: Sequence[Verdict]) -> list[tuple[str, ...]]:
    return [(v.scenario, v.check, v.status, v.shown_value, v.threshold, v.p10_p90, v.measured) for v in verdicts]


def format_table(verdicts: Sequence[Verdict]) -> str:
    """Plain text, one row per check; the last column (what was measured) is not padded."""
    rows = [HEADER, *_rows(verdicts)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER) - 1)]
    return "\n".join("  ".join([*(cell.ljust(w) for cell, w in zip(row, widths)), row[-1]]).rstrip()
                     for row in rows)


def markdown_table(verdicts: Sequence[Verdict]) -> str:
    """The same rows as a Markdown table (for the GitHub step summary)."""
    def cell(text: str) -> str:
        return text.replace("|", "\\|") or " "

    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    for row in _rows(verdicts):
        status = row[2] if row[2] != "FAIL" else "**FAIL**"
        lines.append("| " + " | ".join(cell(c) for c in (*row[:2], status, *row[3:])) + " |")
    return "\n".join(lines)


def junit_tree(verdicts: Sequence[Verdict], seconds: float) -> ET.ElementTree:
    """``<testsuites>`` with one ``<testsuite>`` per scenario file and one ``<testcase>`` per check."""
    root = ET.Element("testsuites", name="labelmarket test", tests=str(len(verdicts)),
                      failures=str(sum(v.passed is False for v in verdicts)),
                      skipped=str(sum(v.passed is None for v in verdicts)), time=f"{seconds:.3f}")
    by_file: dict[str, list[Verdict]] = {}
    for verdict in verdicts:
        by_file.setdefault(verdict.source, []).append(verdict)
    for source, group in by_file.items():
        suite = ET.SubElement(root, "testsuite", name=group[0].scenario, file=source, tests=str(len(group)),
                              failures=str(sum(v.passed is False for v in group)), errors="0",
                              skipped=str(sum(v.passed is None for v in group)))
        for verdict in group:
            case = ET.SubElement(suite, "testcase", classname=f"labelmarket.{verdict.scenario}",
                                 name=verdict.check, file=source)
            if verdict.passed is None:
                ET.SubElement(case, "skipped", message="enabled = false")
            elif not verdict.passed:
                failure = ET.SubElement(case, "failure", type="ExpectationNotMet",
                                        message=f"{verdict.shown_value}, expected {verdict.threshold}")
                failure.text = verdict.message()
            else:
                ET.SubElement(case, "system-out").text = verdict.message()
    ET.indent(root)
    return ET.ElementTree(root)


def report_target_problem(path: Path) -> str | None:
    """Why a report cannot be written to ``path`` (it is a folder, a device, or under a file), or None."""
    if path.exists() and not path.is_file():
        return "is a folder or a device, not a file"
    parent = next((p for p in path.parents if p.exists()), Path("."))
    if not parent.is_dir():
        return f"{parent} is not a folder"
    if not os.access(parent, os.W_OK):
        return f"folder {parent} is not writable"
    return None


def write_junit(path: Path, verdicts: Sequence[Verdict], seconds: float) -> None:
    """Write the JUnit report atomically: a temporary file in the same folder, then ``os.replace``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".tmp-{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            junit_tree(verdicts, seconds).write(out, encoding="utf-8", xml_declaration=True)
            out.write(b"\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def append_step_summary(path: Path, verdicts: Sequence[Verdict], headline: str) -> None:
    """Append a heading, the headline and the Markdown table to GitHub's step summary file."""
    with path.open("a", encoding="utf-8") as out:
        out.write(f"### labelmarket test\n\n{headline}\n\n{markdown_table(verdicts)}\n\n")
