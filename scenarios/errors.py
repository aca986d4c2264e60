"""The one error type that bad scenario input raises.

Every message names the file, the field path and the reason, and where it can, the fix. The CLI prints
``str(error)`` and exits with status 2.
"""

from __future__ import annotations


class ScenarioError(ValueError):
    """A scenario (or an override of one) that cannot be used.

    ``source`` is the file (or ``--set``) the problem came from, ``field`` the dotted path inside it.
    """

    def __init__(self, source: str, field: str, reason: str, hint: str = "") -> None:
        self.source = source
        self.field = field
        self.reason = reason
        self.hint = hint
        where = f"{source}: {field}" if field else source
        text = f"{where}: {reason}"
        if hint:
            text += f" ({hint})"
        super().__init__(text)
