"""`feedsvc run`: a real process, a real schedule, a real server on 127.0.0.1, real signals."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest

from feedsvc.config import settings_from_dict
from feedsvc.scheduler import CycleRunner
from tests.helpers import REPO, SAMPLE_PAGE, Workspace
from tests.httpserver import HTTPTestServer, Reply

PAGE_PATH = "/business-and-tech-live/"


def start_run(ws: Workspace, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "feedsvc.cli", *ws.args("run"), *extra],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(condition: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def read_status(ws: Workspace) -> dict[str, object]:
    try:
        return json.loads((ws.out / "status.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {}


@pytest.fixture
def server() -> Iterator[HTTPTestServer]:
    with HTTPTestServer() as running:
        yield running


def short_schedule(ws: Workspace, url: str) -> None:
    ws.config.write_text(
        f"""
[[sources]]
name = "bt"
url = "{url}"
[schedule]
interval_minutes = 0.01
jitter_seconds = 0
[fetch]
retries = 0
read_timeout = 2
""",
        "utf-8",
    )


@pytest.mark.slow
def test_run_cycles_on_schedule_and_stops_cleanly_on_sigterm(
    workspace: Workspace, server: HTTPTestServer
) -> None:
    server.route(PAGE_PATH, Reply.html(SAMPLE_PAGE.read_bytes(), headers={"ETag": '"a"'}))
    short_schedule(workspace, server.url(PAGE_PATH))
    process = start_run(workspace)
    try:
        wait_for(lambda: len(server.requests_to(PAGE_PATH)) >= 3, 30, "three cycles")
        wait_for(lambda: read_status(workspace).get("outcome") == "ok", 10, "status.json")
        status = read_status(workspace)
        assert status["consecutive_failures"] == 0
        assert status["next_run"] is not None
        later = server.requests_to(PAGE_PATH)[1:]
        assert all(r.headers.get("if-none-match") == '"a"' for r in later)

        second = start_run(workspace)
        _, err = second.communicate(timeout=30)
        assert second.returncode == 6
        assert "in use by another feedsvc process" in err

        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "SIGTERM" in err
    assert "Traceback" not in err
    feed = feedparser.parse(os.fspath(workspace.out / "reporters" / "ding-yi" / "atom.xml"))
    assert feed.bozo == 0 and len(feed.entries) == 16
    assert not list(workspace.out.rglob("*.tmp-*"))


@pytest.mark.slow
def test_run_records_failures_and_recovers_by_itself(
    workspace: Workspace, server: HTTPTestServer
) -> None:
    server.route(PAGE_PATH, [Reply(503), Reply(503), Reply.html(SAMPLE_PAGE.read_bytes())])
    short_schedule(workspace, server.url(PAGE_PATH))
    process = start_run(workspace, "--log-format", "json")
    try:
        wait_for(lambda: read_status(workspace).get("consecutive_failures") == 1, 30, "a failure")
        assert "503" in str(read_status(workspace)["last_error"])
        wait_for(lambda: read_status(workspace).get("outcome") == "ok", 60, "recovery")
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0
    assert read_status(workspace)["consecutive_failures"] == 0
    lines = [json.loads(line) for line in err.splitlines() if line.strip()]
    assert {"time", "level", "logger", "message"} <= set(lines[0])
    assert any(line["level"] == "error" and "503" in line["message"] for line in lines)


class _NoScheduler:
    def get_job(self, _job_id: str) -> None:
        return None


def test_failures_pause_the_next_runs_exponentially_up_to_the_cap(tmp_path: Path) -> None:
    settings = settings_from_dict(
        {"schedule": {"failure_backoff_max_minutes": 60}}, base_dir=tmp_path
    )
    runner = CycleRunner(
        settings,
        (),
        timedelta(minutes=15),
        cancel=None,  # type: ignore[arg-type]
        scheduler=_NoScheduler(),
        job_id="x",
    )
    now = datetime(2026, 1, 1, tzinfo=UTC)
    pauses = []
    for _ in range(5):
        runner._back_off(now)
        pauses.append(runner.not_before - now if runner.not_before else timedelta(0))
    assert pauses == [
        timedelta(0),
        timedelta(minutes=15),
        timedelta(minutes=30),
        timedelta(minutes=60),
        timedelta(minutes=60),
    ]


def test_sources_with_their_own_schedule_get_their_own_job(tmp_path: Path) -> None:
    from feedsvc.scheduler import _groups

    settings = settings_from_dict(
        {
            "schedule": {"interval_minutes": 15},
            "sources": [
                {"name": "bt", "url": "https://www.caixinglobal.com/business-and-tech-live/"},
                {"name": "world", "url": "https://www.caixinglobal.com/world-live/"},
                {
                    "name": "live",
                    "url": "https://www.caixinglobal.com/live/",
                    "interval_minutes": 30,
                },
                {
                    "name": "eco",
                    "url": "https://www.caixinglobal.com/economy-live/",
                    "cron": "0 * * * *",
                },
            ],
        },
        base_dir=tmp_path,
    )
    groups = {key: [s.name for s in sources] for key, sources in _groups(settings).items()}
    assert groups == {
        (15.0, None): ["bt", "world"],
        (30.0, None): ["live"],
        (15.0, "0 * * * *"): ["eco"],
    }
