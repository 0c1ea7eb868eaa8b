"""The command line as a user meets it: output, one-line errors, exit codes, README commands."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from feedsvc.lock import OutputLock
from tests.helpers import REPO, SAMPLE_PAGE, SEED_TXT, CliResult, Workspace, run_cli_process

INSPECT_KEYS = {
    "id",
    "title",
    "title_source",
    "authors",
    "published",
    "section",
    "paragraphs",
    "captions",
    "contacts",
    "related",
    "full_story_url",
    "topics",
    "link",
}


def test_inspect_json_gives_one_object_per_brief_with_the_documented_keys(
    cli: Callable[..., CliResult],
) -> None:
    result = cli("inspect", str(SEED_TXT), "--json")
    assert result.code == 0, result.stderr
    briefs = json.loads(result.stdout)
    assert len(briefs) == 20
    for brief in briefs:
        assert set(brief) >= INSPECT_KEYS
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:00\+08:00", brief["published"])
        for contact in brief["contacts"]:
            assert set(contact) == {"role", "name", "email"}
        for related in brief["related"]:
            assert set(related) == {"title", "url"}
    assert briefs[0]["published"] == "2021-01-19T18:27:00+08:00"
    assert briefs[0]["authors"] == ["Ding Yi"]
    assert briefs[0]["section"] == "Business & Tech"
    assert "business-tech" in briefs[0]["topics"]


def test_inspect_json_reporters_match_the_seed(cli: Callable[..., CliResult]) -> None:
    briefs = json.loads(cli("inspect", str(SAMPLE_PAGE), "--json").stdout)
    names = Counter(name for b in briefs for name in b["authors"])
    assert names == Counter(
        {
            "Ding Yi": 16,
            "Anniek Bao": 2,
            "Yang Ge": 1,
            "Qian Tong": 1,
            "Yuan Ruiyang": 1,
            "Han Wei": 1,
        }
    )


def test_inspect_table_lists_every_brief(cli: Callable[..., CliResult]) -> None:
    result = cli("inspect", str(SEED_TXT))
    assert result.code == 0
    assert result.stdout.startswith("20 briefs\n")
    assert "2021-01-19 18:27" in result.stdout
    assert (
        len([line for line in result.stdout.splitlines() if re.match(r"\s*\d+  2021", line)]) == 20
    )


def test_inspect_ids_equal_the_published_ids(
    cli: Callable[..., CliResult], workspace: Workspace
) -> None:
    import feedparser

    ids = [b["id"] for b in json.loads(cli("inspect", str(SEED_TXT), "--json").stdout)]
    assert cli(*workspace.args("build", "--source", str(SEED_TXT))).code == 0
    published = [e.id for e in feedparser.parse(str(workspace.out / "atom.xml")).entries]
    assert sorted(ids) == sorted(published)


def test_page_without_bylines_is_a_one_line_error_with_exit_4(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    page = tmp_path / "empty.html"
    page.write_text("")
    result = cli("inspect", str(page))
    assert result.code == 4
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("feedsvc: error: ")


def test_bad_config_is_a_one_line_error_with_exit_2(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[site]\nmax_entires = 5\n")
    result = cli("build", "--config", str(config), "--source", str(SEED_TXT))
    assert result.code == 2
    assert result.stderr.strip() == "feedsvc: error: [site]: unknown key(s) max_entires"


def test_config_that_is_not_toml_is_a_one_line_error(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[site\n")
    result = cli("build", "--config", str(config))
    assert result.code == 2
    assert "is not valid TOML" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_config_given_explicitly_is_an_error(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    result = cli("build", "--config", str(tmp_path / "nope.toml"))
    assert result.code == 2
    assert "config file not found" in result.stderr


def test_second_writer_on_the_same_output_is_refused(
    cli: Callable[..., CliResult], workspace: Workspace
) -> None:
    with OutputLock(workspace.out):
        result = run_cli_process(workspace.args("build", "--source", str(SEED_TXT)))
    assert result.code == 6
    assert "in use by another feedsvc process" in result.stderr
    assert "Traceback" not in result.stderr


def test_help_does_not_import_heavy_modules() -> None:
    code = (
        "import sys; from feedsvc.cli import build_parser; build_parser().format_help(); "
        "print(sorted(m for m in ('httpx', 'feedgen', 'apscheduler', 'lxml', 'sqlite3') "
        "if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert done.stdout.strip() == "[]"


def test_help_lists_exit_codes_and_examples() -> None:
    result = run_cli_process(["build", "--help"])
    assert result.code == 0
    assert "exit codes:" in result.stdout
    assert "feedsvc build --source" in result.stdout


def test_build_status_flag_writes_status_json(
    cli: Callable[..., CliResult], workspace: Workspace
) -> None:
    assert cli(*workspace.args("build", "--source", str(SEED_TXT), "--status")).code == 0
    status = json.loads((workspace.out / "status.json").read_text())
    assert status["outcome"] == "ok"
    assert status["consecutive_failures"] == 0
    assert status["last_report"]["briefs"] == 20
    assert cli("health", "--config", str(workspace.config), "--out", str(workspace.out)).code == 0


def test_failed_build_with_status_counts_the_failure(
    cli: Callable[..., CliResult], workspace: Workspace
) -> None:
    assert cli(*workspace.args("build", "--source", str(SEED_TXT), "--status")).code == 0
    missing = workspace.root / "missing.html"
    assert cli(*workspace.args("build", "--source", str(missing), "--status")).code == 3
    status = json.loads((workspace.out / "status.json").read_text())
    assert status["outcome"] == "failed"
    assert status["consecutive_failures"] == 1
    assert "not found" in status["last_error"]
    assert status["last_success"] is not None


def readme_commands() -> list[str]:
    lines = (REPO / "README.md").read_text("utf-8").splitlines()
    return [line.strip() for line in lines[:12] if line.startswith("    ")]


def test_readme_starts_with_the_install_and_test_commands() -> None:
    commands = readme_commands()
    assert len(commands) == 2
    assert "pip install" in commands[0] and "feedsvc build" in commands[0]
    assert commands[1] == "./scripts/test"
    assert "./scripts/test" in (REPO / ".ci" / "run").read_text()


@pytest.mark.slow
def test_readme_main_command_builds_the_sample_page(tmp_path: Path) -> None:
    command = readme_commands()[0]
    # the README creates a venv in the checkout; here the test's interpreter stands in for it
    command = command.replace("python3 -m venv .venv && .venv/bin/pip install -q -e . && ", "")
    command = command.replace(".venv/bin/feedsvc", f"{sys.executable} -m feedsvc.cli")
    command = command.replace("feedsvc/sample/", f"{REPO}/feedsvc/sample/")
    done = subprocess.run(
        command, shell=True, cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    listed = done.stdout.splitlines()
    assert "output/atom.xml" in listed
    assert "output/reporters/ding-yi/atom.xml" in listed
    assert "20 briefs parsed, 20 new" in listed[0]
