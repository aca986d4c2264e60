"""Running labelmarket on a generated input and checking the one rule every outcome must keep.

The rule: the exit status is 0 or 2; stderr holds no traceback and at most one line; and nothing is left in
the working folder but the inputs and, after a success, the ``--out`` folder (no ``.tmp-`` leftovers, no
stray ``runs/``). The console script runs as a subprocess in a fresh temporary working folder, as a user
would run it; :func:`run_in_process` is the same check on ``main([...])``, cheap enough for many examples.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, settings

from labelmarket.experiments.cli import main

CONSOLE_SCRIPT = Path(sys.executable).with_name("labelmarket")
SUBPROCESS_TIMEOUT_S = 120
OUT = "out"

# Fixed budgets keep the suite deterministic and within CI time: a subprocess costs about a second (imports).
SUBPROCESS = settings(max_examples=20, deadline=None, derandomize=True, database=None,
                      suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                             HealthCheck.filter_too_much])
IN_PROCESS = settings(SUBPROCESS, max_examples=200)


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str
    folder: Path


@contextlib.contextmanager
def workfolder(files: dict[str, bytes | str]) -> Iterator[Path]:
    """A fresh temporary working folder holding ``files`` (name -> contents)."""
    with tempfile.TemporaryDirectory(prefix="labelmarket-fuzz-") as name:
        folder = Path(name)
        for file, contents in files.items():
            data = contents.encode("utf-8", "surrogatepass") if isinstance(contents, str) else contents
            (folder / file).write_bytes(data)
        yield folder


def run_console(args: list[str], folder: Path) -> Outcome:
    """The ``labelmarket`` console script with ``args``, run in ``folder``."""
    done = subprocess.run([str(CONSOLE_SCRIPT), *args], cwd=folder, capture_output=True, text=True,
                          errors="backslashreplace", timeout=SUBPROCESS_TIMEOUT_S,
                          env={**os.environ, "COLUMNS": "100"})
    return Outcome(done.returncode, done.stdout, done.stderr, folder)


def run_in_process(args: list[str], folder: Path) -> Outcome:
    """``main(args)`` with ``folder`` as the working folder and the output captured."""
    out, err = io.StringIO(), io.StringIO()
    here = Path.cwd()
    os.chdir(folder)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(args)
    finally:
        os.chdir(here)
    return Outcome(code, out.getvalue(), err.getvalue(), folder)


def assert_kept_the_rule(outcome: Outcome, inputs: set[str], writes_out: bool) -> None:
    """Exit 0 or 2, no traceback, at most one line on stderr, and nothing left but inputs (and a whole --out)."""
    told = f"exit {outcome.code}, stderr:\n{outcome.stderr}"
    assert outcome.code in (0, 2), told
    assert "Traceback" not in outcome.stderr, told
    assert len(outcome.stderr.splitlines()) <= 1, told
    assert "\x1b" not in outcome.stderr, told
    left = {p.name for p in outcome.folder.iterdir()}
    expected = inputs | ({OUT} if writes_out and outcome.code == 0 else set())
    assert left == expected, f"left behind: {sorted(left - inputs)}; {told}"
    if writes_out and outcome.code == 0:
        assert (outcome.folder / OUT / "manifest.json").is_file(), told
