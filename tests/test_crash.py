"""SIGKILL at any moment of a cycle leaves every published file whole and the archive usable;
the next cycle publishes exactly what an uninterrupted run would have."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import feedparser
import pytest
from lxml import etree, html

from tests.helpers import REPO, Workspace, split_seed

# Runs `feedsvc ARGS` and SIGKILLs itself at a chosen point: around the Nth os.replace (every
# published file and the manifest go through it) or inside the archive transaction.
KILLER = r"""
import os, signal, sys
mode, n = sys.argv[1], int(sys.argv[2])
calls = [0]
def die():
    os.kill(os.getpid(), signal.SIGKILL)
real_replace = os.replace
def replace(*a, **k):
    calls[0] += 1
    if mode == "before-replace" and calls[0] == n:
        die()
    real_replace(*a, **k)
    if mode == "after-replace" and calls[0] == n:
        die()
os.replace = replace
if mode == "in-transaction":
    from feedsvc import archive
    real_record = archive.Archive.record
    def record(self, *a, **k):
        result = real_record(self, *a, **k)
        die()
    archive.Archive.record = record
from feedsvc.cli import main
sys.exit(main(sys.argv[3:]))
"""


def run_build(ws: Workspace, page: Path, kill: tuple[str, int] | None = None) -> int:
    prefix = (
        [sys.executable, "-c", KILLER, *(map(str, kill))]
        if kill
        else [sys.executable, "-m", "feedsvc.cli"]
    )
    # a pinned clock: the edit's `updated` time is the same in every run
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
    done = subprocess.run(
        [*prefix, *ws.args("build", "--source", str(page))],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return done.returncode


def assert_every_file_whole(out: Path) -> None:
    for path in out.rglob("*"):
        if not path.is_file():
            continue
        assert ".tmp" not in path.name or path.name.startswith("."), path
        if path.suffix in (".xml", ".opml"):
            etree.parse(os.fspath(path))  # raises on a truncated file
            if path.suffix == ".xml":
                assert feedparser.parse(os.fspath(path)).bozo == 0, path
        elif path.suffix == ".json":
            json.loads(path.read_text("utf-8"))
        elif path.suffix == ".html":
            text = path.read_text("utf-8")
            assert text.rstrip().endswith("</html>"), path
            html.fromstring(text)


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    seed = split_seed()
    folder = tmp_path_factory.mktemp("pages")
    first, second = folder / "first.txt", folder / "second.txt"
    first.write_text(seed.page(seed.briefs[8:]), "utf-8")
    edited = list(seed.briefs)
    edited[9] = edited[9].replace("In 2012, Jordan sued", "In 2012, Michael Jordan sued")
    second.write_text(seed.page(edited), "utf-8")
    return first, second


@pytest.fixture(scope="module")
def reference(
    tmp_path_factory: pytest.TempPathFactory, pages: tuple[Path, Path]
) -> dict[str, bytes]:
    ws = Workspace(tmp_path_factory.mktemp("reference"))
    shutil.copy(REPO / "config.toml", ws.config)
    assert run_build(ws, pages[0]) == 0
    assert run_build(ws, pages[1]) == 0
    return ws.files()


KILL_POINTS = [("in-transaction", 1)] + [
    (mode, n) for n in (1, 2, 3, 7, 15, 30, 60, 90) for mode in ("before-replace", "after-replace")
]


@pytest.mark.slow
@pytest.mark.parametrize(("mode", "n"), KILL_POINTS, ids=[f"{m}-{n}" for m, n in KILL_POINTS])
def test_sigkill_mid_build_leaves_whole_files_and_next_build_repairs(
    tmp_path: Path, pages: tuple[Path, Path], reference: dict[str, bytes], mode: str, n: int
) -> None:
    ws = Workspace(tmp_path)
    shutil.copy(REPO / "config.toml", ws.config)
    assert run_build(ws, pages[0]) == 0
    code = run_build(ws, pages[1], kill=(mode, n))
    assert code in (0, -9), code  # 0: the build had fewer writes than n
    assert_every_file_whole(ws.out)
    assert run_build(ws, pages[1]) == 0
    assert_every_file_whole(ws.out)
    assert ws.files() == reference
