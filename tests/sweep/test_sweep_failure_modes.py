"""Engines and failure modes: every dask worker dying, a script without the main guard, the first ETA."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from pathlib import Path

from labelmarket.experiments.sweep import progress
from labelmarket.experiments.sweep.cli import main as sweep_main
from sweep_helpers import PYTHON, REPO, stop_pid, subprocess_env, toy_sweep, write_sweep


def start_dask(folder: Path, *args: str) -> subprocess.Popen:
    dask = str(Path(PYTHON).with_name("dask"))
    log = open(folder / f"{args[0]}-{time.monotonic_ns()}.log", "w")  # noqa: SIM115 - the process owns it
    return subprocess.Popen([dask, *args], stdout=log, stderr=subprocess.STDOUT, env=subprocess_env(), cwd=str(REPO))


def start_worker(folder: Path, address: str) -> subprocess.Popen:
    worker = start_dask(folder, "worker", address, "--nthreads", "1", "--host", "127.0.0.1", "--no-nanny",
                        "--no-dashboard")
    from distributed import Client

    with Client(address, timeout="30s", set_as_default=False) as client:
        client.wait_for_workers(1, timeout=60)
    return worker


def test_when_every_dask_worker_dies_the_sweep_stops_and_resumes(tmp_path, capsys):
    scheduler_file = tmp_path / "scheduler.json"
    scheduler = start_dask(tmp_path, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                           "--scheduler-file", str(scheduler_file))
    workers: list[subprocess.Popen] = []
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        address = json.loads(scheduler_file.read_text())["address"]
        workers.append(start_worker(tmp_path, address))
        path = write_sweep(tmp_path, toy_sweep("grid", replications=2, delay_s=0.4))
        out = tmp_path / "out"
        argv = [str(path), "--scheduler", address, "--out", str(out), "--batch-size", "1", "--stall-timeout", "3",
                "--no-progress"]

        def kill_when_some_runs_are_done() -> None:
            parts = tmp_path / ".tmp-out" / "parts"
            while len(list(parts.glob("*/*.parquet"))) < 6:  # 3 runs: a part and a weekly frame each
                time.sleep(0.05)
            stop_pid(workers[0].pid, wait_s=5)

        killer = threading.Thread(target=kill_when_some_runs_are_done, daemon=True)
        killer.start()
        started = time.monotonic()
        code = sweep_main(argv)
        stopped_after = time.monotonic() - started
        err = capsys.readouterr().err
        assert code == 1 and stopped_after < 30
        assert err.count("\n") == 1, err
        assert "has had no workers for" in err and "re-run the same command to resume" in err
        done = sum(1 for p in (tmp_path / ".tmp-out" / "parts").glob("*/*.parquet") if p.name.count(".") == 1)
        assert 3 <= done < 12, "the finished runs are saved"

        workers.append(start_worker(tmp_path, address))
        assert sweep_main(argv) == 0
        assert "12 runs, 12 ok, 0 failed" in capsys.readouterr().out
    finally:
        for process in [*workers, scheduler]:
            stop_pid(process.pid)
            process.wait(timeout=10)


def test_a_script_without_the_main_guard_is_told_what_to_add(tmp_path):
    document = toy_sweep("grid", replications=1)
    unguarded = tmp_path / "unguarded.py"
    unguarded.write_text(f"from labelmarket.experiments import sweep\n"
                         f"sweep({document!r}, out={str(tmp_path / 'u')!r}, workers=2, progress=False)\n")
    done = subprocess.run([PYTHON, str(unguarded)], env=subprocess_env(), capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert 'if __name__ == "__main__":' in done.stderr and "line 2" in done.stderr
    assert "another sweep is writing" not in done.stderr and not (tmp_path / "u").exists()

    guarded = tmp_path / "guarded.py"
    guarded.write_text(f"from labelmarket.experiments import sweep\n\n"
                       f"if __name__ == \"__main__\":\n"
                       f"    outcome = sweep({document!r}, out={str(tmp_path / 'g')!r}, workers=2, progress=False)\n"
                       f"    print(outcome.ok)\n")
    done = subprocess.run([PYTHON, str(guarded)], env=subprocess_env(), capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "6"


def test_the_bar_and_its_eta_start_with_the_first_results(capsys):
    bar = progress.open_bar("s", total=100, done=40)
    assert bar.bar is None and "40 of 100 runs done; waiting for the first results" in capsys.readouterr().err
    time.sleep(0.3)  # the workers' start-up: it must not enter the rate
    bar.update(5)
    assert bar.bar.n == 45 and time.time() - bar.bar.start_t < 0.2
    bar.update(5)
    assert bar.bar.n == 50
    bar.close()
