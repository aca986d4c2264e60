"""The one error type that bad scenario input raises, and the escaping that keeps its message one line.

Every message names the file, the field path and the reason, and where it can, the fix. The CLI prints
``str(error)`` and exits with status 2. Names come from user files, so every part of a message is shown with
``repr``-style escapes for anything unprintable (a newline, an ANSI escape, NUL): a name can neither forge a
second error line nor drive the terminal.
"""

from __future__ import annotations

FIELD_SHOWN_CHARS = 160  # a field path longer than this (names nested deep) is cut in the message
SOURCE_SHOWN_CHARS = 240  # a file path longer than this is shown by its start and its end


def printable(text: object) -> str:
    """``text`` with every unprintable character escaped as ``repr`` would (``\\n``, ``\\x1b``, ``\\x00``)."""
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


class ScenarioError(ValueError):
    """A scenario (or an override of one) that cannot be used.

    ``source`` is the file (or ``--set``) the problem came from, ``field`` the dotted path inside it.
    """

    def __init__(self, source: str, field: str, reason: str, hint: str = "") -> None:
        self.source = source
        self.field = field
        self.reason = reason
        self.hint = hint
        shown = field if len(field) <= FIELD_SHOWN_CHARS else field[:FIELD_SHOWN_CHARS] + "..."
        half = SOURCE_SHOWN_CHARS // 2
        source = source if len(source) <= SOURCE_SHOWN_CHARS else f"{source[:half]}...{source[-half:]}"
        where = f"{source}: {shown}" if field else source
        text = f"{where}: {reason}"
        if hint:
            text += f" ({hint})"
        super().__init__(printable(text))
