"""The errors labelmarket raises for bad input or an unusable place to write, and how they print.

Every message names the file (or option, or folder), the field path and the reason, and where it can, the fix.
The CLI catches :class:`LabelmarketError` once, prints ``one_line(str(error))`` and exits with status 2.
"""

from __future__ import annotations

import unicodedata


def one_line(text: str) -> str:
    """``text`` with every control or invisible formatting character (newline, ESC, NUL, ...) escaped as
    Python would write it, so that it prints as exactly one line and cannot drive the terminal."""
    return "".join(repr(c)[1:-1] if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c for c in text)


class LabelmarketError(Exception):
    """Input labelmarket cannot use, or a place it cannot write: ``<source>: <field>: <reason> (<hint>)``.

    ``source`` is the file, option (``--out``) or folder the problem came from, ``field`` the dotted path inside
    it (may be empty), ``reason`` what is wrong and ``hint`` how to fix it (may be empty).
    """

    def __init__(self, source: str, field: str, reason: str, hint: str = "") -> None:
        self.source = source
        self.field = field
        self.reason = reason
        self.hint = hint
        text = ": ".join(part for part in (source, field, reason) if part)
        if hint:
            text += f" ({hint})"
        super().__init__(text)


class ScenarioError(LabelmarketError, ValueError):
    """A scenario (or an override of one) that cannot be used.

    ``source`` is the file (or ``--set``) the problem came from, ``field`` the dotted path inside it.
    """
