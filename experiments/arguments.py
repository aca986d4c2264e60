"""Argument types shared by the ``labelmarket`` subcommands: one way to read a count from the command line.

A bad value raises ``argparse.ArgumentTypeError``, which the parsers print as one escaped line with exit 2.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from labelmarket.scenarios.errors import quoted

SHOWN_CHARS = 40  # a longer argument is cut in the message


def shown(text: str) -> str:
    """A user's argument in a message: escaped, quoted, and cut if long."""
    return quoted(text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "...")


def whole_number(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    """An argument type for a whole number from ``minimum`` to ``maximum``."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {shown(text)}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        if maximum is not None and value > maximum:
            raise argparse.ArgumentTypeError(f"must be at most {maximum:,}, got {shown(text)}")
        return value

    return parse


at_least_one = whole_number(1)
