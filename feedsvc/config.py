"""Stage 0: read ``config.toml`` into frozen settings.

Every setting has a default, so an empty file (or none) runs the business-and-tech page.
Unknown keys are an error: a typo in a key must not silently fall back to a default.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from feedsvc.errors import ConfigError
from feedsvc.model import Site

DEFAULT_PAGE_URL = "https://www.caixinglobal.com/business-and-tech-live/"
DEFAULT_TOPICS_PATH = Path(__file__).with_name("default_topics.toml")
DEFAULT_USER_AGENT = (
    "feedsvc/0.1 (+https://github.com/feedsvc/feedsvc; static feeds of CX live pages)"
)


@dataclass(frozen=True, slots=True)
class SourceSettings:
    """One roundup page to scrape (``[[sources]]``)."""

    name: str
    url: str
    timezone: str = "Asia/Shanghai"
    interval_minutes: float | None = None  # None: the shared [schedule]
    cron: str | None = None


@dataclass(frozen=True, slots=True)
class FetchSettings:
    """How politely and defensively to fetch (``[fetch]``)."""

    user_agent: str = DEFAULT_USER_AGENT
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    max_redirects: int = 5
    max_bytes: int = 5_000_000
    retries: int = 3  # extra attempts after the first
    backoff_base: float = 1.0  # seconds; doubled per attempt, with full jitter
    backoff_max: float = 30.0
    retry_after_max: float = 120.0  # a longer Retry-After is a failure, not a wait
    total_timeout: float = 180.0  # for all attempts of one fetch together
    respect_robots: bool = True


@dataclass(frozen=True, slots=True)
class ScheduleSettings:
    """When ``feedsvc run`` fires (``[schedule]``); ``cron`` wins over the interval."""

    interval_minutes: float = 15.0
    cron: str | None = None
    jitter_seconds: float = 60.0
    failure_backoff_max_minutes: float = 240.0


@dataclass(frozen=True, slots=True)
class GuardSettings:
    """When a page looks broken enough to leave what is published alone (``[guard]``)."""

    min_brief_ratio: float = 0.5  # fewer than this share of the last good count: LayoutChanged
    min_briefs: int = 1


@dataclass(frozen=True, slots=True)
class TopicRule:
    """A keyword topic (``[[topics]]``): whole words/phrases, case-insensitive."""

    slug: str
    title: str
    keywords: tuple[str, ...]
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CustomFeedRule:
    """A filtered feed (``[[feeds]]``): an entry must match every non-empty include list."""

    slug: str
    title: str
    description: str = ""
    include_topics: tuple[str, ...] = ()
    exclude_topics: tuple[str, ...] = ()
    include_reporters: tuple[str, ...] = ()
    exclude_reporters: tuple[str, ...] = ()
    include_keywords: tuple[str, ...] = ()
    exclude_keywords: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything in config.toml."""

    site: Site
    sources: tuple[SourceSettings, ...]
    fetch: FetchSettings = field(default_factory=FetchSettings)
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    guard: GuardSettings = field(default_factory=GuardSettings)
    topics: tuple[TopicRule, ...] = ()
    feeds: tuple[CustomFeedRule, ...] = ()
    output_dir: Path = Path("output")
    state_path: Path = Path("state/feedsvc.sqlite3")
    retention_days: int = 365
    websub_timeout: float = 10.0
    websub_retries: int = 2
    config_path: Path | None = None


class _Table:
    """A TOML table read with type checks and a record of which keys were used."""

    def __init__(self, data: Any, where: str) -> None:
        if not isinstance(data, dict):
            raise ConfigError(f"{where}: expected a table")
        self.data: dict[str, Any] = data
        self.where = where
        self.used: set[str] = set()

    def get(self, key: str, kind: type | tuple[type, ...], default: Any) -> Any:
        self.used.add(key)
        if key not in self.data:
            return default
        value = self.data[key]
        # bool is an int in Python: a "true" timeout must still be refused
        if isinstance(value, bool) and kind is not bool and bool not in _as_tuple(kind):
            raise ConfigError(f"{self.where}.{key}: expected {_kind_name(kind)}, got {value!r}")
        if kind is float and isinstance(value, int):
            value = float(value)
        if not isinstance(value, kind):
            raise ConfigError(f"{self.where}.{key}: expected {_kind_name(kind)}, got {value!r}")
        return value

    def strings(self, key: str) -> tuple[str, ...]:
        values = self.get(key, list, [])
        if not all(isinstance(v, str) and v.strip() for v in values):
            raise ConfigError(f"{self.where}.{key}: expected a list of non-empty strings")
        return tuple(v.strip() for v in values)

    def positive(self, key: str, default: float) -> float:
        value = self.get(key, float, default)
        if value <= 0:
            raise ConfigError(f"{self.where}.{key}: must be greater than 0, got {value!r}")
        return value

    def done(self) -> None:
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            raise ConfigError(f"{self.where}: unknown key(s) {', '.join(unknown)}")


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "true or false",
        list: "a list",
        dict: "a table",
    }
    return " or ".join(names.get(k, k.__name__) for k in _as_tuple(kind))


