"""The live classroom dashboard (Solara + Mesa's SolaraViz): ``labelmarket viz`` serves ``viz/app.py``."""
