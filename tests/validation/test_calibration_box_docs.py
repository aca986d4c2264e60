"""docs/calibration.md quotes the calibration box exactly as scenarios/mechanisms.py declares it."""

from __future__ import annotations

import re
from pathlib import Path

from labelmarket.scenarios.behaviour import Behaviour
from labelmarket.scenarios.mechanisms import CALIBRATION_BOX, MECHANISMS

DOC = Path(__file__).resolve().parents[2] / "docs" / "calibration.md"
ROW = re.compile(r"^\| ([a-z_]+) \| ([^|]+) \| ([0-9.]+) \| ([0-9.]+) \| ([0-9.]+) \| ([^|]+) \|$", re.MULTILINE)


def test_the_calibration_box_table_equals_the_registry():
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("## Calibration box"):text.index("## The Appen precedent")]
    rows = {m[0]: m[1:] for m in ROW.findall(section)}
    assert list(rows) == list(CALIBRATION_BOX), "the table lists the box's parameters in registry order"
    owner = {p: m.name for m in MECHANISMS for p in m.parameters}
    defaults = Behaviour()
    for name, (mechanism, low, high, default, source) in rows.items():
        box = CALIBRATION_BOX[name]
        assert (float(low), float(high)) == (box.low, box.high), name
        assert float(default) == getattr(defaults, name), name
        assert mechanism.strip() == owner[name] and source.strip() == box.source, name