def _slug_ok(slug: str) -> bool:
    return (
        bool(slug) and all(c.islower() or c.isdigit() or c == "-" for c in slug) and slug.isascii()
    )


def load_settings(path: Path | None = None, *, required: bool = False) -> Settings:
    """Read ``path`` (default ``./config.toml``); a missing default file gives the defaults."""
    if path is None:
        path = Path("config.toml")
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        if required:
            raise ConfigError(f"config file not found: {path}") from None
        return settings_from_dict({}, base_dir=Path.cwd(), config_path=None)
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from exc
    return settings_from_dict(data, base_dir=path.resolve().parent, config_path=path)


def settings_from_dict(
    data: dict[str, Any], *, base_dir: Path, config_path: Path | None = None
) -> Settings:
    """Build settings from parsed TOML; relative paths are taken from ``base_dir``."""
    top = _Table(data, "config")

    sources = _sources(top)
    site_t = _Table(top.get("site", dict, {}), "[site]")
    base_url = site_t.get("base_url", str, "http://localhost:8000/")
    if not base_url.endswith("/"):
        base_url += "/"
    if not base_url.startswith(("http://", "https://")):
        raise ConfigError(f"[site].base_url: must be an http(s) URL, got {base_url!r}")
    max_entries = site_t.get("max_entries", int, 50)
    if not 1 <= max_entries <= 10_000:
        raise ConfigError(f"[site].max_entries: must be between 1 and 10000, got {max_entries}")
    websub_t = _Table(top.get("websub", dict, {}), "[websub]")
    hubs = websub_t.strings("hubs")
    for hub in hubs:
        if not hub.startswith(("http://", "https://")):
            raise ConfigError(f"[websub].hubs: not an http(s) URL: {hub!r}")
    site = Site(
        title=site_t.get("title", str, "Caixin Global CX Live"),
        base_url=base_url,
        page_url=sources[0].url,
        language=site_t.get("language", str, "en"),
        max_entries=max_entries,
        hubs=hubs,
        extra_page_urls=tuple(s.url for s in sources[1:]),
    )
    site_t.done()
    websub_timeout = websub_t.positive("timeout", 10.0)
    websub_retries = websub_t.get("retries", int, 2)
    websub_t.done()

    fetch_t = _Table(top.get("fetch", dict, {}), "[fetch]")
    d = FetchSettings()
    fetch = FetchSettings(
        user_agent=fetch_t.get("user_agent", str, d.user_agent),
        connect_timeout=fetch_t.positive("connect_timeout", d.connect_timeout),
        read_timeout=fetch_t.positive("read_timeout", d.read_timeout),
        max_redirects=fetch_t.get("max_redirects", int, d.max_redirects),
        max_bytes=fetch_t.get("max_bytes", int, d.max_bytes),
        retries=fetch_t.get("retries", int, d.retries),
        backoff_base=fetch_t.get("backoff_base", float, d.backoff_base),
        backoff_max=fetch_t.get("backoff_max", float, d.backoff_max),
        retry_after_max=fetch_t.get("retry_after_max", float, d.retry_after_max),
        total_timeout=fetch_t.positive("total_timeout", d.total_timeout),
        respect_robots=fetch_t.get("respect_robots", bool, d.respect_robots),
    )
    fetch_t.done()
    if fetch.max_bytes < 1024 or fetch.retries < 0 or not 0 <= fetch.max_redirects <= 20:
        raise ConfigError("[fetch]: max_bytes must be >= 1024, retries >= 0, max_redirects 0..20")

    sched_t = _Table(top.get("schedule", dict, {}), "[schedule]")
    schedule = ScheduleSettings(
        interval_minutes=sched_t.positive("interval_minutes", 15.0),
        cron=sched_t.get("cron", str, "") or None,
        jitter_seconds=sched_t.get("jitter_seconds", float, 60.0),
        failure_backoff_max_minutes=sched_t.positive("failure_backoff_max_minutes", 240.0),
    )
    sched_t.done()
    for cron in [schedule.cron, *(s.cron for s in sources)]:
        if cron:
            _check_cron(cron)

    guard_t = _Table(top.get("guard", dict, {}), "[guard]")
    guard = GuardSettings(
        min_brief_ratio=guard_t.get("min_brief_ratio", float, 0.5),
        min_briefs=guard_t.get("min_briefs", int, 1),
    )
    guard_t.done()
    if not 0 <= guard.min_brief_ratio <= 1:
        raise ConfigError("[guard].min_brief_ratio: must be between 0 and 1")

    out_t = _Table(top.get("output", dict, {}), "[output]")
    output_dir = base_dir / out_t.get("dir", str, "output")
    out_t.done()
    arch_t = _Table(top.get("archive", dict, {}), "[archive]")
    state_path = base_dir / arch_t.get("path", str, "state/feedsvc.sqlite3")
    retention_days = arch_t.get("retention_days", int, 365)
    arch_t.done()
    if retention_days < 1:
        raise ConfigError("[archive].retention_days: must be at least 1")

    topics = _topics(top)
    feeds = _feeds(top)
    top.done()
    return Settings(
        site=site,
        sources=sources,
        fetch=fetch,
        schedule=schedule,
        guard=guard,
        topics=topics,
        feeds=feeds,
        output_dir=output_dir,
        state_path=state_path,
        retention_days=retention_days,
        websub_timeout=websub_timeout,
        websub_retries=websub_retries,
        config_path=config_path,
    )


