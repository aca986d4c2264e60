"""Export: the run so far as a zip of run-folder files that `labelmarket run` reproduces."""

import io
import json
import zipfile

import pandas as pd

from labelmarket.model.runner import run_scenario
from labelmarket.viz.export import run_folder_zip
from labelmarket.viz.interventions import issue_assurances
from labelmarket.viz.run import ClassroomRun


def unzip(data):
    archive = zipfile.ZipFile(io.BytesIO(data))
    return {name.split("/", 1)[1]: archive.read(name) for name in archive.namelist()}, archive.namelist()[0]


def test_the_zip_holds_the_run_folder_and_its_frames_equal_labelmarket_run():
    run = ClassroomRun("meta_scale_2025", seed=3)
    for _ in range(12):
        run.step()
    files, first = unzip(run_folder_zip(run))
    assert first.startswith("meta_scale_2025-seed3-week-14/")
    assert set(files) == {"manifest.json", "scenario.toml", "market.parquet", "vendors.parquet", "labs.parquet",
                          "allocations.parquet", "events.parquet"}
    expected = run_scenario("meta_scale_2025", seed=3, weeks=12)
    for name in ("market", "vendors", "allocations", "events"):
        pd.testing.assert_frame_equal(pd.read_parquet(io.BytesIO(files[f"{name}.parquet"])),
                                      getattr(expected, name), check_dtype=False)
    manifest = json.loads(files["manifest.json"])
    assert manifest["seed"] == 3 and manifest["weeks"] == 12 and manifest["interventions"] == []
    assert manifest["replay"].endswith("--seed 3 --weeks 12")


def test_the_manifest_lists_the_teachers_interventions():
    run = ClassroomRun("toy")
    run.step()
    issue_assurances(run, run.focus_vendor, 0.7)
    manifest = json.loads(unzip(run_folder_zip(run))[0]["manifest.json"])
    assert manifest["interventions"][0]["event"]["strength"] == 0.7 and manifest["interventions"][0]["model_week"] == 1
