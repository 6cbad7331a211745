"""The command line: help for every command, module entry point, one-line errors."""

from __future__ import annotations

import logging
import runpy
import sys
from collections.abc import Iterator

import click
import pytest
from click.testing import CliRunner

from kgtool.cli import EXIT_ERROR, cli, main

CORE_COMMANDS = ("build", "export", "reason", "stats")


def walk(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Yield the words of every command and group, e.g. ("names",), ("names", "resolve")."""
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield (*prefix, name)  # `kgtool import --help` is read first: it needs an example too
            yield from walk(command, (*prefix, name))
        else:
            yield (*prefix, name)


ALL_COMMANDS = list(walk(cli))


def test_help_lists_the_commands() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in CORE_COMMANDS:
        assert f"  {name} " in result.output
    assert "--store" in result.output and "--memory" in result.output


def test_python_dash_m_kgtool_help(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["kgtool", "--help"])
    sys.modules.pop("kgtool.__main__", None)
    with pytest.raises(SystemExit) as stopped:
        runpy.run_module("kgtool", run_name="__main__")
    assert stopped.value.code == 0
    assert "Commands:" in capsys.readouterr().out


@pytest.mark.parametrize("words", ALL_COMMANDS, ids=[" ".join(w) for w in ALL_COMMANDS])
def test_every_command_has_help_with_an_example(words: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*words, "--help"])
    assert result.exit_code == 0, result.output
    body = result.output.split("Options:")[0]
    assert len(body.strip().splitlines()) >= 3, f"{' '.join(words)} has no description"
    assert "Example" in body, f"{' '.join(words)} has no example"


def test_unexpected_error_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    @click.command("explode")
    def explode() -> None:
        """Fail as a bug would."""
        raise RuntimeError("wires crossed\nsecond line")

    cli.add_command(explode)
    try:
        code = main(["explode"])
        err = capsys.readouterr().err
        assert code == EXIT_ERROR
        assert err.strip() == (
            "kgtool: error: unexpected RuntimeError: wires crossed (rerun with --debug)"
        )
        with pytest.raises(RuntimeError):
            main(["--debug", "explode"])
    finally:
        cli.commands.pop("explode")


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["no-such-command"]) == EXIT_ERROR
    assert main(["export", "--format", "csv"]) == EXIT_ERROR
    assert "Traceback" not in capsys.readouterr().err


def test_an_invalid_literal_gives_no_traceback(
    tmp_path: pytest.TempPathFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """rdflib logs a traceback for every literal it cannot convert ("2025-02-30"^^xsd:date);
    validation names the value, so the other commands must stay quiet about it."""
    from pathlib import Path

    data = Path(str(tmp_path)) / "bad-date.ttl"
    data.write_text(
        "<https://w3id.org/kgtool/id/agreement/x> <https://w3id.org/kgtool/ontology#signedOn> "
        '"2025-02-30"^^<http://www.w3.org/2001/XMLSchema#date> .\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["export", str(data)])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert "Traceback" not in result.stderr
    assert "2025-02-30" in result.stdout
    logged = [r for r in caplog.records if r.exc_info and r.levelno >= logging.WARNING]
    assert logged == [], logged[0].getMessage()


@pytest.mark.parametrize(
    ("words", "kind"), [(("viz", "-o"), "directory"), (("network", "-o"), "file")]
)
def test_output_of_the_wrong_kind_is_a_usage_error(
    words: tuple[str, ...], kind: str, tmp_path: pytest.TempPathFactory
) -> None:
    """`kgtool viz -o DIR` and `kgtool network -o FILE` ended in 'unexpected IsADirectoryError'
    / 'FileExistsError' after all the work."""
    from pathlib import Path

    target = Path(str(tmp_path)) / "there"
    if kind == "file":
        target.write_text("keep", encoding="utf-8")
    else:
        target.mkdir()
    result = CliRunner().invoke(cli, [*words, str(target)])
    assert result.exit_code == 2
    assert "unexpected" not in result.output
    assert f"is a {kind}" in result.output


@pytest.mark.parametrize("args", [["  "], ["Fanlar akademiyasi", "--limit", "0"]])
def test_names_resolve_refuses_a_question_that_cannot_match(args: list[str]) -> None:
    """An empty name or --limit 0 answered 'nothing matches' (exit 1), blaming the graph."""
    result = CliRunner().invoke(cli, ["names", "resolve", *args])
    assert result.exit_code == 2, result.output


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["serve", "--timeout", "abc"],
            "kgtool serve: invalid value for '--timeout': 'abc' is not a valid float "
            "(see 'kgtool serve --help')",
        ),
        (
            ["build", "-j", "0"],
            "kgtool build: invalid value for '-j' / '--jobs': 0 is not in the range x>=1 "
            "(see 'kgtool build --help')",
        ),
        (
            ["validate", "--format", "x"],
            "kgtool validate: invalid value for '--format': 'x' is not one of 'text', 'json', "
            "'turtle', 'github', 'junit' (see 'kgtool validate --help')",
        ),
        (
            ["export", "--no-such-option"],
            "kgtool export: no such option '--no-such-option' (see 'kgtool export --help')",
        ),
        (["--bogus"], "kgtool: no such option '--bogus' (see 'kgtool --help')"),
        (
            ["names", "resolve"],
            "kgtool names resolve: missing argument 'TEXT' (see 'kgtool names resolve --help')",
        ),
        (["viz"], "kgtool viz: missing option '-o' / '--output' (see 'kgtool viz --help')"),
        (["nosuch"], "kgtool: no such command 'nosuch' (see 'kgtool --help')"),
        (
            ["stats", "--as-of", "2025-13-01"],
            "kgtool stats: invalid value for '--as-of': '2025-13-01' is not a date (YYYY-MM-DD) "
            "(see 'kgtool stats --help')",
        ),
        (
            ["extract", "--published", "yesterday", __file__],
            "kgtool extract: invalid value for '--published': 'yesterday' is not a date "
            "(YYYY-MM-DD) (see 'kgtool extract --help')",
        ),
        (
            ["names", "nosuch"],
            "kgtool names: no such command 'nosuch' (see 'kgtool names --help')",
        ),
        (
            ["--memory", "--store", "somewhere", "stats"],
            "kgtool: choose either --store DIR or --memory (see 'kgtool --help')",
        ),
        (
            ["serve", "--timout", "3"],
            "kgtool serve: no such option '--timout'. Did you mean '--timeout'? "
            "(see 'kgtool serve --help')",
        ),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else "line",
)
def test_a_usage_error_is_one_line_naming_the_command_and_exit_2(
    args: list[str], line: str
) -> None:
    """click printed four lines (usage, a hint, a blank line, the error); the guide asks for one
    line naming the command and the problem, pointing to --help."""
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == EXIT_ERROR, result.output
    assert result.stdout == ""
    assert result.stderr.splitlines() == [line]


def test_the_console_script_shows_a_usage_error_in_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """main() (the installed `kgtool`) runs click outside standalone mode: same one line."""
    assert main(["serve", "--timeout", "abc"]) == EXIT_ERROR
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        "kgtool serve: invalid value for '--timeout': 'abc' is not a valid float "
        "(see 'kgtool serve --help')"
    ]


@pytest.mark.parametrize("args", [[], ["names"]], ids=["kgtool", "kgtool names"])
def test_a_group_without_its_command_still_shows_its_help(args: list[str]) -> None:
    """click reports a missing command by printing the group's help: that stays whole."""
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == EXIT_ERROR
    assert result.stderr.startswith(f"Usage: {' '.join(['kgtool', *args])} [OPTIONS] COMMAND")
    assert "\n\nCommands:\n" in result.stderr
