"""Run xenlint in-process the way a user does, and read its output."""

from __future__ import annotations

import json
from dataclasses import dataclass

import cli


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self) -> dict:
        return json.loads(self.out)

    def hits(self) -> set[tuple[str, str, int]]:
        """(rule, path, line) of every finding, from JSON output."""
        return {(f["rule"], f["path"], f["line"]) for f in self.json()["findings"]}


def xenlint(capsys, *argv: str) -> Run:
    capsys.readouterr()
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)
