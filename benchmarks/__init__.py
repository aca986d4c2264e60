"""The performance suite of issue 6: ``python -m labelmarket.benchmarks`` (or ``make bench``).

Each module measures one thing and returns plain dicts; ``labelmarket.benchmarks.__main__`` runs them in order, prints
one table and writes ``benchmarks/results.json``. Findings and figures are in ``benchmarks/README.md``.
"""
