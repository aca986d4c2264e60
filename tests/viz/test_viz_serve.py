"""`labelmarket viz`: what it runs, where it binds, and what it says when something is wrong."""

import argparse
import os

import pytest

from labelmarket.viz import serve


def test_the_server_runs_in_production_on_loopback_by_default():
    args = serve.add_arguments(argparse.ArgumentParser()).parse_args([])
    assert (args.scenario, args.host, args.port) == ("meta_scale_2025", "127.0.0.1", 8765)
    command = serve.solara_command(args.host, args.port)
    assert command[1:4] == ["-m", "solara", "run"] and command[4].endswith("viz/app.py")
    assert {"--production", "--no-open", "--no-check-version"} <= set(command)
    assert command[command.index("--host") + 1] == "127.0.0.1"


def test_the_server_gets_the_scenario_and_no_telemetry():
    env = serve.server_environment("toy")
    assert env[serve.SCENARIO_ENV] == "toy" and env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"


def test_an_unknown_scenario_is_refused_with_the_bundled_names(capsys):
    assert serve.main(["meta_scale_2052"]) == 2
    assert "did you mean 'meta_scale_2025'?" in capsys.readouterr().err


def test_another_host_warns_before_serving(monkeypatch, capsys):
    started = []
    monkeypatch.setattr(os, "execve", lambda path, argv, env: started.append((argv, env)))
    monkeypatch.setattr(os, "chdir", lambda path: None)
    serve.main(["toy", "--host", "0.0.0.0", "--port", "9000"])
    assert "anyone who can reach this address" in capsys.readouterr().err
    argv, env = started[0]
    assert argv[argv.index("--port") + 1] == "9000" and env[serve.SCENARIO_ENV] == "toy"


def test_a_scenario_file_is_passed_as_an_absolute_path(tmp_path, monkeypatch):
    scenario = tmp_path / "mine.toml"
    scenario.write_text('extends = "%s"\n' % serve.scenario_path("toy"))
    monkeypatch.chdir(tmp_path)
    assert serve.resolve_scenario("mine.toml") == str(scenario)
    assert serve.resolve_scenario("toy") == "toy"



def test_the_cli_subcommand_parses_into_main(capsys):
    parser = argparse.ArgumentParser(prog="labelmarket")
    serve.add_viz_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["viz", "toy", "--port", "8800"])
    assert args.handler is serve.main and (args.scenario, args.port) == ("toy", 8800)
    with pytest.raises(SystemExit):
        parser.parse_args(["viz", "--port", "99999"])
    assert "'99999' is not a port number (1 to 65535)" in capsys.readouterr().err
