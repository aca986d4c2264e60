"""Serve the classroom dashboard: ``labelmarket viz [SCENARIO] [--port 8765] [--host 127.0.0.1]``.

It runs ``solara run viz/app.py`` in production mode, bound to 127.0.0.1 unless another host is asked for
(with a warning: anyone who can reach that address can drive the model). The page needs no internet once
solara's assets are installed (``make viz`` does it; see tools/install_solara_assets.py).

The CLI adds the subcommand with :func:`add_viz_parser` (its handler is :func:`main`, which takes the parsed
arguments); ``python -m labelmarket.viz.serve`` works on its own too.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from labelmarket.scenarios import DEFAULT_SCENARIO, ScenarioError, load_scenario
from labelmarket.scenarios.loader import scenario_path

APP = Path(__file__).resolve().parent / "app.py"
REPO = APP.parents[1]
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8765
SCENARIO_ENV = "LABELMARKET_VIZ_SCENARIO"  # read by viz.app


def port_number(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number (1 to 65535)")
    return int(text)


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO, metavar="SCENARIO",
                        help=f"a bundled scenario name or a .toml path (default: {DEFAULT_SCENARIO})")
    parser.add_argument("--port", type=port_number, default=DEFAULT_PORT,
                        help="port to serve on (default: %(default)s)")
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help="address to bind (default: %(default)s, this machine only)")
    return parser


def add_viz_parser(commands) -> argparse.ArgumentParser:
    """Add ``viz`` to the ``labelmarket`` subcommands (the CLI's ``build_parser`` calls this)."""
    viz = commands.add_parser("viz", help="serve the live classroom dashboard",
                              description="Serve the live classroom dashboard on this machine (no internet needed).")
    add_arguments(viz)
    viz.set_defaults(handler=main)
    return viz


def solara_command(host: str, port: int) -> list[str]:
    return [sys.executable, "-m", "solara", "run", str(APP), "--host", host, "--port", str(port),
            "--production", "--no-open", "--no-check-version"]


def server_environment(scenario: str) -> dict[str, str]:
    python_path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    # no telemetry; no "This website runs on Solara" badge over the charts; reacton's faster tree walk, which
    # takes a Step from about 300 to about 100 ms of server time (docs/viz.md)
    return {**os.environ, SCENARIO_ENV: scenario, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
            "SOLARA_THEME_SHOW_BANNER": "False", "SOLARA_THEME_TITLE": "labelmarket", "REACTON_FAST": "1",
            "PYTHONPATH": python_path}


def missing_assets() -> bool:
    """True when solara's local asset folder lacks its page bundle (the page would need the internet)."""
    from solara.server import settings

    return not any(Path(settings.assets.proxy_cache_dir).glob("@widgetti/solara-vuetify-app@*/package.json"))


def resolve_scenario(scenario: str) -> str:
    """Check that the scenario loads; a file path is made absolute, since the server runs elsewhere."""
    load_scenario(scenario)
    path = scenario_path(scenario)
    return scenario if path.parent == scenario_path(DEFAULT_SCENARIO).parent else str(path.resolve())


def serve(scenario: str = DEFAULT_SCENARIO, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> int:
    """Replace this process with the dashboard server (until Ctrl-C); returns only on a bad scenario (2)."""
    try:
        scenario = resolve_scenario(scenario)
    except ScenarioError as error:
        print(f"labelmarket viz: error: {error}", file=sys.stderr)
        return 2
    if host not in LOOPBACK_HOSTS:
        print(f"warning: serving on {host}: anyone who can reach this address can open the page and drive "
              "the model. Use the default 127.0.0.1 unless the class needs it.", file=sys.stderr)
    if missing_assets():
        print("warning: solara's page assets are not installed, so the browser would need the internet. Run "
              "`make viz`, or `.venv/bin/python tools/install_solara_assets.py`, once.", file=sys.stderr)
    print(f"Serving the labelmarket dashboard ({scenario}) at http://{host}:{port}/ ; press Ctrl-C to stop.",
          flush=True)
    # become the server (no wrapper process), so Ctrl-C and a kill of this PID stop it directly
    os.chdir(REPO)
    command = solara_command(host, port)
    os.execve(command[0], command, server_environment(scenario))


def main(argv: list[str] | argparse.Namespace | None = None) -> int:
    """Entry point for ``labelmarket viz``: parsed arguments (from the CLI's subparser) or an argv list."""
    args = argv if isinstance(argv, argparse.Namespace) else add_arguments(
        argparse.ArgumentParser(prog="labelmarket viz", description="Serve the classroom dashboard.")).parse_args(argv)
    return serve(args.scenario, args.host, args.port)


if __name__ == "__main__":
    sys.exit(main())
