"""No command deletes or overwrites what labelmarket did not create (issue 9, section 1).

Each test is one reproduction: ``--out``/``--force`` onto user files, files, devices, FIFOs and links; the
empty folder; an earlier run folder; ``validate`` and ``calibrate`` onto a user folder; path traversal through
the scenario name; the umask; shell-quoted manifests; impossible names; and the optional extras.
"""

from __future__ import annotations

import errno
import json
import os
import shlex
import stat
import sys
import tomllib
from pathlib import Path

import pytest

from labelmarket.experiments import calibrate, output_folder
from labelmarket.experiments.cli import main
from labelmarket.experiments.output_folder import OutputFolderError, output_kind, write_manifest
from labelmarket.experiments.run_folder import folder_slug
from labelmarket.experiments.sweep.spec import SweepError
from labelmarket.scenarios.errors import LabelmarketError, ScenarioError, one_line

REPO = Path(__file__).resolve().parents[2]
RUN_FILES = {"manifest.json", "scenario.toml", "market.parquet", "vendors.parquet", "allocations.parquet", "labs.parquet",
             "events.parquet"}


def run(args: list[str], capsys) -> tuple[int, str]:
    code = main(args)
    return code, capsys.readouterr().err


def assert_refused(code: int, err: str, *words: str) -> None:
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err, err
    for word in words:
        assert word in err, (word, err)


def temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".tmp-"))


@pytest.fixture
def no_simulation(monkeypatch):
    """A refusal must come before any simulation: running one fails the test."""
    monkeypatch.setattr("labelmarket.model.runner.run_scenario", lambda *a, **k: pytest.fail("the run started"))
    monkeypatch.setattr("labelmarket.experiments.validate.validation_runs",
                        lambda *a, **k: pytest.fail("the ensemble started"))
    monkeypatch.setattr("labelmarket.experiments.calibrate.calibrate",
                        lambda *a, **k: pytest.fail("the calibration started"))


# ------------------------------------------------------------------------- --force onto what is not ours
@pytest.mark.parametrize("force", [[], ["--force"]])
def test_a_folder_of_user_files_is_never_replaced(tmp_path, capsys, no_simulation, force):
    thesis = tmp_path / "t" / "thesis"
    thesis.mkdir(parents=True)
    (thesis / "ch1.tex").write_text("x")
    code, err = run(["run", "toy", "--out", str(thesis), *force], capsys)
    assert_refused(code, err, str(thesis), "not a labelmarket output folder")
    assert [p.name for p in thesis.iterdir()] == ["ch1.tex"] and (thesis / "ch1.tex").read_text() == "x"
    assert temporaries(thesis.parent) == []


def test_a_regular_file_is_never_replaced(tmp_path, capsys, no_simulation):
    target = tmp_path / "notes.txt"
    target.write_text("mine")
    code, err = run(["run", "toy", "--out", str(target), "--force"], capsys)
    assert_refused(code, err, "is a file")
    assert target.read_text() == "mine" and sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_a_fifo_is_never_replaced(tmp_path, capsys, no_simulation):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    code, err = run(["run", "toy", "--out", str(fifo), "--force"], capsys)
    assert_refused(code, err, "device or other special file")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_symbolic_link_is_never_followed_or_replaced_even_to_a_run_folder(tmp_path, capsys):
    real = tmp_path / "real"
    assert main(["run", "toy", "--weeks", "2", "--out", str(real)]) == 0
    before = (real / "manifest.json").read_text()
    link = tmp_path / "link"
    link.symlink_to(real)
    code, err = run(["run", "toy", "--weeks", "2", "--out", str(link), "--force"], capsys)
    assert_refused(code, err, "symbolic link")
    assert link.is_symlink() and (real / "manifest.json").read_text() == before


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_dev_null_is_refused_before_anything_is_touched(capsys, monkeypatch, no_simulation, force):
    def untouchable(*args, **kwargs):
        pytest.fail(f"a file operation ran: {args}")

    for name in ("rename", "replace", "mkdir", "unlink", "rmdir"):  # a broken check must not reach the disk
        monkeypatch.setattr(os, name, untouchable)
    monkeypatch.setattr("shutil.rmtree", untouchable)
    before = os.lstat("/dev/null")
    code, err = run(["run", "toy", "--out", "/dev/null", *force], capsys)
    monkeypatch.undo()
    assert_refused(code, err, "/dev/null", "device or other special file")
    after = os.lstat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev


def test_a_path_under_a_file_is_refused(tmp_path, capsys, no_simulation):
    (tmp_path / "s.toml").write_text("x")
    code, err = run(["run", "toy", "--out", str(tmp_path / "s.toml" / "sw")], capsys)
    assert_refused(code, err, "s.toml is a file, not a folder")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.toml"]


