"""The ``feedsvc`` command: a thin layer over the stages.

Every :class:`~feedsvc.errors.FeedsvcError` becomes one line on stderr and its exit code;
only a bug in feedsvc itself shows a traceback. Heavy modules (httpx, feedgen, APScheduler)
are imported inside the commands that need them, so ``feedsvc --help`` starts fast.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from feedsvc.errors import FeedsvcError

EXIT_INTERRUPTED = 130

EPILOG = """\
exit codes:
  0  success (also: page unchanged since the last cycle)
  1  unexpected internal error (a bug: please report it with the traceback)
  2  bad command line or config.toml
  3  the page could not be fetched or read (network, HTTP status, size, robots.txt, type)
  4  the page's layout changed: no briefs, or far fewer than the last good page
  5  the archive or the output folder could not be written
  6  another feedsvc process is writing the same output folder
"""


def _add_config(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        type=Path,
        metavar="PATH",
        help="config file (default: ./config.toml if present, else built-in defaults)",
    )


def _add_paths(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", type=Path, metavar="DIR", help="output folder (default: [output].dir, 'output')"
    )
    parser.add_argument(
        "--state",
        type=Path,
        metavar="PATH",
        help="archive database (default: [archive].path, 'state/feedsvc.sqlite3')",
    )


def _add_logging(parser: argparse.ArgumentParser, *, default: bool) -> None:
    # the sub-command copies must not overwrite a value given before the command name
    parser.add_argument(
        "--log-format",
        choices=("text", "json"),
        default="text" if default else argparse.SUPPRESS,
        help="log lines on stderr: readable text (default) or JSON lines",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=False if default else argparse.SUPPRESS,
        help="log debug details",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="feedsvc",
        description="Static Atom/RSS/JSON feeds, one entry per brief, from Caixin's CX live pages.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_logging(parser, default=True)
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    # logging options are accepted before and after the command name
    common = argparse.ArgumentParser(add_help=False)
    _add_logging(common, default=False)

    inspect = sub.add_parser(
        "inspect",
        parents=[common],
        help="show the briefs of a page (file or URL)",
        description="Parse a page and show its briefs.\n\nexample:\n"
        "  feedsvc inspect tests/fixtures/business-and-tech-live.txt --json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    inspect.add_argument("source", metavar="SOURCE", help="a file path or an http(s) URL")
    inspect.add_argument("--json", action="store_true", help="a JSON array, one object per brief")
    inspect.add_argument(
        "--page-url",
        metavar="URL",
        help="URL that relative links resolve against (default: first [[sources]] url)",
    )
    _add_config(inspect)

    build = sub.add_parser(
        "build",
        parents=[common],
        help="run one cycle: fetch, parse, archive, classify, render, publish",
        description="Run one cycle and print a one-line summary.\n\nexample:\n"
        "  feedsvc build --source feedsvc/sample/business-and-tech-live.html --out output",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_config(build)
    build.add_argument(
        "--source",
        metavar="FILE_OR_URL",
        help="read this file or URL instead of the configured page(s)",
    )
    _add_paths(build)
    build.add_argument(
        "--status",
        action="store_true",
        help="also update status.json in the output folder (for cron setups)",
    )

    run = sub.add_parser(
        "run",
        parents=[common],
        help="run cycles on the configured schedule until SIGTERM/SIGINT",
        description="Run a first cycle now, then on the schedule of config.toml.\n\nexample:\n"
        "  feedsvc run --config config.toml",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_config(run)
    run.add_argument(
        "--source",
        metavar="FILE_OR_URL",
        help="read this file or URL instead of the configured page(s)",
    )
    _add_paths(run)

    health = sub.add_parser(
        "health",
        parents=[common],
        help="exit 0 when status.json shows a recent successful cycle",
        description="For monitors and Docker's HEALTHCHECK.\n\nexample:\n"
        "  feedsvc health --out /data/output --max-age 3600",
    )
    _add_config(health)
    health.add_argument("--out", type=Path, metavar="DIR", help="output folder")
    health.add_argument(
        "--max-age",
        type=float,
        default=None,
        metavar="SECONDS",
        help="how old the last success may be (default: 3 schedule intervals)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from feedsvc import __version__

        print(f"feedsvc {__version__}")
        return 0
    if args.command is None:
        parser.print_help()
        return 2
    _setup_logging(args.log_format, args.verbose)
    try:
        if args.command == "inspect":
            return _inspect(args)
        if args.command == "build":
            return _build(args)
        if args.command == "run":
            return _run(args)
        return _health(args)
    except FeedsvcError as exc:
        print(f"feedsvc: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("feedsvc: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _settings(args: argparse.Namespace) -> Any:
    from feedsvc.config import load_settings

    settings = load_settings(args.config, required=args.config is not None)
    overrides: dict[str, Any] = {}
    if getattr(args, "out", None) is not None:
        overrides["output_dir"] = args.out
    if getattr(args, "state", None) is not None:
        overrides["state_path"] = args.state
    if overrides:
        from dataclasses import replace

        settings = replace(settings, **overrides)
    return settings


def _inspect(args: argparse.Namespace) -> int:
    from feedsvc.classify import Classifier
    from feedsvc.identity import mint_id
    from feedsvc.parse import parse_page
    from feedsvc.service import sources_for

    settings = _settings(args)
    (page,) = sources_for(settings, args.source)
    page_url = args.page_url or page.page_url
    if page.is_url:
        from feedsvc.fetch import fetch_page

        content: bytes | str = fetch_page(page.location, settings=settings.fetch).text
    else:
        from feedsvc.service import read_source_file

        content = read_source_file(page.location)
    result = parse_page(content, page_url=page_url, timezone=page.timezone)
    for warning in result.warnings:
        logging.getLogger("feedsvc.parse").warning("%s", warning)
    classifier = Classifier(settings.topics, settings.feeds)
    rows = []
    for brief in result.briefs:
        row = brief_as_json(brief)
        row["id"] = mint_id(brief)
        row["topics"] = [t.slug for t in classifier.topics_for(brief)]
        row["link"] = brief.full_story_url or page_url
        rows.append(row)
    if args.json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(_table(rows))
    return 0


def brief_as_json(brief: Any) -> dict[str, Any]:
    """The documented JSON shape of a brief (see README, 'inspect --json')."""
    return {
        "position": brief.position,
        "title": brief.title,
        "title_source": brief.title_source,
        "authors": list(brief.authors),
        "published": brief.published_at.isoformat(),
        "section": brief.section,
        "paragraphs": list(brief.paragraphs),
        "captions": list(brief.captions),
        "contacts": [{"role": c.role, "name": c.name, "email": c.email} for c in brief.contacts],
        "related": [{"title": r.title, "url": r.url} for r in brief.related],
        "full_story_url": brief.full_story_url,
    }


def _table(rows: list[dict[str, Any]]) -> str:
    lines = [f"{len(rows)} brief{'' if len(rows) == 1 else 's'}", ""]
    header = f"{'#':>3}  {'published':<16}  {'authors':<28}  {'section':<16}  title"
    lines += [header, "-" * len(header)]
    for row in rows:
        authors = ", ".join(row["authors"]) or "-"
        lines.append(
            f"{row['position'] + 1:>3}  {row['published'][:16].replace('T', ' '):<16}  "
            f"{_cut(authors, 28):<28}  {_cut(row['section'], 16):<16}  {_cut(row['title'], 70)}"
        )
    return "\n".join(lines) + "\n"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _build(args: argparse.Namespace) -> int:
    from feedsvc.lock import OutputLock
    from feedsvc.service import run_cycle, sources_for

    settings = _settings(args)
    sources = sources_for(settings, args.source)
    with OutputLock(settings.output_dir):
        started = datetime.now(UTC)
        try:
            report = run_cycle(settings, sources=sources)
        except FeedsvcError as exc:
            if args.status:
                from feedsvc.status import record_attempt

                record_attempt(
                    settings.output_dir, attempted_at=started, outcome="failed", error=str(exc)
                )
            raise
        if args.status:
            from feedsvc.status import record_attempt

            record_attempt(
                settings.output_dir, attempted_at=started, outcome="ok", report=report.as_dict()
            )
    from feedsvc.websub import ping_hubs

    ping_hubs(settings, report.changed_urls)
    print(report.summary())
    return 0


def _run(args: argparse.Namespace) -> int:
    from feedsvc.scheduler import run_forever

    settings = _settings(args)
    return run_forever(settings, source_override=args.source)


def _health(args: argparse.Namespace) -> int:
    from datetime import timedelta

    from feedsvc.status import check_health

    settings = _settings(args)
    max_age = args.max_age
    if max_age is None:
        max_age = settings.schedule.interval_minutes * 60 * 3 + settings.schedule.jitter_seconds
    health = check_health(
        settings.output_dir, now=datetime.now(UTC), max_age=timedelta(seconds=max_age)
    )
    print(("healthy: " if health.healthy else "unhealthy: ") + health.reason)
    return 0 if health.healthy else 1


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


def _setup_logging(log_format: str, verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        handler.setFormatter(_JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for noisy in ("httpx", "httpcore", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.INFO if verbose else logging.WARNING)


if __name__ == "__main__":
    sys.exit(main())
