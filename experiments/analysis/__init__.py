"""Sensitivity analysis of a finished sweep: ``analyze(run_dir)`` writes ``RUN_DIR/analysis/``."""

from labelmarket.experiments.analysis.report import AnalysisReport, analyze

__all__ = ["AnalysisReport", "analyze"]
