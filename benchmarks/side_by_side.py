"""Benchmark 3: Mesa's own Boltzmann wealth example beside our model, in the same process, interleaved.

Boltzmann: ``mesa.examples`` BoltzmannWealth as shipped (its DataCollector and DataRecorder on), 1,000 agents
on a 32 x 32 grid (about one agent per cell, as Mesa's own benchmark configurations), 100 steps:
agent-steps per second. Ours: a synthetic 1,000-lab x 100-vendor market, 104 weeks, recorder on: lab-steps
(labs x weeks) per second, where each lab-step handles 100 vendors. Both time the stepping only (construction
excluded) and alternate, so load on the machine hits both alike; the ratio is of the medians. Process CPU
time is reported beside wall time: on a shared machine it is the steadier of the two.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

BOLTZMANN_AGENTS, BOLTZMANN_STEPS, BOLTZMANN_SIDE = 1000, 100, 32
LABS, VENDORS, WEEKS = 1000, 100, 104


def boltzmann_agent_steps_per_s(seed: int) -> tuple[float, float]:
    from mesa.examples.basic.boltzmann_wealth_model.model import BoltzmannScenario, BoltzmannWealth

    model = BoltzmannWealth(BoltzmannScenario(n=BOLTZMANN_AGENTS, width=BOLTZMANN_SIDE, height=BOLTZMANN_SIDE,
                                              rng=seed))
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(BOLTZMANN_STEPS):
        model.step()
    steps = BOLTZMANN_AGENTS * BOLTZMANN_STEPS
    return steps / (time.perf_counter() - start), steps / (time.process_time() - cpu)


def our_lab_steps_per_s(scenario, seed: int) -> tuple[float, float]:
    from labelmarket.model.market_model import MarketModel

    model = MarketModel(scenario, rng=seed, weeks=WEEKS)
    start, cpu = time.perf_counter(), time.process_time()
    model.run()
    steps = LABS * WEEKS
    return steps / (time.perf_counter() - start), steps / (time.process_time() - cpu)


def compare(repeats: int = 5) -> dict[str, Any]:
    from labelmarket.scenarios.synthetic import synthetic_scenario

    scenario = synthetic_scenario(LABS, VENDORS, seed=1)
    boltzmann_agent_steps_per_s(0)   # warm-up both (imports, first-call caches)
    our_lab_steps_per_s(scenario, 0)
    theirs, ours = [], []
    for r in range(repeats):
        theirs.append(boltzmann_agent_steps_per_s(r + 1))
        ours.append(our_lab_steps_per_s(scenario, r + 1))
    boltzmann = statistics.median(w for w, _ in theirs)
    labelmarket = statistics.median(w for w, _ in ours)
    boltzmann_cpu = statistics.median(c for _, c in theirs)
    labelmarket_cpu = statistics.median(c for _, c in ours)
    return {"boltzmann": {"agents": BOLTZMANN_AGENTS, "steps": BOLTZMANN_STEPS,
                          "grid": f"{BOLTZMANN_SIDE}x{BOLTZMANN_SIDE}", "agent_steps_per_s": boltzmann,
                          "agent_steps_per_cpu_s": boltzmann_cpu, "all_wall_cpu": theirs},
            "labelmarket": {"labs": LABS, "vendors": VENDORS, "weeks": WEEKS, "lab_steps_per_s": labelmarket,
                            "lab_steps_per_cpu_s": labelmarket_cpu, "cell_steps_per_s": labelmarket * VENDORS,
                            "all_wall_cpu": ours},
            "ratio": labelmarket / boltzmann, "ratio_cpu": labelmarket_cpu / boltzmann_cpu, "repeats": repeats}
