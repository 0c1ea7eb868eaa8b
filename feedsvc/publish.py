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
* temporary files a crash left behind are removed when the folder is next opened.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import secrets
import stat
from collections.abc import Iterable
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
        if any(ord(c) < 32 or c == "\x7f" for c in part):
            raise refuse("control character")
        if _WINDOWS_FORBIDDEN.intersection(part):
            raise refuse("character not allowed in file names")
        if part[-1] in ". ":
            raise refuse("name ends with a dot or space")
        if part.split(".", 1)[0].rstrip(" ").casefold() in WINDOWS_RESERVED_NAMES:
            raise refuse("name reserved on Windows")
    return PurePosixPath(*parts)


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


def _atomic_write(target: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``target``, then move it over ``target``."""
    temp = target.with_name(f".{target.name}.tmp-{secrets.token_hex(_TEMP_SUFFIX_BYTES)}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _BINARY, FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            if hasattr(os, "fchmod"):
                os.fchmod(handle.fileno(), FILE_MODE)  # O_CREAT's mode is cut by the umask
            else:  # pragma: no cover - Windows
                os.chmod(temp, FILE_MODE)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _fsync_dir(target.parent)


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
        self._dirty = False
        self._files = self._load_manifest()
        self._written = 0
        self._unchanged = 0
        self._remove_temp_files()

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
            raise PublishError(
                f"cannot read {self._manifest_path}: {exc.strerror or exc}"
            ) from exc
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
        path = safe_relative_path(rel_path)
        if path.as_posix() == MANIFEST_NAME or TEMP_NAME.match(path.name):
            raise PublishError(f"unsafe output path {rel_path!r}: name reserved by feedsvc")
        return path.as_posix()

    def _folder(self, parts: tuple[str, ...], *, create: bool) -> Path | None:
        """The folder ``parts`` inside the output folder, refusing symbolic links.

        Missing folders are made when ``create``; otherwise ``None`` says one is missing.
        """
        current = self.out_dir
        for part in parts:
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

    def write(self, rel_path: str, data: bytes) -> bool:
        """Write ``data`` to ``rel_path`` unless the file already holds it; True if changed."""
        key = self._key(rel_path)
        path = PurePosixPath(key)
        target = self.out_dir / path
        try:
            folder = self._folder(path.parts[:-1], create=True)
            assert folder is not None
            target = folder / path.name
            exists = self._regular_file_mode(target) is not None
            if exists and self._holds(target, data):
                self._unchanged += 1
                if key not in self._files:
                    self._files.add(key)  # nothing written: saving on close is enough
                    self._dirty = True
                return False
            if key not in self._files:
                self._files.add(key)
                self._save_manifest()  # listed before written: a crash leaves nothing unknown
            _atomic_write(target, data)
        except OSError as exc:
            raise PublishError(f"cannot write {target}: {exc.strerror or exc}") from exc
        self._written += 1
        return True

    def remove_stale(self, keep: Iterable[str]) -> list[str]:
        """Remove files feedsvc wrote that are not in ``keep``, and the folders that emptied.

        Only files listed in the manifest are considered; anything else in the folder is
        left alone, and a folder is removed only when empty. Returns the removed paths.
        """
        keep_keys: set[str] = set()
        for rel_path in keep:
            with contextlib.suppress(PublishError):
                keep_keys.add(self._key(rel_path))
        removed: list[str] = []
        try:
            for key in sorted(self._files - keep_keys):
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

    def _remove_temp_files(self) -> None:
        """Remove our temporary files a crash left in the folders feedsvc writes to."""
        folders = {PurePosixPath(key).parent for key in self._files} | {PurePosixPath(".")}
        for rel_folder in sorted(folders):
            try:
                folder = self._folder(rel_folder.parts, create=False)
                if folder is None:
                    continue
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
                log.warning("cannot clean temporary files in %s: %s", rel_folder, exc)