# -------------------------------------------------------------------------- what --force may replace
def test_an_empty_folder_is_used_with_force_and_refused_without(tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    code, err = run(["run", "toy", "--weeks", "2", "--out", str(empty)], capsys)
    assert_refused(code, err, "an empty folder", "--force")
    assert main(["run", "toy", "--weeks", "2", "--out", str(empty), "--force"]) == 0
    assert {p.name for p in empty.iterdir()} == RUN_FILES and temporaries(tmp_path) == []


def test_force_replaces_an_earlier_run_folder(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", "toy", "--seed", "1", "--weeks", "2", "--out", str(out)]) == 0
    assert output_kind(out) == "run"
    assert main(["run", "toy", "--seed", "2", "--weeks", "2", "--out", str(out), "--force"]) == 0
    assert json.loads((out / "manifest.json").read_text())["seed"] == 2
    assert temporaries(tmp_path) == []


def test_force_replaces_a_run_folder_of_the_previous_version(tmp_path, capsys):
    out = tmp_path / "old-run"
    assert main(["run", "toy", "--weeks", "2", "--out", str(out)]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    del manifest["labelmarket_output"], manifest["contents"]  # what the previous version wrote
    (out / "manifest.json").write_text(json.dumps(manifest))
    (out / "labs.parquet").unlink()  # the previous version wrote no labs frame
    assert output_kind(out) == "run"
    assert main(["run", "toy", "--seed", "5", "--weeks", "2", "--out", str(out), "--force"]) == 0
    assert json.loads((out / "manifest.json").read_text())["seed"] == 5


def test_force_keeps_a_run_folder_that_holds_a_user_file(tmp_path, capsys, no_simulation):
    out = tmp_path / "run"
    (out).mkdir()
    write_manifest(out, "run", {"seed": 1})
    (out / "my notes.txt").write_text("keep me")
    code, err = run(["run", "toy", "--out", str(out), "--force"], capsys)
    assert_refused(code, err, "'my notes.txt'", "did not write")
    assert (out / "my notes.txt").read_text() == "keep me"


def test_force_keeps_a_labelmarket_folder_of_another_kind(tmp_path, capsys, no_simulation):
    out = tmp_path / "report"
    out.mkdir()
    (out / "report.md").write_text("# Validation")
    write_manifest(out, "validation", {})
    code, err = run(["run", "toy", "--out", str(out), "--force"], capsys)
    assert_refused(code, err, "labelmarket validation folder, not a run folder")
    assert (out / "report.md").read_text() == "# Validation"


def test_a_user_file_that_appears_during_the_run_is_kept(tmp_path, capsys, monkeypatch):
    from labelmarket.model import runner

    real_run = runner.run_scenario
    out = tmp_path / "run"

    def run_while_the_user_writes(*args, **kwargs):
        out.mkdir()
        (out / "thesis.tex").write_text("x")
        return real_run(*args, **kwargs)

    monkeypatch.setattr(runner, "run_scenario", run_while_the_user_writes)
    code, err = run(["run", "toy", "--weeks", "2", "--out", str(out), "--force"], capsys)
    assert_refused(code, err, "not a labelmarket output folder")
    assert [p.name for p in out.iterdir()] == ["thesis.tex"] and temporaries(tmp_path) == []


# ---------------------------------------------------------------------------- validate and calibrate
@pytest.mark.parametrize("force", [[], ["--force"]])
def test_validate_never_replaces_a_user_folder(tmp_path, capsys, no_simulation, force):
    userdata = tmp_path / "userdata"
    userdata.mkdir()
    (userdata / "thesis.txt").write_text("precious")
    code, err = run(["validate", "--seeds", "2", "--out", str(userdata), *force], capsys)
    assert_refused(code, err, "userdata", "not a labelmarket output folder")
    assert [p.name for p in userdata.iterdir()] == ["thesis.txt"]
    assert (userdata / "thesis.txt").read_text() == "precious"


def test_validate_checks_out_before_the_ensemble_and_reports_on_stderr(tmp_path, capsys, no_simulation):
    (tmp_path / "a-file").write_text("x")
    code = main(["validate", "--seeds", "2", "--out", str(tmp_path / "a-file" / "report")])
    captured = capsys.readouterr()
    assert_refused(code, captured.err, "a-file is a file, not a folder")
    assert captured.out == ""


@pytest.mark.parametrize("seeds", ["0", "-3"])
def test_validate_needs_at_least_one_seed(tmp_path, capsys, no_simulation, seeds):
    code, err = run(["validate", "--seeds", seeds, "--out", str(tmp_path / "v")], capsys)
    assert_refused(code, err, "--seeds", "at least 1")
    assert list(tmp_path.iterdir()) == []


def test_validate_writes_a_validation_folder_that_only_force_replaces(tmp_path, capsys):
    out = tmp_path / "v"
    assert main(["validate", "--seeds", "2", "--workers", "1", "--out", str(out)]) in (0, 1)
    assert output_kind(out) == "validation" and (out / "report.md").exists()
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o777 & ~current_umask()
    capsys.readouterr()
    code, err = run(["validate", "--seeds", "2", "--out", str(out)], capsys)
    assert_refused(code, err, "a labelmarket validation folder", "--force")
    assert main(["validate", "--seeds", "2", "--workers", "1", "--out", str(out), "--force"]) in (0, 1)
    assert output_kind(out) == "validation" and temporaries(tmp_path) == []


def test_calibrate_never_replaces_a_user_folder(tmp_path, capsys, no_simulation):
    userdata = tmp_path / "calibration"
    userdata.mkdir()
    (userdata / "candidates.csv").write_text("my own table")
    code = calibrate.main(["--candidates", "2", "--out", str(userdata), "--force"])
    assert_refused(code, capsys.readouterr().err, "not a labelmarket output folder")
    assert (userdata / "candidates.csv").read_text() == "my own table"
    code = calibrate.main(["--seeds", "0", "--out", str(tmp_path / "new")])
    assert_refused(code, capsys.readouterr().err, "--seeds", "at least 1")
    assert not (tmp_path / "new").exists()


# ------------------------------------------------------------------------------- names and modes
@pytest.mark.parametrize("name", ["../../PWNED", "{tmp}/absolute-PWNED", "..", "a\u0000b", "x" * 5000,
                                  "Tiny\nlabelmarket run: error: fake\u001b[31m"])
def test_the_scenario_name_cannot_lead_the_run_folder_out_of_runs(tmp_path, monkeypatch, capsys, name):
    work = tmp_path / "a" / "b" / "work"
    (work / "runs").mkdir(parents=True)  # as in a checkout: runs/.. resolves
    monkeypatch.chdir(work)
    name = name.replace("{tmp}", str(tmp_path))
    code = main(["run", "toy", "--weeks", "2", "--set", f"meta.name={json.dumps(name)}"])
    assert code in (0, 2)  # the schema may refuse the name; it must never be written elsewhere
    assert [p.name for p in tmp_path.iterdir()] == ["a"] and [p.name for p in (tmp_path / "a").iterdir()] == ["b"]
    assert [p.name for p in (tmp_path / "a" / "b").iterdir()] == ["work"]
    if code == 0:
        (folder,) = (work / "runs").iterdir()
        assert {p.name for p in folder.iterdir()} == RUN_FILES
    else:
        assert list((work / "runs").iterdir()) == []


@pytest.mark.parametrize("name, slug", [("meta_scale_2025", "meta_scale_2025"), ("../../PWNED", "PWNED"),
                                        ("/etc/passwd", "etc-passwd"), ("..", "scenario"), ("", "scenario"),
                                        ("a\u0000b", "a-b"), ("Meta × Scale (June 2025)", "Meta-Scale-June-2025"),
                                        (".tmp-x", "tmp-x")])
def test_folder_slug_is_one_safe_component(name, slug):
    assert folder_slug(name) == slug
    assert len(folder_slug("y" * 5000)) == 64


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@pytest.mark.parametrize("umask", [0o022, 0o027])
def test_run_folders_get_the_umask_mode(tmp_path, umask):
    previous = os.umask(umask)
    try:
        out = tmp_path / "deep" / "run"
        assert main(["run", "toy", "--weeks", "2", "--out", str(out)]) == 0
    finally:
        os.umask(previous)
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o777 & ~umask
    assert stat.S_IMODE(os.stat(out.parent).st_mode) == 0o777 & ~umask


def test_the_manifest_commands_are_shell_quoted(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    out = "my run; echo INJECTED"
    assert main(["run", "toy", "--weeks", "2", "--out", out]) == 0
    manifest = json.loads((tmp_path / out / "manifest.json").read_text())
    assert manifest["replay"] == f"labelmarket run '{out}/scenario.toml' --seed 1 --weeks 2"
    assert shlex.split(manifest["replay"])[2] == f"{out}/scenario.toml"
    assert shlex.split(manifest["command"]) == ["labelmarket", "run", "toy", "--weeks", "2", "--out", out]


@pytest.mark.parametrize("out, words", [("a" * 300, ["300 bytes long", "at most 255"]),
                                        ("a\u0000b", ["NUL"]),
                                        (".tmp-mine", ["must not start with '.tmp-'"]),
                                        ("..", ["must end in a name"])])
def test_impossible_out_names_exit_2_and_leave_nothing(tmp_path, monkeypatch, capsys, no_simulation, out, words):
    monkeypatch.chdir(tmp_path)
    code, err = run(["run", "toy", "--out", out], capsys)
    assert_refused(code, err, *words)
    assert list(tmp_path.iterdir()) == []


def test_a_300_character_out_exits_2_from_the_console_script(tmp_path):
    import subprocess

    done = subprocess.run([str(Path(sys.executable).with_name("labelmarket")), "run", "toy", "--out", "a" * 300],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "at most 255" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_path_with_a_newline_prints_as_one_escaped_line(tmp_path, capsys, no_simulation):
    target = tmp_path / "a\nlabelmarket run: error: forged\x1b[31m"
    target.write_text("x")
    code, err = run(["run", "toy", "--out", str(target), "--force"], capsys)
    assert_refused(code, err, "a\\nlabelmarket run: error: forged\\x1b[31m")
    assert "\x1b" not in err


def test_a_failure_under_runs_leaves_no_empty_runs_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("labelmarket.experiments.run_folder.write_manifest", full_disk)
    code, err = run(["run", "toy", "--weeks", "2"], capsys)
    assert_refused(code, err, "No space left on device")
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------------------- errors and extras
def test_every_error_is_a_labelmarket_error_and_sweep_errors_are_not_scenario_errors():
    assert issubclass(ScenarioError, LabelmarketError) and issubclass(OutputFolderError, LabelmarketError)
    assert issubclass(SweepError, LabelmarketError) and not issubclass(SweepError, ScenarioError)
    assert str(OutputFolderError("x\ny", "reason", "hint")) == "x\\ny: reason (hint)"
    assert one_line("a\nb\x00c\u202ed") == "a\\nb\\x00c\\u202ed"


def test_viz_without_solara_names_the_extra(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "solara", None)
    monkeypatch.setattr(os, "execve", lambda *a: pytest.fail("the server started"))
    code, err = run(["viz", "toy"], capsys)
    assert_refused(code, err, "'solara'", "pip install 'labelmarket[viz]'")


def test_sweep_on_a_cluster_without_dask_names_the_extra(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "distributed", None)
    out = tmp_path / "sw"
    code, err = run(["sweep", str(REPO / "experiments" / "ishigami_check.toml"), "--scheduler",
                     "tcp://127.0.0.1:1", "--out", str(out)], capsys)
    assert_refused(code, err, "'distributed'", "pip install 'labelmarket[dask]'")
    assert list(tmp_path.iterdir()) == []


def test_the_staging_folder_name_stays_within_the_limit(tmp_path):
    out = tmp_path / ("n" * 255)
    with output_folder.staged_output_folder(out, "run") as staging:
        assert len(staging.name) < 255
        write_manifest(staging, "run", {})
    assert output_kind(out) == "run"


def test_a_read_only_file_system_stops_validate_before_the_ensemble(tmp_path, monkeypatch, capsys, no_simulation):
    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(os, "mkdir", read_only)
    code = main(["validate", "--seeds", "2", "--out", str(tmp_path / "report")])
    monkeypatch.undo()
    captured = capsys.readouterr()
    assert_refused(code, captured.err, "cannot create the validation folder", "Read-only file system")
    assert captured.out == "" and list(tmp_path.iterdir()) == []


def test_the_core_dependencies_need_no_dashboard_or_cluster_package():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    core = " ".join(project["dependencies"]).lower()
    for package in ("solara", "ipyvuetify", "ipyvue", "altair", "dask", "distributed"):
        assert package not in core, package
    extras = project["optional-dependencies"]
    assert any("solara" in d for d in extras["viz"]) and any("distributed" in d for d in extras["dask"])
    assert any("ema-workbench" in d for d in extras["ema"]), "analyze --discover names the extra 'ema'"
    assert extras["all"] == ["labelmarket[viz,dask,ema]"] and "labelmarket[viz,dask]" in extras["test"]


def test_a_file_added_between_the_last_check_and_the_move_is_kept(tmp_path, monkeypatch):
    out = tmp_path / "run"
    out.mkdir()
    write_manifest(out, "run", {})
    real_rename = os.rename

    def rename_after_the_user_writes(source, target):
        if Path(source) == out:
            (out / "late.txt").write_text("keep me")
        real_rename(source, target)

    monkeypatch.setattr(os, "rename", rename_after_the_user_writes)
    with pytest.raises(OutputFolderError, match="changed while the run was being written"):
        with output_folder.staged_output_folder(out, "run", force=True) as staging:
            write_manifest(staging, "run", {"new": True})
    monkeypatch.undo()
    assert (out / "late.txt").read_text() == "keep me" and output_kind(out) is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]
