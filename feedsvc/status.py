"""``status.json``: what the last cycles did, for people, monitors and the Docker HEALTHCHECK.

Unlike the feeds, this file is about time by nature (last attempt, next run), so it is
written only by ``feedsvc run`` and by ``feedsvc build --status``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from feedsvc.publish import Publisher

STATUS_FILE = "status.json"


@dataclass(frozen=True, slots=True)
class Health:
    healthy: bool
    reason: str


def read_status(out_dir: Path) -> dict[str, Any]:
    """The current status, or ``{}`` when there is none or it is unreadable."""
    try:
        data = json.loads((out_dir / STATUS_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def record_attempt(
    out_dir: Path,
    *,
    attempted_at: datetime,
    outcome: str,
    error: str | None = None,
    report: dict[str, Any] | None = None,
    next_run: datetime | None = None,
) -> dict[str, Any]:
    """Fold one cycle's outcome into status.json and write it atomically."""
    previous = read_status(out_dir)
    failed = error is not None
    status: dict[str, Any] = {
        "last_attempt": attempted_at.isoformat(),
        "last_success": previous.get("last_success") if failed else attempted_at.isoformat(),
        "outcome": outcome,
        "consecutive_failures": int(previous.get("consecutive_failures", 0)) + 1 if failed else 0,
        "last_error": error if failed else previous.get("last_error"),
        "last_error_at": attempted_at.isoformat() if failed else previous.get("last_error_at"),
        "next_run": next_run.isoformat() if next_run else None,
    }
    counts = report if report is not None else previous.get("last_report")
    if counts is not None:
        status["last_report"] = counts
    with Publisher(out_dir) as publisher:
        publisher.write(STATUS_FILE, (json.dumps(status, indent=2) + "\n").encode("utf-8"))
    return status


def check_health(out_dir: Path, *, now: datetime, max_age: timedelta) -> Health:
    """Healthy when the last successful cycle is more recent than ``max_age``."""
    status = read_status(out_dir)
    if not status:
        return Health(False, f"no readable {STATUS_FILE} in {out_dir}")
    last_success = status.get("last_success")
    if not last_success:
        return Health(False, f"no successful cycle yet; last error: {status.get('last_error')}")
    age = now - datetime.fromisoformat(last_success)
    if age > max_age:
        return Health(
            False,
            f"last success {last_success} is older than {max_age}; "
            f"{status.get('consecutive_failures', 0)} failures since: {status.get('last_error')}",
        )
    return Health(True, f"last success {last_success}")
