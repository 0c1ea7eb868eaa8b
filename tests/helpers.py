"""Test helpers: fixture paths, a workspace, a CLI runner, pages cut from the seed text."""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
SEED_TXT = FIXTURES / "business-and-tech-live.txt"
SAMPLE_PAGE = REPO / "feedsvc" / "sample" / "business-and-tech-live.html"

# a byline line of the seed capture: "By Ding Yi / Jan 19, 2021 01:17 PM / Business & Tech"
SEED_BYLINE = re.compile(
    r"^[^\n/]*/ [A-Z][a-z]{2} \d{1,2}, \d{4} \d{1,2}:\d{2} [AP]M / [^\n]+$", re.MULTILINE
)


def seed_markup_variants() -> list[Path]:
    """The seed page in every markup the fixtures hold, plus the text capture itself."""
    return [SEED_TXT, *sorted(FIXTURES.glob("bt-*.html"))]


@dataclass(frozen=True)
class SeedPage:
    head: str
    briefs: list[str]  # each starts at its byline line; newest first, as on the page
    tail: str

    def page(self, briefs: list[str]) -> str:
        return self.head + "".join(briefs) + self.tail


def split_seed() -> SeedPage:
    text = SEED_TXT.read_text("utf-8")
    starts = [m.start() for m in SEED_BYLINE.finditer(text)]
    tail_at = text.index("Share this article")
    bounds = [*starts, tail_at]
    return SeedPage(
        head=text[: starts[0]],
        briefs=[text[a:b] for a, b in itertools.pairwise(bounds)],
        tail=text[tail_at:],
    )


@dataclass(frozen=True)
class CliResult:
    code: int
    stdout: str
    stderr: str


@dataclass
class Workspace:
    """A config copied from the repo, an output folder and a state file in a temp dir."""

    root: Path

    @property
    def config(self) -> Path:
        return self.root / "config.toml"

    @property
    def out(self) -> Path:
        return self.root / "output"

    @property
    def state(self) -> Path:
        return self.root / "state" / "feedsvc.sqlite3"

    def write_page(self, name: str, text: str | bytes) -> Path:
        path = self.root / "pages" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, str):
            path.write_text(text, "utf-8")
        else:
            path.write_bytes(text)
        return path

    def args(self, command: str, *extra: str) -> list[str]:
        return [
            command,
            "--config",
            str(self.config),
            "--out",
            str(self.out),
            "--state",
            str(self.state),
            *extra,
        ]

    def files(self) -> dict[str, bytes]:
        """Every file in the output folder except feedsvc's own bookkeeping."""
        return {
            str(p.relative_to(self.out)): p.read_bytes()
            for p in sorted(self.out.rglob("*"))
            if p.is_file() and not p.name.startswith(".feedsvc")
        }

    def mtimes(self) -> dict[str, int]:
        return {
            str(p.relative_to(self.out)): p.stat().st_mtime_ns
            for p in sorted(self.out.rglob("*"))
            if p.is_file()
        }


def run_cli_process(args: list[str], *, timeout: float = 120, cwd: Path | None = None) -> CliResult:
    """Run ``feedsvc ARGS`` as a real process, as a user would."""
    done = subprocess.run(
        [sys.executable, "-m", "feedsvc.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd or REPO,
        check=False,
    )
    return CliResult(done.returncode, done.stdout, done.stderr)


def require_tool(*names: str) -> str:
    """The path of the first of ``names`` on PATH; skip without it, or fail under CI."""
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    message = f"{names[0]} is not installed (Debian package {names[0]})"
    if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        pytest.fail(f"{message}, but CI is set: CI must run it (scripts/test installs it)")
    pytest.skip(message)