def _check_cron(expression: str) -> None:
    # imported here: APScheduler is heavy and only `run` needs it otherwise
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger.from_crontab(expression)
    except ValueError as exc:
        raise ConfigError(f"bad cron expression {expression!r}: {exc}") from exc


def _sources(top: _Table) -> tuple[SourceSettings, ...]:
    raw = top.get("sources", list, [])
    if not raw:
        return (SourceSettings(name="business-and-tech-live", url=DEFAULT_PAGE_URL),)
    sources: list[SourceSettings] = []
    for i, item in enumerate(raw):
        t = _Table(item, f"[[sources]] #{i + 1}")
        url = t.get("url", str, "")
        if not url.startswith(("http://", "https://")):
            raise ConfigError(f"{t.where}.url: must be an http(s) URL, got {url!r}")
        name = t.get("name", str, "") or url.rstrip("/").rsplit("/", 1)[-1]
        interval = t.get("interval_minutes", float, 0.0) or None
        sources.append(
            SourceSettings(
                name=name,
                url=url,
                timezone=t.get("timezone", str, "Asia/Shanghai"),
                interval_minutes=interval,
                cron=t.get("cron", str, "") or None,
            )
        )
        t.done()
    names = [s.name for s in sources]
    if len(set(names)) != len(names):
        raise ConfigError("[[sources]]: names must be unique")
    return tuple(sources)


def default_topics() -> tuple[TopicRule, ...]:
    """The keyword topics shipped with feedsvc (``feedsvc/default_topics.toml``)."""
    data = tomllib.loads(DEFAULT_TOPICS_PATH.read_text("utf-8"))
    return _topics(_Table(data, str(DEFAULT_TOPICS_PATH.name)))


def _topics(top: _Table) -> tuple[TopicRule, ...]:
    if "topics" not in top.data and top.where == "config":
        top.used.add("topics")
        return default_topics()  # no [[topics]] at all: the shipped set; `topics = []`: none
    rules: list[TopicRule] = []
    for i, item in enumerate(top.get("topics", list, [])):
        t = _Table(item, f"[[topics]] #{i + 1}")
        slug = t.get("slug", str, "")
        if not _slug_ok(slug):
            raise ConfigError(
                f"{t.where}.slug: use lower-case ASCII letters, digits and '-', got {slug!r}"
            )
        keywords = t.strings("keywords")
        if not keywords:
            raise ConfigError(f"{t.where}: needs at least one keyword")
        rules.append(
            TopicRule(
                slug=slug,
                title=t.get("title", str, slug),
                keywords=keywords,
                exclude=t.strings("exclude"),
            )
        )
        t.done()
    slugs = [r.slug for r in rules]
    if len(set(slugs)) != len(slugs):
        raise ConfigError("[[topics]]: slugs must be unique")
    return tuple(rules)


def _feeds(top: _Table) -> tuple[CustomFeedRule, ...]:
    rules: list[CustomFeedRule] = []
    for i, item in enumerate(top.get("feeds", list, [])):
        t = _Table(item, f"[[feeds]] #{i + 1}")
        slug = t.get("slug", str, "")
        if not _slug_ok(slug):
            raise ConfigError(
                f"{t.where}.slug: use lower-case ASCII letters, digits and '-', got {slug!r}"
            )
        rule = CustomFeedRule(
            slug=slug,
            title=t.get("title", str, slug),
            description=t.get("description", str, ""),
            include_topics=t.strings("include_topics"),
            exclude_topics=t.strings("exclude_topics"),
            include_reporters=t.strings("include_reporters"),
            exclude_reporters=t.strings("exclude_reporters"),
            include_keywords=t.strings("include_keywords"),
            exclude_keywords=t.strings("exclude_keywords"),
        )
        t.done()
        if not (rule.include_topics or rule.include_reporters or rule.include_keywords):
            raise ConfigError(f"{t.where}: needs at least one include_* list")
        rules.append(rule)
    slugs = [r.slug for r in rules]
    if len(set(slugs)) != len(slugs):
        raise ConfigError("[[feeds]]: slugs must be unique")
    return tuple(rules)
