"""The readable face every market actor shares: a Mesa agent bound to one index of the shared arrays."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import mesa

if TYPE_CHECKING:
    from labelmarket.model.market_model import MarketModel


class MarketActor(mesa.Agent):
    """A Mesa agent whose state is entry ``index`` of the arrays in ``labelmarket.model.state`` (docs/decisions.md, D1)."""

    NAMES: ClassVar[str]  # the MarketState list that holds this kind of actor's names

    def __init__(self, model: MarketModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def name(self) -> str:
        return getattr(self.model.state, self.NAMES)[self.index]
