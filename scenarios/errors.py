"""The errors labelmarket raises for bad input or an unusable place to write, and how they print.

Every message names the file (or option, or folder), the field path and the reason, and where it can, the fix.
The CLI catches :class:`LabelmarketError` once, prints it and exits with status 2. Names come from user files,
so every part of a message is shown with ``repr``-style escapes for anything unprintable (a newline, an ANSI
escape, NUL): a name can neither forge a second error line nor drive the terminal.
"""

from __future__ import annotations

FIELD_SHOWN_CHARS = 160  # a field path longer than this (names nested deep) is cut in the message
SOURCE_SHOWN_CHARS = 240  # a file path longer than this is shown by its start and its end


def one_line(text: object) -> str:
    """``text`` with every unprintable character (newline, ESC, NUL, invisible formatting) escaped as ``repr``
    would write it, so that it prints as exactly one line and cannot drive the terminal."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in str(text))


def quoted(name: object) -> str:
    """A user-given name for a message: quoted and escaped like ``repr`` ('Scale AI', 'Tiny\\nCo')."""
    return repr(str(name))


def listing(names: list[str], most: int = 12) -> str:
    """Names for a hint ('known: ...'), at most ``most`` of them, each quoted."""
    if not names:
        return "none"
    more = f", ... ({len(names)} in all)" if len(names) > most else ""
    return ", ".join(quoted(n) for n in names[:most]) + more



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
        shown = field if len(field) <= FIELD_SHOWN_CHARS else field[:FIELD_SHOWN_CHARS] + "..."
        half = SOURCE_SHOWN_CHARS // 2
        source = source if len(source) <= SOURCE_SHOWN_CHARS else f"{source[:half]}...{source[-half:]}"
        text = ": ".join(part for part in (source, shown, reason) if part)
        if hint:
            text += f" ({hint})"
        super().__init__(one_line(text))


class ScenarioError(LabelmarketError, ValueError):
    """A scenario (or an override of one) that cannot be used.

    ``source`` is the file (or ``--set``) the problem came from, ``field`` the dotted path inside it.
    """
