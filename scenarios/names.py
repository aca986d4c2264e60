"""What a name may be: the keys of the labs, vendors, investors and events tables, and every field that
names one of them (or a segment, or the scenario itself).

A name is shown in the terminal, in the dashboard, in the event log and in folder names, so it must be
printable text of bounded length: no control characters (a newline or an ANSI escape would forge output),
no NUL, no invisible formatting characters, and no spaces at either end.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from pydantic import AfterValidator

from labelmarket.scenarios.errors import quoted
from labelmarket.scenarios.limits import NAME_MAX_CHARS, TEXT_MAX_CHARS

SHOWN_CHARS = 24  # how much of an over-long name a message repeats


def _excerpt(text: str) -> str:
    return quoted(text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "...")


def _unprintable(text: str) -> str | None:
    """The first character of ``text`` that is not printable, escaped for a message, or None."""
    bad = next((ch for ch in text if not ch.isprintable()), None)
    return None if bad is None else quoted(bad)


def name_problem(text: str) -> str | None:
    """Why ``text`` cannot be a name, or None when it can."""
    if not text:
        return "a name must not be empty"
    if len(text) > NAME_MAX_CHARS:
        return f"a name has at most {NAME_MAX_CHARS} characters, got {len(text)} ({_excerpt(text)})"
    bad = _unprintable(text)
    if bad:
        return f"a name must be printable text, {_excerpt(text)} contains {bad}"
    if text != text.strip():
        return f"a name must not start or end with a space, got {_excerpt(text)}"
    return None


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be a one-line description, or None when it can."""
    if len(text) > TEXT_MAX_CHARS:
        return f"at most {TEXT_MAX_CHARS} characters, got {len(text)}"
    bad = _unprintable(text)
    return f"must be one line of printable text, it contains {bad}" if bad else None


def _checked(problem: Callable[[str], str | None]) -> Callable[[str], str]:
    """A pydantic validator that refuses, with its reason, the text ``problem`` finds fault with."""
    def check(text: str) -> str:
        reason = problem(text)
        if reason:
            raise ValueError(reason)
        return text

    return check


Name = Annotated[str, AfterValidator(_checked(name_problem))]
Text = Annotated[str, AfterValidator(_checked(text_problem))]
