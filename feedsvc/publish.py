"""Stage 7: bytes -> files in the output folder. The only module that writes there.

Users point the output folder at a web root that may hold files of their own, so:

* every path is checked by :func:`safe_relative_path`, and no symbolic link inside the
  folder is followed: nothing is ever written or removed outside it;
* a file whose bytes are unchanged is not touched (its mtime stays, so hosts keep ETags);
* a changed file is written to ``.NAME.tmp-<random>`` in the same folder, fsynced, made
  0644 and moved over the old one with ``os.replace``: a reader sees the old file or the
  new one, never a part;
* ``.feedsvc-manifest.json`` lists every file feedsvc wrote; a new path is added to it (on
  disk) before the file is written, so even a crash leaves no file feedsvc would not later
  clean up; :meth:`Publisher.remove_stale` removes only files in it;
* :meth:`Publisher.write_many` publishes a batch at the cost of one manifest write for all
  of its new paths (saved before any of them is written), one ``fsync`` per file done
  concurrently, and one per folder;
* temporary files a crash left behind are removed the next time feedsvc publishes into
  their folder, or removes files from it (the top of the output folder: when it is
  opened). A crash leaves its feeds dirty, so the next cycle publishes into exactly those
  folders; a cycle does not list the hundreds of folders it does not touch.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import re
import secrets
import stat
import sys
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path, PurePosixPath
from types import TracebackType

from feedsvc.classify import WINDOWS_RESERVED_NAMES
from feedsvc.errors import PublishError

log = logging.getLogger("feedsvc.publish")

MANIFEST_NAME = ".feedsvc-manifest.json"
MANIFEST_VERSION = 1
FILE_MODE = 0o644
FOLDER_MODE = 0o755

_TEMP_SUFFIX_BYTES = 6  # 12 hex digits
#: Our temporary files: ``.atom.xml.tmp-0123456789ab`` beside ``atom.xml``.
TEMP_NAME = re.compile(rf"^\..+\.tmp-[0-9a-f]{{{2 * _TEMP_SUFFIX_BYTES}}}$")
_DRIVE = re.compile(r"^[A-Za-z]:")
_WINDOWS_FORBIDDEN = set('<>:"|?*')
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_BINARY = getattr(os, "O_BINARY", 0)


def safe_relative_path(rel_path: str) -> PurePosixPath:
    """``rel_path`` as a path that stays inside the output folder on any system.

    Raises :class:`PublishError` for an empty or absolute path, a drive letter, ``.`` or
    ``..`` parts, empty parts (``a//b``, a trailing ``/``), backslashes, NUL and other
    control characters, characters Windows forbids, names ending in a dot or space, and
    names Windows reserves (``con``, ``CON.xml``, ``lpt1``...).
    """

    return PurePosixPath(*_checked_parts(rel_path))


_CONTROL = re.compile("[\x00-\x1f\x7f]")


def _checked_parts(rel_path: str) -> list[str]:
    """The parts of ``rel_path``, or :class:`PublishError`; see :func:`safe_relative_path`."""

    def refuse(reason: str) -> PublishError:
        return PublishError(f"unsafe output path {rel_path!r}: {reason}")

    if not isinstance(rel_path, str) or not rel_path:
        raise refuse("empty")
    if "\\" in rel_path:
        raise refuse("backslash")
    if rel_path.startswith("/"):
        raise refuse("absolute path")
    if _DRIVE.match(rel_path):
        raise refuse("drive letter")
    parts = rel_path.split("/")
    for part in parts:
        if part == "":
            raise refuse("empty path part")
        if part in (".", ".."):
            raise refuse(f"{part!r} part")
        if _CONTROL.search(part):
            raise refuse("control character")
        if _WINDOWS_FORBIDDEN.intersection(part):
            raise refuse("character not allowed in file names")
        if part[-1] in ". ":
            raise refuse("name ends with a dot or space")
        if part.split(".", 1)[0].rstrip(" ").casefold() in WINDOWS_RESERVED_NAMES:
            raise refuse("name reserved on Windows")
    return parts


def _fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable; best effort (not every system allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _temp_beside(target: Path) -> Path:
    return target.with_name(f".{target.name}.tmp-{secrets.token_hex(_TEMP_SUFFIX_BYTES)}")


def _write_temp(temp: Path, data: bytes, *, sync: bool) -> int | None:
    """Create ``temp`` (0644) holding ``data``; returns its open descriptor unless ``sync``,
    in which case it is fsynced and closed here."""
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _BINARY, FILE_MODE)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        if hasattr(os, "fchmod"):
            os.fchmod(fd, FILE_MODE)  # O_CREAT's mode is cut by the umask
        else:  # pragma: no cover - Windows
            os.chmod(temp, FILE_MODE)
        if sync:
            os.fsync(fd)
    except BaseException:
        os.close(fd)
        raise
    if sync:
        os.close(fd)
        return None
    return fd


def _fsync_dirs(folders: list[Path]) -> None:
    """:func:`_fsync_dir` for several folders at once (concurrently); best effort too."""
    fds: list[int] = []
    try:
        for folder in folders:
            with contextlib.suppress(OSError):
                fds.append(os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)))
        with contextlib.suppress(OSError):
            _fsync_all(fds)
    finally:
        for fd in fds:
            os.close(fd)


def _atomic_write(target: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``target``, then move it over ``target``."""
    temp = _temp_beside(target)
    try:
        _write_temp(temp, data, sync=True)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _fsync_dir(target.parent)


#: Threads that fsync a batch: the waits overlap (and the file system commits them together).
FSYNC_THREADS = 8


@functools.cache
def _syncfs() -> Callable[[int], int] | None:
    """Linux ``syncfs(2)``: flush one file system in one call, or None where it is missing.

    A batch of 80 files costs one journal commit with it (about 5 ms here) instead of 80
    fsyncs (about 0.7 ms each, 30 ms even when overlapped in threads).
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        function = libc.syncfs
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int]
    function.restype = ctypes.c_int
    return function  # type: ignore[no-any-return]


def _flush_batch(fds: list[int]) -> bool:
    """Make the data of every descriptor durable; True when it was done for their whole
    file system (``syncfs``), which also covers renames made before the next call."""
    syncfs = _syncfs()
    if syncfs is not None and fds and syncfs(fds[0]) == 0:
        return True
    _fsync_all(fds)
    return False


def _fsync_all(fds: list[int]) -> None:
    """fsync every descriptor, several at a time; raises the first error after all ran."""
    if len(fds) < 2:
        for fd in fds:
            os.fsync(fd)
        return
    pending = list(reversed(fds))
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work() -> None:
        while True:
            with lock:
                if not pending or errors:
                    return
                fd = pending.pop()
            try:
                os.fsync(fd)
            except BaseException as exc:  # handed to the caller below
                with lock:
                    errors.append(exc)
                return

    workers = [threading.Thread(target=work) for _ in range(min(FSYNC_THREADS, len(fds)))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if errors:
        raise errors[0]


#: The paths feedsvc itself writes (``reporters/ding-yi/atom.xml``): lower-case ASCII
#: letters, digits, ``.``, ``_`` and ``-``, every part starting and ending with a letter or
#: digit. Such a path passes every check of :func:`safe_relative_path` but the reserved
#: names, so only those are looked up; anything else takes the full check.
_PLAIN_PART = r"[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?"
_PLAIN_PATH = re.compile(rf"{_PLAIN_PART}(?:/{_PLAIN_PART})*")


@functools.lru_cache(maxsize=16384)
def _checked_key(rel_path: str) -> str:
    """``rel_path`` checked and normalised (the same paths come back every cycle)."""
    if _PLAIN_PATH.fullmatch(rel_path):
        parts = rel_path.split("/")
        if not any(p.split(".", 1)[0] in WINDOWS_RESERVED_NAMES for p in parts):
            return rel_path
    parts = _checked_parts(rel_path)
    key = "/".join(parts)  # what PurePosixPath(*parts).as_posix() gives, for checked parts
    if key == MANIFEST_NAME or TEMP_NAME.match(parts[-1]):
        raise PublishError(f"unsafe output path {rel_path!r}: name reserved by feedsvc")
    return key


class Publisher:
    """Writes files into ``out_dir`` and removes the ones feedsvc wrote and no longer needs.

    Use as a context manager (or call :meth:`close`) so the manifest is saved.
    """

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = Path(out_dir).absolute()
        try:
            self.out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise PublishError(
                f"cannot create output folder {self.out_dir}: {exc.strerror or exc}"
            ) from exc
        self._manifest_path = self.out_dir / MANIFEST_NAME
        self._folders: dict[tuple[str, ...], Path] = {}
        self._dirty = False
        self._files = self._load_manifest()
        self._written = 0
        self._unchanged = 0
        self._cleaned: set[tuple[str, ...]] = set()  # folders already rid of leftovers
        self._remove_temp_files(())

    # --- counters -------------------------------------------------------------------

    @property
    def written(self) -> int:
        """Files written (new or changed) since this publisher was opened."""
        return self._written

    @property
    def unchanged(self) -> int:
        """Files left alone because their bytes were already right."""
        return self._unchanged

    @property
    def files(self) -> frozenset[str]:
        """Relative paths of every file feedsvc wrote into the folder (the manifest)."""
        return frozenset(self._files)

    # --- the manifest ---------------------------------------------------------------

    def _load_manifest(self) -> set[str]:
        try:
            raw = self._manifest_path.read_bytes()
        except FileNotFoundError:
            return set()
        except OSError as exc:
            raise PublishError(f"cannot read {self._manifest_path}: {exc.strerror or exc}") from exc
        try:
            data = json.loads(raw)
            entries = data["files"] if isinstance(data, dict) else data
            if not isinstance(entries, list):
                raise TypeError("not a list")
        except (ValueError, KeyError, TypeError):
            log.warning("%s is not a valid manifest; starting an empty one", self._manifest_path)
            self._dirty = True
            return set()
        files: set[str] = set()
        for entry in entries:
            try:
                files.add(self._key(entry))
            except PublishError:
                # a hand-edited or damaged entry must never lead outside the folder
                log.warning("%s: ignoring entry %r", self._manifest_path, entry)
                self._dirty = True
        return files

    def _save_manifest(self) -> None:
        document = {"version": MANIFEST_VERSION, "files": sorted(self._files)}
        data = (json.dumps(document, indent=1) + "\n").encode("utf-8")
        try:
            _atomic_write(self._manifest_path, data)
        except OSError as exc:
            raise PublishError(
                f"cannot write {self._manifest_path}: {exc.strerror or exc}"
            ) from exc
        self._dirty = False

    def close(self) -> None:
        """Save the manifest if it changed since it was last saved."""
        if self._dirty:
            self._save_manifest()

    def __enter__(self) -> Publisher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- paths ----------------------------------------------------------------------

    @staticmethod
    def _key(rel_path: str) -> str:
        if not isinstance(rel_path, str):  # a damaged manifest; and not hashable for the cache
            raise PublishError(f"unsafe output path {rel_path!r}: not a path")
        return _checked_key(rel_path)

    def _folder(self, parts: tuple[str, ...], *, create: bool) -> Path | None:
        """The folder ``parts`` inside the output folder, refusing symbolic links.

        Missing folders are made when ``create``; otherwise ``None`` says one is missing.
        A folder found good is remembered for the life of this publisher (one cycle), so
        its parents are not checked again for every file.
        """
        known = self._folders.get(parts)
        if known is not None:
            return known
        if parts:
            parent = self._folder(parts[:-1], create=create)
            if parent is None:
                return None
            current, rest = parent, parts[-1:]
        else:
            current, rest = self.out_dir, ()
        for part in rest:
            current = current / part
            try:
                mode = os.lstat(current).st_mode
            except FileNotFoundError:
                if not create:
                    return None
                with contextlib.suppress(FileExistsError):
                    os.mkdir(current, FOLDER_MODE)
                mode = os.lstat(current).st_mode
            if stat.S_ISLNK(mode):
                raise PublishError(
                    f"{current} is a symbolic link; feedsvc does not follow links in the "
                    "output folder"
                )
            if not stat.S_ISDIR(mode):
                raise PublishError(f"{current} is in the way of a folder feedsvc needs")
        self._folders[parts] = current
        return current

    @staticmethod
    def _regular_file_mode(target: Path) -> int | None:
        """``target``'s mode if it exists; ``PublishError`` for a link or a non-file."""
        try:
            mode = os.lstat(target).st_mode
        except FileNotFoundError:
            return None
        if stat.S_ISLNK(mode):
            raise PublishError(
                f"{target} is a symbolic link; feedsvc does not follow links in the output folder"
            )
        if not stat.S_ISREG(mode):
            raise PublishError(f"{target} is not a regular file")
        return mode

    @staticmethod
    def _holds(target: Path, data: bytes) -> bool:
        fd = os.open(target, os.O_RDONLY | _NOFOLLOW | _BINARY)
        with os.fdopen(fd, "rb") as handle:
            if os.fstat(handle.fileno()).st_size != len(data):
                return False
            return handle.read(len(data) + 1) == data

    # --- writing and removing -------------------------------------------------------

    def _changed_target(self, key: str, data: bytes) -> Path | None:
        """Where ``key`` goes when its file does not hold ``data`` yet; ``None`` (counted as
        unchanged, and claimed in the manifest) when it already does."""
        path = PurePosixPath(key)
        target = self.out_dir / path
        try:
            folder = self._folder(path.parts[:-1], create=True)
            assert folder is not None
            self._remove_temp_files(path.parts[:-1])
            target = folder / path.name
            exists = self._regular_file_mode(target) is not None
            if exists and self._holds(target, data):
                self._unchanged += 1
                if key not in self._files:
                    self._files.add(key)  # nothing written: saving on close is enough
                    self._dirty = True
                return None
        except OSError as exc:
            raise PublishError(f"cannot write {target}: {exc.strerror or exc}") from exc
        return target

    def write(self, rel_path: str, data: bytes) -> bool:
        """Write ``data`` to ``rel_path`` unless the file already holds it; True if changed."""
        key = self._key(rel_path)
        target = self._changed_target(key, data)
        if target is None:
            return False
        try:
            if key not in self._files:
                self._files.add(key)
                self._save_manifest()  # listed before written: a crash leaves nothing unknown
            _atomic_write(target, data)
        except OSError as exc:
            raise PublishError(f"cannot write {target}: {exc.strerror or exc}") from exc
        self._written += 1
        return True

    def write_many(self, files: Mapping[str, bytes]) -> list[str]:
        """Write each ``path -> data`` whose file does not hold it yet; returns those paths.

        Every file still goes through a temporary file, ``fsync`` and ``os.replace`` (a
        reader sees the old bytes or the new ones), and every new path is in the manifest
        on disk before its file is written; but the manifest is saved once for the whole
        batch, the files are fsynced concurrently and each folder is fsynced once.
        """
        plan: list[tuple[str, Path, bytes]] = []
        for rel_path, data in files.items():
            key = self._key(rel_path)
            target = self._changed_target(key, data)
            if target is not None:
                plan.append((key, target, data))
        if not plan:
            return []
        new = [key for key, _, _ in plan if key not in self._files]
        if new:
            self._files.update(new)
            self._save_manifest()  # listed before written: a crash leaves nothing unknown
        temps: list[Path] = []  # temporary files in plan order; the first `moved` are in place
        fds: list[int] = []
        moved = 0
        target = plan[0][1]
        try:
            try:
                for _, target, data in plan:
                    temp = _temp_beside(target)
                    temps.append(temp)
                    fd = _write_temp(temp, data, sync=False)
                    assert fd is not None
                    fds.append(fd)
                _flush_batch(fds)
            finally:
                for fd in fds:
                    os.close(fd)
            for (_, target, _), temp in zip(plan, temps, strict=True):
                os.replace(temp, target)
                moved += 1
                self._written += 1
        except OSError as exc:
            raise PublishError(f"cannot write {target}: {exc.strerror or exc}") from exc
        finally:
            for temp in temps[moved:]:
                with contextlib.suppress(OSError):
                    os.unlink(temp)
        self._flush_renames(sorted({target.parent for _, target, _ in plan}))
        return [key for key, _, _ in plan]

    def _flush_renames(self, folders: list[Path]) -> None:
        """Make the renames into ``folders`` durable: one ``syncfs`` where there is one,
        else an fsync of each folder; best effort, like :func:`_fsync_dir`."""
        syncfs = _syncfs()
        if syncfs is not None:
            try:
                fd = os.open(self.out_dir, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
            except OSError:
                fd = -1
            if fd >= 0:
                try:
                    if syncfs(fd) == 0:
                        return
                finally:
                    os.close(fd)
        _fsync_dirs(folders)

    def remove_stale(self, keep: Iterable[str]) -> list[str]:
        """Remove files feedsvc wrote that are not in ``keep``, and the folders that emptied.

        Only files listed in the manifest are considered; anything else in the folder is
        left alone, and a folder is removed only when empty. Returns the removed paths.
        """
        # a valid path is its own key and every manifest entry is valid: no need to check
        # (and normalise) each kept path, only to intersect
        keep_keys = self._files.intersection(keep)
        removed: list[str] = []
        try:
            for key in sorted(self._files - keep_keys):
                self._remove_temp_files(tuple(key.split("/")[:-1]))
                if self._remove_file(key):
                    removed.append(key)
                self._files.discard(key)
                self._dirty = True
        finally:
            self.close()
        self._remove_empty_folders(removed)
        return removed

    def _remove_file(self, key: str) -> bool:
        path = PurePosixPath(key)
        try:
            folder = self._folder(path.parts[:-1], create=False)
            if folder is None:
                return False
            target = folder / path.name
            if self._regular_file_mode(target) is None:
                return False
            os.unlink(target)
        except PublishError as exc:
            log.warning("not removing %s: %s", key, exc)
            return False
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise PublishError(
                f"cannot remove {self.out_dir / path}: {exc.strerror or exc}"
            ) from exc
        return True

    def _remove_empty_folders(self, removed: Iterable[str]) -> None:
        folders = {
            parent
            for key in removed
            for parent in PurePosixPath(key).parents
            if parent != PurePosixPath(".")
        }
        for rel_folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
            try:
                folder = self._folder(rel_folder.parts, create=False)
            except PublishError:
                continue
            if folder is not None:
                # rmdir refuses a folder that holds anything: the user's files stay
                with contextlib.suppress(OSError):
                    os.rmdir(folder)
                    self._folders.pop(rel_folder.parts, None)

    def _remove_temp_files(self, rel_folder: tuple[str, ...]) -> None:
        """Remove our temporary files a crash left in ``rel_folder`` (once per publisher)."""
        if rel_folder in self._cleaned:
            return
        self._cleaned.add(rel_folder)
        try:
            folder = self._folder(rel_folder, create=False)
            if folder is None:
                return
            with os.scandir(folder) as entries:
                leftovers = [
                    e.path
                    for e in entries
                    if TEMP_NAME.match(e.name) and e.is_file(follow_symlinks=False)
                ]
            for leftover in leftovers:
                os.unlink(leftover)
                log.info("removed %s, left by an interrupted write", leftover)
        except (OSError, PublishError) as exc:
            where = "/".join(rel_folder) or "."
            log.warning("cannot clean temporary files in %s: %s", where, exc)
