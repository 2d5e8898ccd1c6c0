"""Timeline of one build (not a test): where the time of ``build YEAR`` goes, step by step.

Runs the CLI in this process with the build's steps wrapped by timers, after ``make clean`` (a
cold build, LibreOffice's profiles and the bytecode kept; ``--warm``: without it); each LibreOffice
worker's start, readiness and answers are stamped as they arrive. Prints one line per step:
when it started and ended (seconds since the process started) and which thread ran it.

    .venv/bin/python tools/timeline.py [YEAR] [--warm] [--workers=N]
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import os
import sys
import threading
import time
from pathlib import Path

ZERO = time.perf_counter()
try:  # the process's own start, before the interpreter was up: from /proc
    with open("/proc/self/stat") as stat:
        STARTED_TICKS = int(stat.read().rsplit(")", 1)[1].split()[19])
    with open("/proc/uptime") as up:
        UPTIME = float(up.read().split()[0])
    BOOT = UPTIME - STARTED_TICKS / os.sysconf("SC_CLK_TCK")  # seconds since the process started
except OSError:
    BOOT = 0.0
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ROWS: list[tuple[float, float, str, str]] = []


def now() -> float:
    return time.perf_counter() - ZERO + BOOT


def stamp(name: str, start: float, end: float | None = None) -> None:
    ROWS.append((start, now() if end is None else end, threading.current_thread().name, name))


def wrap(owner, attr: str, label=None) -> None:
    original = getattr(owner, attr)
    is_static = isinstance(owner.__dict__.get(attr), staticmethod) if isinstance(owner, type) else False

    @functools.wraps(original)
    def timed(*args, **kwargs):
        start = now()
        try:
            return original(*args, **kwargs)
        finally:
            stamp(label(*args, **kwargs) if label else f"{getattr(owner, '__name__', owner)}.{attr}", start)

    setattr(owner, attr, staticmethod(timed) if is_static else timed)


def instrument() -> None:
    stamp("python start (interpreter, site)", 0.0, BOOT)
    start = now()
    from pipeline import build, cli, publish  # noqa: F401 (the CLI's imports, timed)
    from pipeline.office import libreoffice

    stamp("imports of the CLI", start)
    for name in ("recover", "taken", "keep_signed", "publish"):
        wrap(publish, name)
    for name in ("_load", "_said", "_signed_originals", "_stale"):
        wrap(build, name)
    ids: dict[int, int] = {}

    def worker(session) -> str:
        return f"LO{ids.setdefault(id(session), len(ids) + 1)}"

    wrap(libreoffice.Session, "_spawn", lambda self: f"{worker(self)} spawned")
    wrap(libreoffice.Pool, "close")
    original_read = libreoffice.Session._read

    def read(stream, answers, errors, told=None):
        if answers is None:
            return original_read(stream, answers, errors, told)
        owner = next((s for s in _sessions if s.proc is not None and s.proc.stdout is stream), None)
        label = worker(owner) if owner else "LO?"
        last = [now()]

        def each():
            for line in stream:
                t = now()
                what = "ready" if '"ready"' in line else "converted " + Path(line.split('"source": "')[-1].split('"')[0]).name
                stamp(f"{label} {what}", last[0], t)
                last[0] = t
                yield line

        return original_read(each(), answers, errors, told)

    libreoffice.Session._read = staticmethod(read)
    _sessions: list = []
    init = libreoffice.Session.__init__

    def kept(self, *args, **kwargs):
        init(self, *args, **kwargs)
        _sessions.append(self)

    libreoffice.Session.__init__ = kept
    original_send = libreoffice.Session.send

    def send(self, doc, pdf):
        stamp(f"{worker(self)} sent {doc.name}", now(), now())
        return original_send(self, doc, pdf)

    libreoffice.Session.send = send

    sys.meta_path.insert(0, _Hook())


class _Hook:
    """The document libraries, imported by the build itself once there is work (``from pipeline
    import cache, dossier, schedule``): their import timed, and their steps wrapped once loaded."""

    started: float | None = None

    def find_spec(self, name, path=None, target=None):
        if name == "pipeline.cache" and self.started is None:
            self.started = now()
        if name != "pipeline.schedule":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        load = spec.loader.exec_module

        def exec_module(module):
            load(module)
            stamp("imports: document libraries (cache, dossier, schedule)", self.started)
            _documents()

        spec.loader.exec_module = exec_module
        return spec


def _documents() -> None:
    from pipeline import dossier, originals_status, schedule, templates
    from pipeline.convention import model
    from pipeline.pdf import assemble, pieces, reproducible, signing

    wrap(model, "load")
    wrap(dossier.YearBuild, "__post_init__", lambda self: "YearBuild: plan, signed originals found")
    wrap(originals_status, "read_original")
    wrap(originals_status, "statuses")
    wrap(dossier, "render_one", lambda job, key, pages: f"fill {key}" + (" (pages)" if pages else ""))
    wrap(dossier, "stage_office_pieces")
    wrap(dossier, "prepare_pieces")
    wrap(dossier, "open_converted", lambda job, key: f"open {key}")
    wrap(dossier, "assemble_dossier")
    wrap(dossier, "check_originals")
    wrap(pieces, "normalise", lambda source, *a, **k: f"piece {Path(source).name}")
    wrap(assemble, "prepare")
    wrap(assemble, "assemble")
    wrap(reproducible, "normalise_pdf", lambda pdf, *a, **k: f"normalise {Path(pdf).name}")
    wrap(signing, "write_with_fields", lambda pdf, *a, **k: f"fields {Path(pdf).name}")
    wrap(templates, "text_disagreements")
    wrap(schedule.Schedule, "run")
    wrap(schedule.Schedule, "_advance")


def main() -> None:
    year = next((a for a in sys.argv[1:] if a.isdigit()), "2023")
    warm = "--warm" in sys.argv
    outputs = ROOT / "outputs"
    if not warm:  # cleaned, then this tool again in a new process: the clean is not in its times
        import subprocess

        subprocess.run(["make", "--no-print-directory", "clean"], cwd=ROOT, check=True, capture_output=True)
        os.execv(sys.executable, [sys.executable, __file__, *sys.argv[1:], "--warm"])
    instrument()
    from pipeline import cli
    from pipeline.office import libreoffice

    count = next((int(a.split("=")[1]) for a in sys.argv[1:] if a.startswith("--workers=")), None)
    if count:
        libreoffice.workers = lambda: count

    sys.argv = ["pipeline", "--outputs", str(outputs), "build", year]
    try:
        cli.main()
    except SystemExit as exc:
        if exc.code:
            raise
    finally:
        stamp("end", now(), now())
        report()


def report() -> None:
    print(f"{'start':>6} {'end':>6} {'dur':>6}  {'thread':<12} step", file=sys.stderr)
    for start, end, thread, name in sorted(ROWS):
        print(f"{start:6.2f} {end:6.2f} {end - start:6.2f}  {thread[:12]:<12} {name}", file=sys.stderr)


if __name__ == "__main__":
    main()
