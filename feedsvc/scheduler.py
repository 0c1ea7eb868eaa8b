"""``feedsvc run``: many cycles on a schedule (APScheduler 3.x ``BlockingScheduler``).

One worker thread runs the cycles, so there is never more than one at a time; missed runs
are coalesced into one. After failures the next runs are skipped for an exponentially
growing pause (capped), so a broken site is not hammered; the first success resets it.
SIGTERM/SIGINT stop the scheduler and cancel a running fetch; files are written atomically,
so whatever is abandoned leaves no partial file behind.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from types import FrameType
from typing import Any

from feedsvc.config import Settings, SourceSettings
from feedsvc.errors import FeedsvcError
from feedsvc.lock import OutputLock
from feedsvc.service import PageSource, run_cycle, sources_for
from feedsvc.status import record_attempt
from feedsvc.websub import ping_hubs

log = logging.getLogger("feedsvc.scheduler")

SHUTDOWN_GRACE_SECONDS = 20.0


class CycleRunner:
    """Runs cycles for one group of pages and keeps the failure back-off state."""

    def __init__(
        self,
        settings: Settings,
        pages: Sequence[PageSource],
        interval: timedelta,
        cancel: threading.Event,
        scheduler: Any,
        job_id: str,
    ) -> None:
        self.settings = settings
        self.pages = tuple(pages)
        self.interval = interval
        self.cancel = cancel
        self.scheduler = scheduler
        self.job_id = job_id
        self.failures = 0
        self.not_before: datetime | None = None

    def __call__(self) -> None:
        now = datetime.now(UTC)
        if self.cancel.is_set():
            return
        if self.not_before is not None and now < self.not_before:
            log.info(
                "backing off after %d failed cycles; next try after %s",
                self.failures,
                self.not_before.isoformat(timespec="seconds"),
            )
            return
        outcome, error, report = "ok", None, None
        try:
            cycle = run_cycle(self.settings, sources=self.pages, cancel=self.cancel)
            report = cycle.as_dict()
            log.info("cycle done: %s", cycle.summary())
            ping_hubs(self.settings, cycle.changed_urls)
            self.failures, self.not_before = 0, None
        except FeedsvcError as exc:
            outcome, error = "failed", str(exc)
            self._back_off(now)
            log.error("cycle failed: %s", exc)
        except Exception as exc:  # a bug: keep serving, but say so loudly
            outcome, error = "failed", f"internal error: {type(exc).__name__}: {exc}"
            self._back_off(now)
            log.exception("cycle crashed")
        record_attempt(
            self.settings.output_dir,
            attempted_at=now,
            outcome=outcome,
            error=error,
            report=report,
            next_run=self._next_run(),
        )

    def _back_off(self, now: datetime) -> None:
        self.failures += 1
        if self.failures < 2:
            return  # one failure: the next scheduled run is the retry
        cap = timedelta(minutes=self.settings.schedule.failure_backoff_max_minutes)
        pause = min(self.interval * 2 ** (self.failures - 2), cap)
        self.not_before = now + pause

    def _next_run(self) -> datetime | None:
        job = self.scheduler.get_job(self.job_id)
        next_run: datetime | None = getattr(job, "next_run_time", None) if job else None
        if self.not_before is not None and (next_run is None or next_run < self.not_before):
            return self.not_before
        return next_run


def _trigger(settings: Settings, interval_minutes: float, cron: str | None) -> Any:
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    jitter = int(settings.schedule.jitter_seconds) or None
    if cron:
        return CronTrigger.from_crontab(cron, timezone=UTC), jitter
    return IntervalTrigger(seconds=interval_minutes * 60, timezone=UTC, jitter=jitter), jitter


def _groups(settings: Settings) -> dict[tuple[float, str | None], list[SourceSettings]]:
    groups: dict[tuple[float, str | None], list[SourceSettings]] = {}
    for source in settings.sources:
        if source.cron or source.interval_minutes:
            key = (source.interval_minutes or settings.schedule.interval_minutes, source.cron)
        else:
            key = (settings.schedule.interval_minutes, settings.schedule.cron)
        groups.setdefault(key, []).append(source)
    return groups


def run_forever(settings: Settings, *, source_override: str | None = None) -> int:
    """Run until SIGTERM/SIGINT; returns the exit code."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.schedulers.blocking import BlockingScheduler

    cancel = threading.Event()
    with OutputLock(settings.output_dir):
        scheduler = BlockingScheduler(
            executors={"default": ThreadPoolExecutor(max_workers=1)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
            timezone=UTC,
        )
        if source_override is not None:
            plan = [
                (
                    (settings.schedule.interval_minutes, settings.schedule.cron),
                    list(sources_for(settings, source_override)),
                )
            ]
        else:
            plan = [
                (key, list(sources_for(settings, only=group)))
                for key, group in _groups(settings).items()
            ]
        for index, ((interval_minutes, cron), pages) in enumerate(plan):
            job_id = f"cycle-{index}"
            trigger, _ = _trigger(settings, interval_minutes, cron)
            runner = CycleRunner(
                settings, pages, timedelta(minutes=interval_minutes), cancel, scheduler, job_id
            )
            # the first cycle runs at start, the schedule takes over after it
            scheduler.add_job(runner, trigger, id=job_id, next_run_time=datetime.now(UTC))

        def stop(signum: int, _frame: FrameType | None) -> None:
            log.info("received %s: stopping", signal.Signals(signum).name)
            cancel.set()
            scheduler.shutdown(wait=False)

        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        log.info("feedsvc run: %d schedule(s), output %s", len(plan), settings.output_dir)
        try:
            scheduler.start()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            _wait_for_worker(scheduler)
    log.info("stopped")
    return 0


def _wait_for_worker(scheduler: Any) -> None:
    """Give a running cycle a few seconds to finish cleanly, then leave."""
    executor = scheduler._lookup_executor("default")
    pool = getattr(executor, "_pool", None)
    if pool is None:
        return
    done = threading.Event()

    def join() -> None:
        pool.shutdown(wait=True)
        done.set()

    threading.Thread(target=join, daemon=True).start()
    if not done.wait(SHUTDOWN_GRACE_SECONDS):
        log.warning("a cycle was still running after %.0f s; abandoning it", SHUTDOWN_GRACE_SECONDS)
        # files are replaced atomically and the archive commits in transactions, so leaving
        # now loses at most this cycle's unpublished work, which the next cycle redoes
        logging.shutdown()
        os._exit(0)
