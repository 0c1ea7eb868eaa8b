"""Fixtures shared by the tests; the helpers they use live in tests/helpers.py."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import REPO, CliResult, Workspace


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    shutil.copy(REPO / "config.toml", tmp_path / "config.toml")
    return Workspace(tmp_path)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run the CLI in process (fast); output captured."""
    from feedsvc.cli import main

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        code = main(list(args))
        out, err = capsys.readouterr()
        return CliResult(code, out, err)

    return run
