"""`maca --help`, each command's `--help` and `maca --version` (issue 18 item 16): every
command and option says what it is for, and the exit codes are listed."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from tui.cli import build_parser, main

REPO = Path(__file__).resolve().parents[2]


def _parsers(parser: argparse.ArgumentParser, path: str = "maca") -> list[tuple[str, argparse.ArgumentParser]]:
    found = [(path, parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                found += _parsers(child, f"{path} {name}")
    return found


PARSERS = _parsers(build_parser())


@pytest.mark.parametrize(("path", "parser"), PARSERS, ids=[p for p, _ in PARSERS])
def test_every_command_and_option_has_a_description_and_help(path: str, parser: argparse.ArgumentParser) -> None:
    assert parser.description, f"{path} has no description"
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                assert choice.help, f"{path} {choice.dest} has no summary"
            continue
        assert action.help, f"{path}: {action.option_strings or action.dest} has no help"
    text = parser.format_help()
    assert "SUB_DB" not in text
    for code in ("0  done", "2  bad input", "3  refused", "4  conflict"):
        assert code in text, f"{path} --help does not list exit code {code!r}"


def test_version_prints_the_version_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("maca ") and out.strip() != "maca unknown"


def test_help_of_the_installed_command() -> None:
    done = subprocess.run([sys.executable, "-m", "tui.cli", "import-cases", "--help"], cwd=REPO,
                          capture_output=True, text=True, timeout=60, env={"COLUMNS": "80", "PATH": ""})
    assert done.returncode == 0
    assert "--db PATH    the workspace folder" in done.stdout
    assert "exit codes:" in done.stdout
    assert all(len(line) <= 80 for line in done.stdout.splitlines())
