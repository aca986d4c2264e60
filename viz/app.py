"""Stand-in page until the market model lands: a coin-flip model in SolaraViz.

It only exists so the browser-test harness in tests/browser/ can be proven; it is replaced by the dashboard.
"""

import mesa
import solara
from mesa.visualization import SolaraViz, make_plot_component


class CoinFlips(mesa.Model):
    def __init__(self, n=50, rng=None):
        super().__init__(rng=rng)
        self.n = n
        self.heads = 0
        self.datacollector = mesa.DataCollector(model_reporters={"heads": "heads"})
        self.datacollector.collect(self)

    def step(self):
        self.heads = int(self.rng.binomial(self.n, 0.5))
        self.datacollector.collect(self)


@solara.component
def HeadsText(model):
    from mesa.visualization.utils import update_counter

    update_counter.get()
    solara.Text(f"Week {int(model.time)}: {model.heads} heads")


model_params = {"n": {"type": "SliderInt", "value": 50, "min": 10, "max": 100, "step": 1, "label": "Coins"}}
page = SolaraViz(CoinFlips(rng=1), components=[HeadsText, make_plot_component("heads")],
                 model_params=model_params, name="Coin flips")
