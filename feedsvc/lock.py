"""One writer per output folder: ``build`` and ``run`` hold an exclusive lock on it.

The lock is a ``flock`` on the folder itself, not on a file in it: nothing is written into
the web root for it (an unchanged cycle changes no mtime there), and the kernel releases it
when the process dies, even by SIGKILL, so a crash never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from feedsvc.errors import LockedError, PublishError


class OutputLock:
    """Exclusive, non-blocking lock on ``out_dir``; a second holder gets :class:`LockedError`."""

    def __init__(self, out_dir: Path) -> None:
        self.path = out_dir
        self._fd: int | None = None

    def acquire(self) -> None:
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDONLY | os.O_DIRECTORY)
        except OSError as exc:
            raise PublishError(f"cannot open output folder {self.path}: {exc.strerror}") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise LockedError(
                f"output folder {self.path} is in use by another feedsvc process; "
                "only one build or run may write it at a time"
            ) from None
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> OutputLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
