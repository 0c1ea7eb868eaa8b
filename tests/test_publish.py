"""Tests of feedsvc.publish: real files in tmp_path."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

import pytest

from feedsvc import publish
from feedsvc.errors import PublishError
from feedsvc.publish import MANIFEST_NAME, Publisher, safe_relative_path


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return tmp_path / "site" / "output"


def tree(root: Path) -> dict[str, bytes | None]:
    """Every file (bytes) and folder (None) under ``root``, by relative path."""
    found: dict[str, bytes | None] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        found[rel] = None if path.is_dir() and not path.is_symlink() else path.read_bytes()
    return found


def manifest(out: Path) -> list[str]:
    files: list[str] = json.loads((out / MANIFEST_NAME).read_text())["files"]
    return files


def temp_files(root: Path) -> list[str]:
    return [p.name for p in root.rglob("*") if publish.TEMP_NAME.match(p.name)]


@pytest.fixture
def umask_077() -> Iterator[None]:
    old = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(old)


# --- writing ------------------------------------------------------------------------------


def test_publisher_creates_the_output_folder(out: Path) -> None:
    with Publisher(out):
        pass
    assert out.is_dir()


def test_write_creates_a_new_file_and_its_folders(out: Path) -> None:
    with Publisher(out) as publisher:
        assert publisher.write("topics/business-tech/atom.xml", b"<feed/>") is True
        assert (publisher.written, publisher.unchanged) == (1, 0)
    assert (out / "topics/business-tech/atom.xml").read_bytes() == b"<feed/>"


def test_write_of_identical_bytes_leaves_the_file_alone(out: Path) -> None:
    with Publisher(out) as publisher:
        publisher.write("atom.xml", b"<feed/>")
    target = out / "atom.xml"
    os.utime(target, ns=(1_000_000_000, 1_000_000_000))  # an old mtime a rewrite would change
    before = target.stat()
    with Publisher(out) as publisher:
        assert publisher.write("atom.xml", b"<feed/>") is False
        assert (publisher.written, publisher.unchanged) == (0, 1)
    after = target.stat()
    assert (after.st_mtime_ns, after.st_ino) == (before.st_mtime_ns, before.st_ino)


def test_write_of_new_bytes_replaces_the_file_through_a_temp_file(
    out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Publisher(out) as publisher:
        publisher.write("topics/ev/rss.xml", b"old")
    target = out / "topics/ev/rss.xml"
    old_inode = target.stat().st_ino
    seen: list[tuple[Path, bytes, bytes, int]] = []
    real_replace = os.replace

    def spy(src: str | Path, dst: str | Path) -> None:
        if Path(dst) == target:
            # at the moment of the swap: the target is still whole-old, the temp whole-new
            seen.append(
                (
                    Path(src),
                    Path(src).read_bytes(),
                    target.read_bytes(),
                    stat.S_IMODE(os.stat(src).st_mode),
                )
            )
        real_replace(src, dst)

    monkeypatch.setattr(publish.os, "replace", spy)
    with Publisher(out) as publisher:
        assert publisher.write("topics/ev/rss.xml", b"new and longer") is True
    [(temp, temp_bytes, target_bytes, mode)] = seen
    assert temp.parent == target.parent
    assert publish.TEMP_NAME.match(temp.name) and temp.name.startswith(".rss.xml.tmp-")
    assert (temp_bytes, target_bytes, mode) == (b"new and longer", b"old", 0o644)
    assert target.read_bytes() == b"new and longer"
    assert target.stat().st_ino != old_inode
    assert temp_files(out) == []


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temp_file(
    out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Publisher(out) as publisher:
        publisher.write("atom.xml", b"old")

    def fail(src: str | Path, dst: str | Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(publish.os, "replace", fail)
    with Publisher(out) as publisher, pytest.raises(PublishError) as caught:
        publisher.write("atom.xml", b"new")
    assert "atom.xml" in str(caught.value) and "No space left" in str(caught.value)
    assert "\n" not in str(caught.value)
    assert (out / "atom.xml").read_bytes() == b"old"
    assert temp_files(out) == []


def test_a_new_path_is_in_the_manifest_on_disk_before_its_file_is_written(
    out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_replace = os.replace
    listed_when_written: list[list[str]] = []

    def spy(src: str | Path, dst: str | Path) -> None:
        if Path(dst).name == "atom.xml":
            listed_when_written.append(manifest(out))
            raise OSError(5, "Input/output error")  # the "crash"
        real_replace(src, dst)

    monkeypatch.setattr(publish.os, "replace", spy)
    publisher = Publisher(out)
    with pytest.raises(PublishError):
        publisher.write("reporters/ding-yi/atom.xml", b"<feed/>")
    assert listed_when_written == [["reporters/ding-yi/atom.xml"]]


def test_files_are_mode_0644_whatever_the_umask(out: Path, umask_077: None) -> None:
    with Publisher(out) as publisher:
        publisher.write("feed.json", b"{}")
        publisher.write("feed.json", b"{ }")
    assert stat.S_IMODE((out / "feed.json").stat().st_mode) == 0o644


def test_an_identical_file_not_yet_in_the_manifest_is_claimed(out: Path) -> None:
    out.mkdir(parents=True)
    (out / "index.html").write_bytes(b"<html/>")
    with Publisher(out) as publisher:
        assert publisher.write("index.html", b"<html/>") is False
    assert manifest(out) == ["index.html"]


def test_a_file_in_the_way_of_a_folder_is_a_publish_error(out: Path) -> None:
    with Publisher(out) as publisher:
        publisher.write("topics", b"a file")
        with pytest.raises(PublishError, match="topics"):
            publisher.write("topics/ev/atom.xml", b"<feed/>")


def test_manifest_and_temp_names_cannot_be_written(out: Path) -> None:
    with Publisher(out) as publisher:
        for name in (MANIFEST_NAME, "topics/.atom.xml.tmp-0123456789ab"):
            with pytest.raises(PublishError, match="reserved by feedsvc"):
                publisher.write(name, b"x")


# --- paths that would leave the folder ----------------------------------------------------


@pytest.mark.parametrize(
    "rel_path",
    [
        "",
        "/etc/passwd",
        "../outside.xml",
        "topics/../../outside.xml",
        "topics/..",
        "./atom.xml",
        "topics//atom.xml",
        "topics/",
        "topics\\..\\..\\outside.xml",
        "atom\x00.xml",
        "atom\n.xml",
        "C:/Windows/atom.xml",
        "c:atom.xml",
        "topics/a:b.xml",
        "con",
        "topics/CON.xml",
        "aux/atom.xml",
        "reporters/lpt1",
        "reporters/Com9.json",
        "atom.xml.",
        "atom.xml ",
        "what?.xml",
    ],
)
def test_safe_relative_path_refuses(rel_path: str) -> None:
    with pytest.raises(PublishError, match="unsafe output path"):
        safe_relative_path(rel_path)


@pytest.mark.parametrize(
    "rel_path", ["atom.xml", "topics/business-tech/feed.json", ".well-known/x", "a.b.c", "x-con"]
)
def test_safe_relative_path_accepts(rel_path: str) -> None:
    assert safe_relative_path(rel_path) == PurePosixPath(rel_path)


@pytest.mark.parametrize("rel_path", ["../evil.xml", "topics/../../evil.xml", "/tmp/evil.xml"])
def test_a_traversal_path_writes_nothing_outside(out: Path, rel_path: str) -> None:
    site = out.parent
    with Publisher(out) as publisher:
        before = tree(site)
        with pytest.raises(PublishError):
            publisher.write(rel_path, b"evil")
        assert tree(site) == before


def test_a_symlinked_folder_pointing_outside_is_refused(out: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    out.mkdir(parents=True)
    (out / "topics").symlink_to(outside, target_is_directory=True)
    with Publisher(out) as publisher, pytest.raises(PublishError, match="symbolic link"):
        publisher.write("topics/ev/atom.xml", b"<feed/>")
    assert list(outside.iterdir()) == []


def test_a_symlinked_target_file_is_refused(out: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"secret")
    out.mkdir(parents=True)
    (out / "atom.xml").symlink_to(secret)
    with Publisher(out) as publisher, pytest.raises(PublishError, match="symbolic link"):
        publisher.write("atom.xml", b"<feed/>")
    assert secret.read_bytes() == b"secret"
    assert (out / "atom.xml").is_symlink()


def test_an_output_folder_that_is_itself_a_symlink_is_fine(tmp_path: Path) -> None:
    real = tmp_path / "www"
    real.mkdir()
    (tmp_path / "link").symlink_to(real, target_is_directory=True)
    with Publisher(tmp_path / "link") as publisher:
        publisher.write("atom.xml", b"<feed/>")
    assert (real / "atom.xml").read_bytes() == b"<feed/>"


# --- removing stale files -----------------------------------------------------------------


def user_files(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "robots.txt").write_bytes(b"User-agent: *\n")
    (out / "topics").mkdir(exist_ok=True)
    (out / "topics/mine.html").write_bytes(b"<p>mine</p>")


def test_remove_stale_removes_only_files_feedsvc_wrote(out: Path) -> None:
    user_files(out)
    with Publisher(out) as publisher:
        publisher.write("topics/ev/atom.xml", b"ev")
        publisher.write("topics/ipos/atom.xml", b"ipos")
        publisher.write("index.html", b"index")
    with Publisher(out) as publisher:
        removed = publisher.remove_stale(["topics/ev/atom.xml"])
    assert removed == ["index.html", "topics/ipos/atom.xml"]
    assert tree(out) == {
        MANIFEST_NAME: (out / MANIFEST_NAME).read_bytes(),
        "robots.txt": b"User-agent: *\n",
        "topics": None,
        "topics/ev": None,
        "topics/ev/atom.xml": b"ev",
        "topics/mine.html": b"<p>mine</p>",
    }
    assert manifest(out) == ["topics/ev/atom.xml"]


def test_remove_stale_removes_emptied_folders_but_not_folders_with_user_files(
    out: Path,
) -> None:
    user_files(out)
    (out / "reporters/ding-yi").mkdir(parents=True)
    (out / "reporters/ding-yi/notes.txt").write_bytes(b"mine")
    with Publisher(out) as publisher:
        for folder in ("topics/ev", "reporters/ding-yi", "reporters/anniek-bao", "feeds/x/y"):
            publisher.write(f"{folder}/atom.xml", b"<feed/>")
            publisher.write(f"{folder}/rss.xml", b"<rss/>")
        publisher.remove_stale([])
    assert tree(out) == {
        MANIFEST_NAME: (out / MANIFEST_NAME).read_bytes(),
        "reporters": None,
        "reporters/ding-yi": None,
        "reporters/ding-yi/notes.txt": b"mine",
        "robots.txt": b"User-agent: *\n",
        "topics": None,
        "topics/mine.html": b"<p>mine</p>",
    }


def test_remove_stale_leaves_a_user_folder_that_was_empty_before(out: Path) -> None:
    (out / "topics/empty").mkdir(parents=True)
    with Publisher(out) as publisher:
        publisher.write("topics/ev/atom.xml", b"<feed/>")
        publisher.remove_stale([])
    assert (out / "topics/empty").is_dir()


def test_remove_stale_forgets_removed_and_missing_files(out: Path) -> None:
    with Publisher(out) as publisher:
        publisher.write("a.xml", b"a")
        publisher.write("b.xml", b"b")
    (out / "b.xml").unlink()  # removed by hand
    with Publisher(out) as publisher:
        assert publisher.remove_stale([]) == ["a.xml"]
        assert publisher.remove_stale([]) == []
    assert manifest(out) == []


def test_remove_stale_does_not_follow_a_symlink_put_in_place_of_a_file(
    out: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"secret")
    with Publisher(out) as publisher:
        publisher.write("topics/ev/atom.xml", b"<feed/>")
    (out / "topics/ev/atom.xml").unlink()
    (out / "topics/ev/atom.xml").symlink_to(secret)
    with Publisher(out) as publisher:
        assert publisher.remove_stale([]) == []
    assert secret.read_bytes() == b"secret"
    assert (out / "topics/ev/atom.xml").is_symlink()


# --- the manifest and leftovers -----------------------------------------------------------


def test_a_corrupt_manifest_is_treated_as_empty_and_rewritten(out: Path) -> None:
    user_files(out)
    (out / MANIFEST_NAME).write_bytes(b"{not json")
    with Publisher(out) as publisher:
        assert publisher.files == frozenset()
        assert publisher.remove_stale([]) == []
    assert manifest(out) == []
    assert (out / "robots.txt").exists() and (out / "topics/mine.html").exists()


@pytest.mark.parametrize(
    "document", ['{"files": 3}', "[1, 2]", '{"files": [["a"], {"b": 1}]}', '"text"', "null", ""]
)
def test_a_manifest_of_the_wrong_shape_is_treated_as_empty(out: Path, document: str) -> None:
    out.mkdir(parents=True)
    (out / MANIFEST_NAME).write_text(document)
    with Publisher(out) as publisher:
        assert publisher.files == frozenset()
    assert manifest(out) == []


def test_manifest_entries_outside_the_folder_are_ignored(out: Path, tmp_path: Path) -> None:
    victim = tmp_path / "site" / "victim.txt"
    victim.parent.mkdir(parents=True)
    victim.write_bytes(b"keep me")
    out.mkdir(parents=True)
    entries = ["../victim.txt", str(victim), "ok.xml"]
    (out / MANIFEST_NAME).write_text(json.dumps({"version": 1, "files": entries}))
    (out / "ok.xml").write_bytes(b"ours")
    with Publisher(out) as publisher:
        assert publisher.remove_stale([]) == ["ok.xml"]
    assert victim.read_bytes() == b"keep me"


def test_leftover_temp_files_are_removed_when_their_folder_is_next_published(
    out: Path,
) -> None:
    with Publisher(out) as publisher:
        publisher.write("topics/ev/atom.xml", b"<feed/>")
    ours = [
        out / "topics/ev/.atom.xml.tmp-0123456789ab",
        out / f".{MANIFEST_NAME}.tmp-a1b2c3d4e5f6",
    ]
    not_ours = [
        out / "topics/ev/.atom.xml.tmp-mine",  # not our random part
        out / "topics/ev/atom.xml.tmp-0123456789ab",  # no leading dot
        out / "topics/ev/.notes.tmp-0123456789abcd",  # too long
    ]
    for path in ours + not_ours:
        path.write_bytes(b"partial")
    with Publisher(out):
        pass  # the top folder is cleaned on open; a feed's folder when it is published
    assert [p.exists() for p in ours] == [True, False]
    with Publisher(out) as publisher:
        publisher.write_many({"topics/ev/atom.xml": b"<feed/>"})  # unchanged: still cleaned
    assert [p.exists() for p in ours] == [False, False]
    assert [p.exists() for p in not_ours] == [True, True, True]


def test_leftover_temp_files_go_with_the_files_of_a_removed_feed(out: Path) -> None:
    with Publisher(out) as publisher:
        publisher.write("topics/ev/atom.xml", b"<feed/>")
    leftover = out / "topics/ev/.rss.xml.tmp-0123456789ab"
    leftover.write_bytes(b"partial")
    with Publisher(out) as publisher:
        assert publisher.remove_stale([]) == ["topics/ev/atom.xml"]
    assert not leftover.exists()
    assert not (out / "topics").exists()  # emptied, so removed


def test_temp_files_are_left_alone_in_folders_feedsvc_does_not_write_to(out: Path) -> None:
    (out / "user").mkdir(parents=True)
    (out / "user/.page.html.tmp-0123456789ab").write_bytes(b"the user's editor")
    with Publisher(out):
        pass
    assert (out / "user/.page.html.tmp-0123456789ab").exists()


def test_close_saves_the_manifest_and_a_clean_close_writes_nothing(out: Path) -> None:
    with Publisher(out) as publisher:
        publisher.write("atom.xml", b"<feed/>")
    saved = (out / MANIFEST_NAME).stat()
    with Publisher(out):
        pass
    assert (out / MANIFEST_NAME).stat().st_ino == saved.st_ino
    assert manifest(out) == ["atom.xml"]


def test_an_output_folder_that_is_a_file_is_a_publish_error(tmp_path: Path) -> None:
    (tmp_path / "output").write_bytes(b"")
    with pytest.raises(PublishError, match="output"):
        Publisher(tmp_path / "output")


# --- batches ------------------------------------------------------------------------------


def test_write_many_writes_changed_files_and_leaves_identical_ones(out: Path) -> None:
    with Publisher(out) as publisher:
        publisher.write("atom.xml", b"same")
        publisher.write("topics/ev/rss.xml", b"old")
    mtime = (out / "atom.xml").stat().st_mtime_ns
    with Publisher(out) as publisher:
        changed = publisher.write_many(
            {"atom.xml": b"same", "topics/ev/rss.xml": b"new", "reporters/x/feed.json": b"{}"}
        )
        assert changed == ["topics/ev/rss.xml", "reporters/x/feed.json"]
        assert (publisher.written, publisher.unchanged) == (2, 1)
    assert (out / "atom.xml").stat().st_mtime_ns == mtime
    assert (out / "topics/ev/rss.xml").read_bytes() == b"new"
    assert (out / "reporters/x/feed.json").read_bytes() == b"{}"
    assert sorted(manifest(out)) == ["atom.xml", "reporters/x/feed.json", "topics/ev/rss.xml"]
    assert temp_files(out) == []
    for name in ("topics/ev/rss.xml", "reporters/x/feed.json"):
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o644


def test_write_many_lists_every_new_path_in_one_manifest_write_before_any_file(
    out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_replace = os.replace
    listed_when_written: list[list[str]] = []

    def spy(src: str | Path, dst: str | Path) -> None:
        if Path(dst).name != MANIFEST_NAME:
            listed_when_written.append(sorted(manifest(out)))
        real_replace(src, dst)

    monkeypatch.setattr(publish.os, "replace", spy)
    files = {f"reporters/r{n}/atom.xml": b"<feed/>" for n in range(20)}
    with Publisher(out) as publisher:
        assert len(publisher.write_many(files)) == 20
    assert listed_when_written == [sorted(files)] * 20


def test_a_failed_batch_keeps_old_files_and_leaves_no_temp_file(
    out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Publisher(out) as publisher:
        publisher.write_many({"a/atom.xml": b"old a", "b/atom.xml": b"old b"})
    real_replace = os.replace
    calls = []

    def fail_second(src: str | Path, dst: str | Path) -> None:
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(publish.os, "replace", fail_second)
    with Publisher(out) as publisher, pytest.raises(PublishError) as caught:
        publisher.write_many({"a/atom.xml": b"new a", "b/atom.xml": b"new b"})
    assert "b/atom.xml" in str(caught.value) and "No space left" in str(caught.value)
    assert (out / "a/atom.xml").read_bytes() == b"new a"  # whole old or whole new
    assert (out / "b/atom.xml").read_bytes() == b"old b"
    assert temp_files(out) == []


def test_a_failed_fsync_in_a_batch_writes_nothing(
    out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = ["atom.xml", *(f"r/{n}.xml" for n in range(5))]
    with Publisher(out) as publisher:
        publisher.write_many({path: b"old" for path in paths})
    fsynced: list[int] = []

    def fail(fd: int) -> None:
        fsynced.append(fd)
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(publish.os, "fsync", fail)
    monkeypatch.setattr(publish, "_syncfs", lambda: None)  # a system without syncfs(2)
    with pytest.raises(PublishError, match="Input/output error"):
        Publisher(out).write_many({path: b"new" for path in paths})
    assert fsynced  # the files' fsync failed, not the manifest's (no new path)
    assert all((out / path).read_bytes() == b"old" for path in paths)
    assert temp_files(out) == []


def test_a_failed_syncfs_falls_back_to_fsync_and_its_error_writes_nothing(
    out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = ["atom.xml", "r/1.xml"]
    with Publisher(out) as publisher:
        publisher.write_many({path: b"old" for path in paths})
    synced: list[int] = []

    def fail(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(publish, "_syncfs", lambda: lambda fd: synced.append(fd) or -1)
    monkeypatch.setattr(publish.os, "fsync", fail)
    with pytest.raises(PublishError, match="Input/output error"):
        Publisher(out).write_many({path: b"new" for path in paths})
    assert synced
    assert all((out / path).read_bytes() == b"old" for path in paths)


def test_a_batch_is_flushed_with_one_syncfs_where_linux_has_it(
    out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if publish._syncfs() is None:
        pytest.skip("no syncfs(2) here")
    fsynced: list[int] = []
    monkeypatch.setattr(publish.os, "fsync", fsynced.append)
    with Publisher(out) as publisher:
        publisher.write_many({f"r/{n}.xml": b"x" for n in range(20)})
    assert len(fsynced) <= 2  # the manifest's own atomic writes, not one per file
    assert sorted(p.name for p in (out / "r").iterdir()) == sorted(f"{n}.xml" for n in range(20))


def test_a_batch_refuses_an_unsafe_path_before_writing_anything(out: Path) -> None:
    with Publisher(out) as publisher, pytest.raises(PublishError):
        publisher.write_many({"ok/atom.xml": b"x", "../escape.xml": b"x"})
    assert not (out / "ok/atom.xml").exists()
