"""Errors that kgtool reports to a user as one line (exit code 2)."""

from __future__ import annotations

from pathlib import Path


class KgtoolError(Exception):
    """An error the CLI prints as one line and turns into exit code 2."""


class ParseError(KgtoolError):
    """A source file could not be parsed; names the file, line and column."""

    def __init__(self, path: Path | str, line: int | None, column: int | None, message: str):
        self.path = Path(path)
        self.line = line
        self.column = column
        self.detail = message
        where = str(path)
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        super().__init__(f"{where}: {message}")
