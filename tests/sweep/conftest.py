"""Fixtures for the sweep tests (helpers live in sweep_helpers.py)."""

from __future__ import annotations

import pytest


@pytest.fixture
def frames_equal():
    """Compare two results frames exactly (values and dtypes), ignoring row order."""
    import pandas as pd

    def check(left: pd.DataFrame, right: pd.DataFrame, keys: list[str]) -> None:
        pd.testing.assert_frame_equal(
            left.sort_values(keys).reset_index(drop=True),
            right.sort_values(keys).reset_index(drop=True),
            check_exact=True,
        )

    return check
