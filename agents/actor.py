"""The readable face every market actor shares: a Mesa agent bound to one index of the shared arrays.

The state lives in numpy arrays (``labelmarket.model.state.MarketState``) that the rules update for all actors
at once; an agent holds no numbers of its own. Each attribute reads the arrays when it is accessed, so it is
always current, for entrants too (docs/decisions.md, D16; mesa-frames does the same with tables).
"""

from __future__ import annotations

from typing import ClassVar

import mesa

from labelmarket.model.state import MarketState


class MarketActor(mesa.Agent):
    """A Mesa agent whose state is entry ``index`` of the arrays of ``state`` (docs/decisions.md, D1)."""

    NAMES: ClassVar[str]  # the MarketState list that holds this kind of actor's names

    def __init__(self, model: mesa.Model, state: MarketState, index: int) -> None:
        super().__init__(model)
        self.state = state
        self.index = index

    @property
    def name(self) -> str:
        return getattr(self.state, self.NAMES)[self.index]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"
