"""Export from the page: the current run as a zip of run-folder files, and the charts as one PNG.

The zip is written by the project's run-folder writer (``labelmarket.experiments.run_folder``), so it holds
the same files as ``labelmarket run`` (manifest, scenario, four frames) for the weeks run so far; with no
intervention fired, ``labelmarket run SCENARIO --seed N --weeks W`` reproduces its frames exactly. Fired
interventions are listed in the manifest (a replay from the command line does not include them).
The PNG is drawn in the browser from the charts' own SVG (``png_export.vue``): nothing leaves the machine.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

import solara

from labelmarket.experiments.run_folder import write_run_folder
from labelmarket.model.runner import RunResult
from labelmarket.viz.run import ClassroomRun
from labelmarket.viz.transport import Transport


def export_name(run: ClassroomRun) -> str:
    return f"{run.scenario.meta.name}-seed{run.seed}-week{run.report_week(run.week)}"


def run_result(run: ClassroomRun) -> RunResult:
    """The main market's frames so far, as a ``RunResult`` of ``run.week`` weeks."""
    return RunResult(scenario=run.scenario, seed=run.seed, weeks=run.week, **run.market.frames())


def run_folder_zip(run: ClassroomRun) -> bytes:
    """The run folder of the main market so far, zipped under one folder named after the run."""
    interventions = [{"model_week": i.week, "label": i.label, "event": i.event.model_dump(mode="json")}
                     for i in run.interventions]
    extra = {"exported_from": "labelmarket viz", "changed_knobs": run.changed_knobs(),
             "interventions": interventions}
    with tempfile.TemporaryDirectory() as scratch:
        folder = write_run_folder(run_result(run), Path(scratch) / export_name(run), extra=extra)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for file in sorted(folder.iterdir()):
                archive.write(file, f"{folder.name}/{file.name}")
    return buffer.getvalue()


@solara.component_vue("png_export.vue")
def ChartsAsPng(filename: str):
    """A button that saves every chart on the page, stacked, as one PNG."""


@solara.component
def ExportButtons(transport: Transport):
    transport.changes.get()
    run = transport.run.value
    name = export_name(run)
    with solara.Row(gap="8px", style={"flex-wrap": "wrap", "margin-top": "8px"}):
        solara.FileDownload(lambda: run_folder_zip(run), filename=f"{name}.zip", label="Export run (zip)",
                            mime_type="application/zip")
        ChartsAsPng(filename=f"{name}-charts.png")
