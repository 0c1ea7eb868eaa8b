"""feedsvc benchmarks (issue 6): what a cycle costs, on the sample page and at scale.

    .venv/bin/python bench/run.py                 # everything; prints a Markdown table
    .venv/bin/python bench/run.py --quick         # fewer repeats, 10,000 synthetic entries
    .venv/bin/python bench/run.py --reclassify    # also: a topic change at scale (slow)

No network. Every measurement runs in a fresh Python process (``--worker``), so one
scenario's caches and memory do not flatter or burden another; a worker reports its time
(measured around the operation, after its imports) and its peak resident memory
(``ru_maxrss``). Figures are medians over the repeats.

The synthetic archive (``--entries``, default 100,000 briefs by 500 reporters, 10 byline
sections and 40 keyword topics, 4-6 paragraphs of 300-600 characters each) is generated
once with :meth:`feedsvc.archive.Archive.bulk_insert`, then published in full, and cached
under ``bench/.cache/`` keyed by :data:`GENERATOR_VERSION` and the entry count; every scale
scenario works on a copy of it (the output folder is copied as hard links, which is safe:
feedsvc replaces files, it never writes into one).
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import platform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / "bench" / ".cache"
SAMPLE = REPO / "feedsvc" / "sample" / "business-and-tech-live.html"
SEED_TXT = REPO / "tests" / "fixtures" / "business-and-tech-live.txt"
SAMPLE_URL = "https://www.caixinglobal.com/business-and-tech-live/"

#: Bump when the synthetic archive changes shape: the cache is keyed by it.
GENERATOR_VERSION = 4  # 4: the full publish stores rendered parts (schema step 4)
REPORTERS = 500
SECTIONS = (
    "Business & Tech", "Economy", "Finance", "World", "Politics & Law",
    "Environment", "Health", "Autos", "Energy", "Consumer",
)  # fmt: skip
SYNTHETIC_TOPICS = 30  # plus the 10 default keyword topics and the 10 sections: 50 topics
BEIJING = timezone(timedelta(hours=8))
BYLINE = re.compile(
    r"^[^\n/]*/ [A-Z][a-z]{2} \d{1,2}, \d{4} \d{1,2}:\d{2} [AP]M / [^\n]+$", re.MULTILINE
)


# --- the machine ------------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        import sqlite3

        sqlite = sqlite3.sqlite_version
    except ImportError:  # pragma: no cover
        sqlite = "?"
    return {
        "cpu": cpu,
        "cores": str(
            len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        ),
        "python": platform.python_version(),
        "os": platform.platform(),
        "sqlite": sqlite,
    }


def peak_rss_mb() -> float:
    """Peak resident memory of this process (Linux: KiB; macOS: bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


# --- settings and pages -----------------------------------------------------------------


def sample_settings(state: Path, out: Path) -> Any:
    from feedsvc.config import load_settings

    settings = load_settings(REPO / "config.toml", required=True)
    return replace(settings, state_path=state, output_dir=out)


def scale_settings(state: Path, out: Path) -> Any:
    """The repo's config plus 30 synthetic keyword topics; nothing is ever pruned."""
    from feedsvc.config import TopicRule

    settings = sample_settings(state, out)
    extra = tuple(
        TopicRule(
            slug=f"company-{n:02d}",
            title=f"Company group {n}",
            keywords=tuple(_company(n * 4 + i) for i in range(4)),
        )
        for n in range(SYNTHETIC_TOPICS)
    )
    return replace(settings, topics=(*settings.topics, *extra), retention_days=365_000)


def _company(n: int) -> str:
    syllables = ("zen", "tri", "qua", "vor", "lux", "mei", "ka", "dor", "sil", "nex", "po", "ra")
    return (syllables[n % 12] + syllables[(n // 12) % 12] + "tron").capitalize()


def seed_pages() -> tuple[str, str]:
    """The seed page as its plain-text capture: whole, and without its newest brief."""
    text = SEED_TXT.read_text("utf-8")
    starts = [m.start() for m in BYLINE.finditer(text)]
    return text, text[: starts[0]] + text[starts[1] :]


# --- the synthetic archive ---------------------------------------------------------------


def _vocabulary(avoid: set[str]) -> list[str]:
    """The seed's words with their natural frequencies, minus every keyword of a topic
    (a brief's topics come from the subjects put in on purpose, as in a real brief)."""
    words = re.findall(r"[A-Za-z][A-Za-z’'-]*|\d[\d.,%]*", SEED_TXT.read_text("utf-8"))
    return [w for w in words if len(w) < 20 and w.casefold() not in avoid]


def _subjects() -> list[list[str]]:
    """Per keyword topic, its one-word keywords: what a brief on that topic mentions."""
    settings = scale_settings(Path("unused"), Path("unused"))
    return [
        [k for k in rule.keywords if re.fullmatch(r"\w+", k)] or [rule.keywords[0]]
        for rule in settings.topics
    ]


def _reporters() -> list[str]:
    families = ("Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou",
                "Xu", "Sun", "Ma", "Zhu", "Hu", "Guo", "He", "Lin", "Gao", "Luo")  # fmt: skip
    given = ("Yi", "Ge", "Tong", "Wei", "Jing", "Min", "Hui", "Lei", "Yan", "Jun", "Ling",
             "Fang", "Qian", "Bo", "Xin", "Yu", "Tao", "Rui", "Chen", "Hao", "Lan", "Ning",
             "Ping", "Shan", "Kai")  # fmt: skip
    return [f"{f} {g}" for f in families for g in given][:REPORTERS]


def synthetic_briefs(count: int) -> Iterator[Any]:
    """``count`` distinct briefs, oldest first, one every ~15 minutes before the seed page."""
    from feedsvc.model import Brief

    rng = random.Random(GENERATOR_VERSION)
    subjects = _subjects()
    vocab = _vocabulary({k.casefold() for keywords in subjects for k in keywords})
    reporters = _reporters()
    # oldest first, as an archive grows; ~15 minutes apart, ending days before the seed page
    when = datetime(2021, 1, 10, 23, 0, tzinfo=BEIJING) - timedelta(minutes=15 * count)

    def sentence(subject: str | None = None) -> str:
        words = rng.choices(vocab, k=rng.randint(12, 26))
        if subject is not None:
            words[rng.randrange(len(words))] = subject
        text = " ".join(words)
        return text[0].upper() + text[1:] + "."

    def paragraph(subjects: list[str]) -> str:
        target = rng.randint(300, 600)
        parts: list[str] = [sentence(subject) for subject in subjects]
        while sum(len(p) + 1 for p in parts) < target:
            parts.append(sentence())
        return " ".join(parts)

    for _ in range(count):
        when += timedelta(minutes=rng.randint(5, 25))
        authors = tuple(rng.sample(reporters, 2 if rng.random() < 0.1 else 1))
        section = SECTIONS[min(int(rng.expovariate(0.35)), len(SECTIONS) - 1)]
        # 0-2 keyword topics per brief, named in the lead and again further down
        about = [rng.choice(k) for k in rng.sample(subjects, rng.choice((0, 1, 1, 1, 2)))]
        paragraphs = tuple(
            paragraph(about if i in (0, 2) else []) for i in range(rng.randint(4, 6))
        )
        headline = rng.random() < 0.5
        title = paragraphs[0].split(". ")[0][:90] if headline else paragraphs[1][:70] + "…"
        yield Brief(
            title=title,
            title_source="headline" if headline else "derived",
            authors=authors,
            published_at=when,
            section=section,
            paragraphs=paragraphs,
            byline=f"{', '.join(authors)} / {when:%b %d, %Y %I:%M %p} / {section}",
        )


def _scale_folder(entries: int) -> Path:
    # The archive and output were made by the feedsvc code of their time; other code would
    # see stale fingerprints and rebuild everything inside the timed cycle. So the cache is
    # keyed by the generator version and a hash of feedsvc's sources.
    sources = hashlib.sha256()
    for path in sorted((REPO / "feedsvc").rglob("*")):
        if path.is_file() and path.suffix in (".py", ".toml"):
            sources.update(path.read_bytes())
    return CACHE / f"scale-v{GENERATOR_VERSION}-{entries}-{sources.hexdigest()[:12]}"


def cached_scale(entries: int) -> tuple[Path, Path]:
    """(archive, output folder) with ``entries`` synthetic entries plus the seed page
    without its newest brief, fully published; generated once, then reused."""
    folder = _scale_folder(entries)
    state, out = folder / "feedsvc.sqlite3", folder / "output"
    if (folder / "done").exists():
        return state, out
    for stale in CACHE.glob(f"scale-*-{entries}-*"):  # made by other feedsvc code: ~1 GB each
        shutil.rmtree(stale, ignore_errors=True)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    print(f"generating {entries:,} synthetic entries into {folder} (once) ...", file=sys.stderr)
    started = time.perf_counter()
    argv = [sys.executable, __file__, "--worker", "generate", "--entries", str(entries)]
    done = subprocess.run([*argv, "--dir", str(folder)], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"generating the archive failed:\n{done.stderr}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    report["seconds"] = time.perf_counter() - started
    (folder / "done").write_text(json.dumps(report) + "\n")
    return state, out


def generation_report(entries: int) -> dict[str, Any]:
    text = (_scale_folder(entries) / "done").read_text().strip()
    try:
        return dict(json.loads(text))
    except ValueError:  # written by an earlier bench/run.py: the seconds only
        return {"seconds": float(text), "rss_mb": float("nan")}


def _generate(entries: int, folder: Path) -> dict[str, Any]:
    from feedsvc.archive import Archive
    from feedsvc.classify import Classifier
    from feedsvc.service import PageSource, run_cycle

    state, out = folder / "feedsvc.sqlite3", folder / "output"
    settings = scale_settings(state, out)
    classifier = Classifier(settings.topics, settings.feeds)

    def classified() -> Iterator[tuple[Any, Any, Any]]:
        for brief in synthetic_briefs(entries):
            topics = classifier.topics_for(brief)
            yield brief, topics, classifier.feeds_for(brief, topics)

    started = time.perf_counter()
    items = classified()
    seen_at = datetime.now(UTC)
    with Archive.open(state) as archive:
        # one transaction per 5,000 entries keeps the write-ahead log small
        while archive.bulk_insert(itertools.islice(items, 5000), page_url=SAMPLE_URL,
                                  seen_at=seen_at):  # fmt: skip
            pass
    inserted = time.perf_counter() - started
    _, without_newest = seed_pages()
    page = folder / "seed-without-newest.txt"
    page.write_text(without_newest, "utf-8")
    started = time.perf_counter()
    report = run_cycle(settings, sources=[PageSource(SAMPLE_URL, str(page))])
    return {
        "insert_s": inserted,
        "first_publish_s": time.perf_counter() - started,
        "files": report.files_written,
        "feeds": report.feeds_total,
        "db_mb": state.stat().st_size / 1e6,
    }


def copy_scale(entries: int, into: Path) -> tuple[Path, Path]:
    state, out = cached_scale(entries)
    into.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(state, into / state.name)
    # flush the fresh copy now: else the first fsync inside the measured cycle (SQLite's
    # checkpoint on close) pays for writing the whole copied file to disk
    fd = os.open(into / state.name, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    shutil.copytree(out, into / "output", copy_function=os.link, symlinks=True)
    shutil.copyfile(state.parent / "seed-without-newest.txt", into / "seed-without-newest.txt")
    return into / state.name, into / "output"


# --- workers: one measurement each, in a fresh process -----------------------------------


def _clear_data_caches() -> None:
    """Empty every cache of page or feed data in feedsvc (parsed dates, rendered entries...)."""
    import feedsvc.archive
    import feedsvc.classify
    import feedsvc.parse
    import feedsvc.publish
    import feedsvc.render

    feedsvc.render._PARTS.clear()
    modules = (feedsvc.parse, feedsvc.archive, feedsvc.render, feedsvc.classify, feedsvc.publish)
    for module in modules:
        for value in vars(module).values():
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()


def _timed(action: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def worker(name: str, args: argparse.Namespace) -> dict[str, Any]:
    from feedsvc.service import PageSource, run_cycle

    folder = Path(args.dir) if args.dir else None
    if name == "generate":
        assert folder is not None
        return _generate(args.entries, folder)
    if name == "parse":
        from feedsvc.parse import parse_page

        data = SAMPLE.read_bytes()
        times = []
        for _ in range(args.inner):
            seconds, result = _timed(
                lambda: parse_page(data, page_url=SAMPLE_URL, timezone="Asia/Shanghai")
            )
            times.append(seconds)
        return {"seconds": statistics.median(times), "briefs": len(result.briefs)}
    assert folder is not None
    sample = [PageSource(SAMPLE_URL, str(SAMPLE))]
    if name in ("build-full", "build-unchanged"):
        # In process: a warm interpreter (imports done, regexes compiled, by one build into a
        # folder of its own), then each timed build with the data caches emptied, so nothing
        # of an earlier build's briefs or feeds is reused. "full": a new, empty output folder
        # and archive each time; "unchanged": the same page again into the same folder.
        run_cycle(sample_settings(folder / "warm.sqlite3", folder / "warm"), sources=sample)
        times, reports = [], []
        for n in range(args.inner_builds):
            where = folder / (f"run-{n}" if name == "build-full" else "run")
            settings = sample_settings(where / "state.sqlite3", where / "output")
            if name == "build-unchanged" and n == 0:
                run_cycle(settings, sources=sample)
            _clear_data_caches()
            seconds, report = _timed(lambda settings=settings: run_cycle(settings, sources=sample))
            times.append(seconds)
            reports.append(report)
        seconds, report = statistics.median(times), reports[-1]
        if any(r.files_written != report.files_written for r in reports):
            raise SystemExit("builds of the same page wrote different numbers of files")
    else:
        settings = scale_settings(folder / "feedsvc.sqlite3", folder / "output")
        old_page = folder / "seed-without-newest.txt"
        if name == "scale-new-brief":
            page = folder / "seed.txt"
            page.write_text(seed_pages()[0], "utf-8")
        elif name == "scale-unchanged":
            page = old_page
        elif name == "scale-full-rebuild":
            page = old_page
            settings = replace(
                settings, site=replace(settings.site, base_url="https://feeds.example.org/cx/")
            )
        elif name == "scale-reclassify":
            page = old_page
            topics = settings.topics
            settings = replace(
                settings, topics=(*topics[:-1], replace(topics[-1], keywords=("Zenzentron",)))
            )
        else:
            raise SystemExit(f"unknown worker {name}")
        source = [PageSource(SAMPLE_URL, str(page))]
        seconds, report = _timed(lambda: run_cycle(settings, sources=source))
    return {
        "seconds": seconds,
        "files_written": report.files_written,
        "feeds_written": report.feeds_written,
        "feeds_total": report.feeds_total,
        "entries": report.entries_total,
        "new": report.new,
    }


def run_worker(name: str, *extra: str) -> dict[str, Any]:
    """Run one worker process; its report plus its own peak RSS."""
    done = subprocess.run(
        [sys.executable, __file__, "--worker", name, *extra],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"worker {name} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_process(argv: list[str]) -> tuple[float, float, int]:
    """Wall time, peak RSS (MB) and exit code of a whole process, cold start included."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=REPO)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{argv} failed: {proc.stderr.read().decode() if proc.stderr else ''}")
    if proc.stderr:
        proc.stderr.close()
    return seconds, usage.ru_maxrss / 1024, proc.returncode


# --- the table -----------------------------------------------------------------------------


class Row:
    def __init__(
        self, what: str, runs: list[dict[str, Any]], target_ms: float | None, note: str = ""
    ) -> None:
        self.what = what
        self.ms = statistics.median(r["seconds"] for r in runs) * 1000
        self.rss = max(r["rss_mb"] for r in runs)
        self.runs = len(runs)
        self.target_ms = target_ms
        self.note = note
        self.files = sorted({r["files_written"] for r in runs if "files_written" in r})

    def line(self) -> str:
        target = "" if self.target_ms is None else f"≤ {_fmt_ms(self.target_ms)}"
        ok = self.target_ms is None or self.ms <= self.target_ms
        rss_ok = self.rss <= 120 or self.target_ms is None
        verdict = "met" if ok and rss_ok else "**missed**"
        if self.target_ms is None and rss_ok:
            verdict = "(info)"
        files = ", ".join(map(str, self.files)) if self.files else "–"
        return (
            f"| {self.what} | {_fmt_ms(self.ms)} | {target} | {files} | {self.rss:.0f} MB | "
            f"{self.runs} | {verdict} | {self.note} |"
        )


def _fmt_ms(ms: float) -> str:
    return f"{ms / 1000:.2f} s" if ms >= 1000 else f"{ms:.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs per small scenario (7)")
    parser.add_argument("--scale-repeat", type=int, default=3, help="runs per scale scenario (3)")
    parser.add_argument("--entries", type=int, default=100_000, help="synthetic archive size")
    parser.add_argument("--quick", action="store_true", help="3 repeats, 10,000 entries")
    parser.add_argument("--reclassify", action="store_true", help="also time a topic change")
    parser.add_argument("--no-scale", action="store_true", help="skip the synthetic archive")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--dir", help=argparse.SUPPRESS)
    parser.add_argument("--inner", type=int, default=50, help=argparse.SUPPRESS)
    parser.add_argument("--inner-builds", type=int, default=15, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        result = worker(args.worker, args)
        result["rss_mb"] = peak_rss_mb()
        print(json.dumps(result))
        return 0
    if args.quick:
        args.repeat, args.scale_repeat, args.entries = 3, 1, min(args.entries, 10_000)

    rows: list[Row] = []
    problems: list[str] = []
    tmp = Path(tempfile.mkdtemp(prefix="feedsvc-bench-"))
    try:
        rows.append(Row("parse the sample page (in process)", [run_worker("parse")], 3))

        runs = []
        for n in range(args.repeat):
            runs.append(run_worker("build-full", "--dir", str(tmp / f"full-{n}")))
        rows.append(Row("full build of the sample page, empty output (in process)", runs, 60,
                        f"{runs[0]['feeds_total']} feeds"))  # fmt: skip
        again = [run_worker("build-unchanged", "--dir", str(tmp / f"again-{n}"))
                 for n in range(args.repeat)]  # fmt: skip
        rows.append(Row("second build of the same page (in process)", again, 10))
        if any(r["files_written"] for r in again):
            problems.append("the unchanged rebuild wrote files")

        feedsvc = Path(sys.executable).with_name("feedsvc")
        command = [str(feedsvc)] if feedsvc.exists() else [sys.executable, "-m", "feedsvc.cli"]
        runs = []
        for n in range(args.repeat):
            out = tmp / f"proc-{n}"
            seconds, rss, _ = run_process([
                *command, "build", "--config", str(REPO / "config.toml"),
                "--source", str(SAMPLE), "--out", str(out / "output"),
                "--state", str(out / "state.sqlite3"),
            ])  # fmt: skip
            runs.append({"seconds": seconds, "rss_mb": rss})
        rows.append(Row("`feedsvc build` of the sample page, whole process", runs, 600,
                        "cold start, empty output"))  # fmt: skip
        runs = []
        for _ in range(args.repeat):
            seconds, rss, _ = run_process([*command, "--help"])
            runs.append({"seconds": seconds, "rss_mb": rss})
        rows.append(Row("`feedsvc --help`, whole process", runs, 250))

        if not args.no_scale:
            state, _ = cached_scale(args.entries)
            generated = generation_report(args.entries)
            size = state.stat().st_size / 1e6
            label = f"{args.entries:,} entries"
            scale: list[tuple[str, str, float | None, str]] = [
                ("scale-new-brief", f"{label}: a page with 1 new brief", 150, ""),
                ("scale-unchanged", f"{label}: the same page again", None, ""),
                ("scale-full-rebuild", f"{label}: full rebuild of every feed", 10_000,
                 "`[site] base_url` changed"),
            ]  # fmt: skip
            if args.reclassify:
                scale.append(("scale-reclassify", f"{label}: a keyword topic changed", None,
                              "reclassify all + full rebuild"))  # fmt: skip
            for name, what, target, note in scale:
                runs = []
                repeat = 1 if name == "scale-reclassify" else args.scale_repeat
                for n in range(repeat):
                    folder = tmp / f"{name}-{n}"
                    copy_scale(args.entries, folder)
                    runs.append(run_worker(name, "--dir", str(folder)))
                    shutil.rmtree(folder, ignore_errors=True)
                feeds = runs[0]["feeds_written"], runs[0]["feeds_total"]
                note = "; ".join(x for x in (note, f"{feeds[0]} of {feeds[1]} feeds") if x)
                rows.append(Row(what, runs, target, note))
            note = f"bench tool, not a cycle; archive file {size:.0f} MB"
            rows.append(Row(f"{label}: generating the archive (cached, once)", [generated],
                            None, note))  # fmt: skip
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    info = machine()
    print(f"Machine: {info['cpu']}, {info['cores']} cores; Python {info['python']}; "
          f"SQLite {info['sqlite']}; {info['os']}")  # fmt: skip
    print()
    print("| scenario | median | target | files written | peak RSS | runs | | notes |")
    print("|---|---:|---:|---:|---:|---:|---|---|")
    for row in rows:
        print(row.line())
    for problem in problems:
        print(f"\nPROBLEM: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
