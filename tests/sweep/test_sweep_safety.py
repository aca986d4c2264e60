"""Issue 9's sweep reproductions: nothing of the user's is deleted, and every bad input is one line and exit 2.

Each test is one reproduction from the issue. The tests run as root here, which ignores file permissions, so a
read-only file system is simulated by making ``os.mkdir`` fail with EROFS.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from labelmarket.experiments import load_results, sweep
from labelmarket.experiments.analysis.cli import main as analyze_main
from labelmarket.experiments.sweep.cli import main as sweep_main
from labelmarket.experiments.sweep.samplers import replicate_seeds
from labelmarket.experiments.sweep.spec import MAX_RUNS, SweepError
from sweep_helpers import PYTHON, subprocess_env, write_sweep

TINY = {
    "name": "tiny",
    "run_function": "labelmarket.experiments.sweep.known_functions:linear",
    "design": {"method": "grid"},
    "parameters": {"lin.x1": {"values": [0.0, 1.0]}, "lin.x2": {"values": [0.5]}, "lin.x3": {"values": [0.0]}},
}


def run_cli(capsys, *argv: str) -> tuple[int, str]:
    """The sweep command in this process: its exit status and its stderr (which must be one line on failure)."""
    code = sweep_main([*argv, "--no-progress"])
    err = capsys.readouterr().err
    if code == 2:
        assert err.count("\n") == 1 and "Traceback" not in err, err
    return code, err


def only(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# -- --out and --force ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("force", [False, True])
def test_a_folder_with_a_users_files_is_refused_even_with_force(tmp_path, capsys, force):
    thesis = tmp_path / "thesis"
    thesis.mkdir()
    (thesis / "ch1.tex").write_text("precious")
    path = write_sweep(tmp_path, TINY)
    code, err = run_cli(capsys, str(path), "--out", str(thesis), *(["--force"] if force else []))
    assert code == 2 and "--out" in err and "not a labelmarket output folder" in err
    assert only(thesis) == ["ch1.tex"] and (thesis / "ch1.tex").read_text() == "precious"
    assert only(tmp_path) == ["sweep.toml", "thesis"], "nothing is created"


def test_a_file_a_fifo_and_a_symlink_are_refused_with_force(tmp_path, capsys):
    path = write_sweep(tmp_path, TINY)
    regular = tmp_path / "results.csv"
    regular.write_text("a,b\n")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    (tmp_path / "empty").mkdir()
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "empty")
    for target, says in ((regular, "is a file"), (fifo, "special file"), (link, "symbolic link")):
        code, err = run_cli(capsys, str(path), "--out", str(target), "--force")
        assert code == 2 and says in err, err
    assert regular.read_text() == "a,b\n" and fifo.is_fifo() and link.is_symlink() and not any((tmp_path / "empty").iterdir())


def test_an_empty_folder_is_used(tmp_path, capsys):
    (tmp_path / "out").mkdir()
    code, _ = run_cli(capsys, str(write_sweep(tmp_path, TINY)), "--out", str(tmp_path / "out"))
    assert code == 0 and (tmp_path / "out" / "results.parquet").exists()


def test_force_replaces_a_different_sweep_but_not_a_users_file_inside_it(tmp_path, capsys):
    out = tmp_path / "sw"
    assert run_cli(capsys, str(write_sweep(tmp_path, TINY)), "--out", str(out))[0] == 0
    changed = write_sweep(tmp_path, {**TINY, "seed": 99}, "changed.toml")
    code, err = run_cli(capsys, str(changed), "--out", str(out))
    assert code == 2 and "differs from the one already in" in err and "--force" in err
    (out / "my_notes.txt").write_text("mine")
    code, err = run_cli(capsys, str(changed), "--out", str(out), "--force")
    assert code == 2 and "my_notes.txt" in err and (out / "my_notes.txt").read_text() == "mine"
    (out / "my_notes.txt").unlink()
    (out / "analysis").mkdir()
    (out / "analysis" / "draft.docx").write_text("mine too")
    code, err = run_cli(capsys, str(changed), "--out", str(out), "--force")
    assert code == 2 and "analysis/draft.docx" in err and (out / "analysis" / "draft.docx").exists()
    (out / "analysis" / "draft.docx").unlink()
    assert run_cli(capsys, str(changed), "--out", str(out), "--force")[0] == 0
    assert load_results(out).manifest["resolved"]["sweep"]["seed"] == 99


def test_an_analysis_out_folder_follows_the_same_rule(tmp_path, capsys):
    out = tmp_path / "sw"
    assert run_cli(capsys, str(write_sweep(tmp_path, TINY)), "--out", str(out))[0] == 0
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "paper.md").write_text("draft")
    assert analyze_main([str(out), "--out", str(mine), "--force"]) == 2
    assert "not a labelmarket output folder" in capsys.readouterr().err and only(mine) == ["paper.md"]
    report = tmp_path / "report"
    assert analyze_main([str(out), "--out", str(report)]) == 0
    assert analyze_main([str(out), "--out", str(report)]) == 2
    assert "(a labelmarket analysis folder)" in capsys.readouterr().err
    assert analyze_main([str(out), "--out", str(report), "--force"]) == 0
    assert (report / "summary.md").exists() and (report / "analysis.json").exists()


def test_discovery_without_ema_workbench_names_the_extra(tmp_path, capsys, monkeypatch):
    out = tmp_path / "sw"
    assert run_cli(capsys, str(write_sweep(tmp_path, TINY)), "--out", str(out))[0] == 0
    output = load_results(out).outputs[0]
    monkeypatch.setitem(sys.modules, "ema_workbench", None)  # as if the extra were not installed
    monkeypatch.setitem(sys.modules, "ema_workbench.analysis.prim", None)
    assert analyze_main([str(out), "--discover", f"{output} > 0"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install 'labelmarket[ema]'" in err
    assert not (out / "analysis").exists()


def test_a_name_too_long_or_with_nul_is_one_line(tmp_path, capsys):
    path = write_sweep(tmp_path, TINY)
    code, err = run_cli(capsys, str(path), "--out", str(tmp_path / ("x" * 300)))
    assert code == 2 and "300 bytes long" in err
    code, err = run_cli(capsys, str(path), "--out", str(tmp_path / ("x" * 252)))
    assert code == 2 and "at most 250 are allowed" in err, "the working copy '.tmp-NAME' must fit too"
    with pytest.raises(SweepError, match="NUL"):
        sweep(TINY, out=tmp_path / "a\x00b", progress=False)
    assert only(tmp_path) == ["sweep.toml"]


def test_a_scenario_that_is_not_utf8_is_one_line(tmp_path, capsys):
    (tmp_path / "bad_scenario.toml").write_bytes(b"\xff\xfe")
    document = {"scenario": "bad_scenario.toml", "design": {"method": "grid"},
                "parameters": {"behaviour.wariness_gain": {"values": [0.1]}}}
    code, err = run_cli(capsys, str(write_sweep(tmp_path, document)), "--out", str(tmp_path / "out"))
    assert code == 2 and "scenario" in err and not (tmp_path / "out").exists()


# -- bad sweep files -----------------------------------------------------------------------------------------
def test_invalid_utf8_and_deep_nesting_are_one_line(tmp_path, capsys):
    bad = tmp_path / "g.toml"
    bad.write_bytes(b"\xff\xfe")
    code, err = run_cli(capsys, str(bad), "--out", str(tmp_path / "a"))
    assert code == 2 and "not UTF-8 text" in err
    deep = tmp_path / "deep.toml"
    deep.write_text("x = " + "[" * 3000 + "]" * 3000)
    code, err = run_cli(capsys, str(deep), "--out", str(tmp_path / "b"))
    assert code == 2 and "nested too deeply" in err
    with pytest.raises(SweepError, match="nested too deeply"):
        nested: dict = {}
        inner = nested
        for _ in range(100):
            inner["a"] = {}
            inner = inner["a"]
        sweep({**TINY, "parameters": {"lin.x1": {"values": [nested]}}}, out=tmp_path / "c", progress=False)
    assert only(tmp_path) == ["deep.toml", "g.toml"]


@pytest.mark.parametrize("value", ["inf", "nan", "-inf"])
def test_a_grid_value_that_is_not_finite_is_refused(tmp_path, capsys, value):
    path = tmp_path / "s.toml"
    path.write_text(f'run_function = "labelmarket.experiments.sweep.known_functions:linear"\n'
                    f'[design]\nmethod = "grid"\n[parameters]\n"lin.x1" = {{ values = [0.0, {value}] }}\n')
    code, err = run_cli(capsys, str(path), "--out", str(tmp_path / "out"))
    assert code == 2 and 'parameters."lin.x1".values' in err and "finite" in err


def test_a_design_too_big_to_hold_is_refused_up_front(tmp_path, capsys):
    document = {**TINY, "parameters": {f"lin.p{i}": {"values": list(range(10))} for i in range(9)}}
    started = time.monotonic()
    code, err = run_cli(capsys, str(write_sweep(tmp_path, document)), "--out", str(tmp_path / "out"))
    assert time.monotonic() - started < 5
    assert code == 2 and "1,000,000,000 runs" in err and f"limit is {MAX_RUNS:,} runs" in err


# -- schedulers ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("address, says", [("garbage", "is not a scheduler address"),
                                           ("tcp://127.0.0.1:1", "nothing answers at tcp://127.0.0.1:1"),
                                           ("tcp://127.0.0.1:99999", "out of range")])
def test_a_bad_scheduler_fails_in_seconds_and_creates_nothing(tmp_path, capsys, address, says):
    path = write_sweep(tmp_path, TINY)
    started = time.monotonic()
    code, err = run_cli(capsys, str(path), "--scheduler", address, "--out", str(tmp_path / "out"))
    assert time.monotonic() - started < 10
    assert code == 2 and "--scheduler" in err and says in err
    assert only(tmp_path) == ["sweep.toml"]


def test_missing_dask_names_the_extra(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed → ImportError
    code, err = run_cli(capsys, str(write_sweep(tmp_path, TINY)), "--scheduler", "tcp://127.0.0.1:8786",
                        "--out", str(tmp_path / "out"))
    assert code == 2 and "pip install 'labelmarket[dask]'" in err
    assert only(tmp_path) == ["sweep.toml"]


# -- unwritable places ---------------------------------------------------------------------------------------
def test_a_path_under_a_file_is_one_line(tmp_path, capsys):
    path = write_sweep(tmp_path, TINY, "s.toml")
    code, err = run_cli(capsys, str(path), "--out", str(tmp_path / "s.toml" / "sw"))
    assert code == 2 and "s.toml is a file, not a folder" in err
    assert only(tmp_path) == ["s.toml"]


def read_only_below(monkeypatch, folder: Path) -> None:
    """Make every ``mkdir`` at or below ``folder`` fail as on a read-only file system."""
    real_mkdir = os.mkdir

    def mkdir(path, *args, **kwargs):
        if Path(path).resolve().is_relative_to(folder.resolve()):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "mkdir", mkdir)


def test_a_read_only_file_system_is_one_line(tmp_path, capsys, monkeypatch):
    path = write_sweep(tmp_path, TINY)
    (tmp_path / "ro").mkdir()
    read_only_below(monkeypatch, tmp_path / "ro")
    code, err = run_cli(capsys, str(path), "--out", str(tmp_path / "ro" / "sw"))
    assert code == 2 and "Read-only file system" in err
    assert only(tmp_path / "ro") == []


def test_analyze_on_a_read_only_sweep_folder_is_one_line(tmp_path, capsys, monkeypatch):
    out = tmp_path / "sw"
    assert run_cli(capsys, str(write_sweep(tmp_path, TINY)), "--out", str(out))[0] == 0
    before = only(out)
    read_only_below(monkeypatch, out)
    assert analyze_main([str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Read-only file system" in err
    assert only(out) == before


# -- runs that misbehave -------------------------------------------------------------------------------------
def misbehaving(function: str, parameters: dict, **extra) -> dict:
    return {"name": function, "run_function": f"misbehaving_runs:{function}", "design": {"method": "grid"},
            "parameters": parameters, **extra}


@pytest.mark.parametrize("workers", [1, 2])
def test_a_run_that_calls_sys_exit_is_a_recorded_failure(tmp_path, workers):
    document = misbehaving("exits", {"p.a": {"values": [0.1, 0.9, 0.2]}})
    outcome = sweep(document, out=tmp_path / "out", workers=workers, progress=False)
    assert (outcome.ok, outcome.failed, outcome.exit_code) == (2, 1, 1)
    runs = load_results(outcome.run_dir).runs.set_index("p.a")
    assert runs.loc[0.9, "error"] == "SystemExit: 4" and runs.loc[0.2, "y"] == 0.2


def test_an_output_that_changes_type_is_reported_and_the_rest_kept(tmp_path):
    document = misbehaving("changes_type", {"p.a": {"values": [0.1, 0.2, 0.3, 0.4]}})
    outcome = sweep(document, out=tmp_path / "out", workers=1, progress=False)
    assert outcome.exit_code == 0
    seed = replicate_seeds(0, 1)[0]
    assert outcome.notes == [f"output 'label' is text at point 2 (seed {seed}) but a number in earlier runs: "
                             "1 such value(s) are left empty in results.parquet; the other outputs of those runs "
                             "are kept"]
    runs = load_results(outcome.run_dir).runs
    assert runs["y"].tolist() == [0.2, 0.4, 0.6, 0.8]
    assert runs["label"].tolist()[:2] == [0.1, 0.2] and runs["label"].isna().tolist() == [False, False, True, False]
    from labelmarket.experiments.analysis import analyze

    report = analyze(outcome.run_dir)
    assert set(report.outputs) == {"y", "label"}


@pytest.mark.parametrize("workers", [1, 2])
def test_a_hung_run_is_stopped_by_its_time_limit(tmp_path, workers):
    document = misbehaving("hangs", {"p.sleep_s": {"values": [0.0, 60.0, 0.01]}}, run_timeout_s=1.0)
    started = time.monotonic()
    outcome = sweep(document, out=tmp_path / "out", workers=workers, progress=False)
    assert time.monotonic() - started < 30
    assert (outcome.ok, outcome.failed) == (2, 1)
    runs = load_results(outcome.run_dir).runs.set_index("p.sleep_s")
    assert runs.loc[60.0, "error"].startswith("RunTimeout: the run took longer than run_timeout_s = 1 s")
    assert runs.loc[0.01, "y"] == 0.01


def test_the_cli_time_limit_overrides_the_file_and_is_not_part_of_the_identity(tmp_path, capsys):
    document = misbehaving("hangs", {"p.sleep_s": {"values": [0.0, 3.0]}})
    path = write_sweep(tmp_path, document)
    code, err = run_cli(capsys, str(path), "--out", str(tmp_path / "out"), "--workers", "1", "--run-timeout", "0.5")
    assert code == 1 and "RunTimeout" in err
    code, _ = run_cli(capsys, str(path), "--out", str(tmp_path / "out"), "--workers", "1")
    assert code == 0, "without the limit, the same sweep resumes and the slow run succeeds"


# -- the folder lock -----------------------------------------------------------------------------------------
def test_the_lock_is_held_until_the_folder_is_renamed(tmp_path, monkeypatch):
    out = tmp_path / "sw"
    real_replace = os.replace
    renaming = threading.Event()

    def slow_replace(source, destination):
        if Path(destination) == out:
            renaming.set()
            time.sleep(2.0)
        return real_replace(source, destination)

    monkeypatch.setattr(os, "replace", slow_replace)
    first: dict = {}
    thread = threading.Thread(target=lambda: first.setdefault("outcome", sweep(TINY, out=out, workers=1,
                                                                                progress=False)))
    thread.start()
    assert renaming.wait(30)
    with pytest.raises(SweepError, match="another sweep is writing to this folder right now"):
        sweep(TINY, out=out, workers=1, progress=False)
    thread.join(30)
    assert first["outcome"].exit_code == 0 and first["outcome"].run_dir == out
    assert (out / "results.parquet").exists() and not (out / ".lock").exists()
    assert not (tmp_path / ".tmp-sw").exists()


def test_the_command_prints_one_line_and_no_traceback(tmp_path):
    bad = tmp_path / "g.toml"
    bad.write_bytes(b"\xff\xfe")
    done = subprocess.run([PYTHON, "-m", "labelmarket.experiments.sweep", str(bad), "--out", str(tmp_path / "o")],
                          env=subprocess_env(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("labelmarket sweep: error: ") and not (tmp_path / "o").exists()
