"""The one exception tree of feedsvc.

    FeedsvcError                 every error feedsvc raises on purpose
    ├── ConfigError              config.toml is missing, unreadable or holds a bad value
    ├── SourceError              the page could not be had or read
    │   ├── FetchError           network, HTTP status, size cap, robots.txt, redirects
    │   │   └── ContentTypeError the server answered with something that is not HTML/text
    │   └── LayoutChanged        the page holds no briefs, or far fewer than the last good one
    ├── ArchiveError             the state database cannot be opened, migrated or written
    ├── RenderError              a feed could not be rendered
    ├── PublishError             the output folder cannot be written
    └── LockedError              another feedsvc process holds the output folder

Errors from libraries underneath are translated where they enter (``raise ... from exc``),
so the CLI can print ``str(error)`` as one line and exit with ``error.exit_code``.
"""

from __future__ import annotations


class FeedsvcError(Exception):
    """Base class; ``exit_code`` is what the CLI exits with."""

    exit_code = 1


class ConfigError(FeedsvcError):
    """Raised when the configuration file is missing, not TOML, or holds a bad value."""

    exit_code = 2


class SourceError(FeedsvcError):
    """Raised when the source page cannot be fetched or read."""

    exit_code = 3


class FetchError(SourceError):
    """Raised for network failures, bad HTTP statuses, oversize bodies and robots.txt refusals."""

    exit_code = 3


class ContentTypeError(FetchError):
    """Raised when the server answers with a content type that is not HTML or text."""

    exit_code = 3


class LayoutChanged(SourceError):
    """Raised when a page yields no briefs, or suddenly far fewer than the last good page."""

    exit_code = 4


class ArchiveError(FeedsvcError):
    """Raised when the state database cannot be opened, migrated or written."""

    exit_code = 5


class RenderError(FeedsvcError):
    """Raised when a feed cannot be rendered."""

    exit_code = 5


class PublishError(FeedsvcError):
    """Raised when the output folder cannot be written."""

    exit_code = 5


class LockedError(FeedsvcError):
    """Raised when another feedsvc process holds the lock of the output folder."""

    exit_code = 6
