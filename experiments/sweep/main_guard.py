"""A script that calls ``sweep(...)`` with local worker processes needs ``if __name__ == "__main__":``.

Workers are started with ``spawn``: each one imports the script that started the sweep, under the name
``__mp_main__``. Unguarded, that import runs ``sweep(...)`` again in every worker, which then finds the sweep
folder locked and fails with a misleading message. So, before any worker starts, the call is located in the
script's source and refused, with the fix, if it sits at the top level outside the guard. Notebooks and
``python -c`` have no script file to re-import and need nothing.
"""

from __future__ import annotations

import ast
import multiprocessing
import sys
from pathlib import Path
from types import FrameType

from labelmarket.experiments.sweep.spec import SweepError

ADVICE = ('put the call under `if __name__ == "__main__":` (local worker processes import your script again, '
          'and run whatever is not under that guard); or pass workers=1, or use a notebook')


def in_spawned_worker() -> bool:
    """Whether this process is a spawned worker importing its parent's main script."""
    main = sys.modules.get("__main__")
    return multiprocessing.parent_process() is not None and getattr(main, "__name__", "") == "__mp_main__"


def check_called_safely() -> None:
    """Refuse a ``sweep(...)`` that spawned workers would run again: in a worker, or unguarded in a script."""
    if in_spawned_worker():
        script = getattr(sys.modules["__main__"], "__file__", "your script")
        print(f"labelmarket sweep: error: a worker process imported {script} and reached its sweep(...) call: {ADVICE}",
              file=sys.stderr)
        raise SystemExit(2)
    frame = _main_module_frame()
    if frame is None:
        return
    path = Path(frame.f_code.co_filename)
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return  # no readable script (an interactive session or a notebook): nothing is imported again
    if not _inside_main_guard(tree, frame.f_lineno):
        raise SweepError(str(path), f"line {frame.f_lineno}", f"sweep(...) is called at the top level of the script: {ADVICE}")


def _main_module_frame() -> FrameType | None:
    """The frame of the ``__main__`` module's top-level code that (directly) led to this call, if any."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_name == "<module>" and frame.f_globals.get("__name__") == "__main__":
            return frame
        frame = frame.f_back
    return None


def _inside_main_guard(tree: ast.Module, line: int) -> bool:
    for node in tree.body:
        if isinstance(node, ast.If) and _is_main_test(node.test) and node.lineno <= line <= (node.end_lineno or line):
            return True
    return False


def _is_main_test(test: ast.expr) -> bool:
    """``__name__ == "__main__"`` (either way round)."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)):
        return False
    sides = [test.left, test.comparators[0]]
    names = [s for s in sides if isinstance(s, ast.Name) and s.id == "__name__"]
    texts = [s for s in sides if isinstance(s, ast.Constant) and s.value == "__main__"]
    return bool(names and texts)
