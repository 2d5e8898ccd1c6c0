"""The tests' shared helpers: the shipped inputs' places, the CLI as staff run it, a build with
the real LibreOffice, data made final, documents' text. Plain functions, imported by name
(``from helpers import …``); the fixtures and hooks stay in conftest.py."""

from __future__ import annotations

import functools
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INPUTS = ROOT / "inputs" / "amp-arhlm-2022-2024"
TEMPLATES = ROOT / "templates"
CONV = INPUTS.name  # outputs/<convention>/<YEAR>/


@functools.cache
def shipped_stems() -> dict[int, list[str]]:
    """The documents of each dossier of the shipped convention, from its catalogue and plan: year
    N holds the call and COPIL of N and the bilan of N-1 (none the first year), 2025 is the
    closing dossier (test_build and test_cycle state these expectations on their own). Read on
    first use (every year loaded: a third of a second), not when any test runs. Do not mutate."""
    from pipeline.convention import documents, model

    return {year: [d.stem for d in documents.plan(model.load(INPUTS, year))] for year in model.dossier_years(INPUTS)}


def run_cli(*args: str, cwd: Path = ROOT, env: dict | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    """The CLI as staff run it: python -m pipeline …"""
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=timeout
    )


def cli(*args: str, cwd: Path | None = None, env: dict | None = None, input: str | None = None) -> subprocess.CompletedProcess:
    """The CLI run in this process (``python -m pipeline``'s own ``main``, its errors turned into a
    line and an exit code), through Click's test runner: as ``run_cli`` says it, without starting
    Python again (a second or more per call). ``env``: the variables changed for this run only
    (None removes one); ``cwd``: the folder it runs in. What ``main`` changes of the process (signal
    handlers, loggers' levels, warning filters, a frozen collector) is put back afterwards, so
    that tests run in any order. For the process itself (exit codes as a shell sees them,
    signals, LibreOffice's life, make), run_cli."""
    import gc
    import logging
    import os
    import signal
    import warnings

    from click.testing import CliRunner

    from pipeline import cli as command

    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    loggers = {name: logging.getLogger(name).level for name in ("pypdf", "pyhanko", "pyhanko_certvalidator", "fontTools", "PIL")}
    root_handlers = list(logging.getLogger().handlers)
    argv, here = sys.argv, os.getcwd()
    code = 0
    with CliRunner().isolation(input=input, env=env) as (out, err, _), warnings.catch_warnings():
        sys.argv = ["python -m pipeline", *args]
        try:
            os.chdir(cwd or ROOT)
            command.main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        finally:
            sys.argv = argv
            os.chdir(here)
            gc.unfreeze()
            for sig, handler in handlers.items():
                signal.signal(sig, handler)
            for name, level in loggers.items():
                logging.getLogger(name).setLevel(level)
            logging.getLogger().handlers[:] = root_handlers
            stdout, stderr = out.getvalue().decode(), err.getvalue().decode()
    return subprocess.CompletedProcess(["python", "-m", "pipeline", *args], code, stdout, stderr)


def build_years(
    years: list[int], convention_dir: Path, outputs: Path, *, final: bool = False, warn=None, watch=None, office=None
) -> list[Path]:
    """``build.build_years`` with the shared templates, the log silenced, the warnings to ``warn``
    if given. Its own LibreOffice for the run, stopped at the end, as the CLI runs it; or, given
    ``office`` (the session's, see conftest), that one, left running for the next build as « build
    --all » leaves it for the next convention: a test not about LibreOffice's start, stop or
    profile saves a start (a second) per build. Its start is then not told to ``watch``."""
    from pipeline import build
    from pipeline.events import unwatched

    def quiet(message: str) -> None:
        pass

    request = build.BuildRequest(convention_dir, TEMPLATES, outputs, final)
    if office is not None:
        runtime = build.Runtime(office, log=quiet, warn=warn or quiet, watch=watch or unwatched)
        return build.build_years(years, request, runtime, release=False)
    with build.runtime_for(outputs, log=quiet, warn=warn or quiet, watch=watch or unwatched) as runtime:
        return build.build_years(years, request, runtime)


def make_final(root: Path, years=(2022, 2023), *, listed: bool = False) -> None:
    """The shipped convention made final at ``root`` (its files replaced): blanks filled, the given
    years' data real, their pieces documents that say nothing of a specimen; ``listed``: but the
    values listed under ``a_remplacer`` left as they are (``builder.Sample.final``)."""
    from builder import convention

    convention().final(years, listed=listed).write(root)


def processes_naming(folder: Path) -> list[str]:
    """The command lines of the running processes that name ``folder`` (as a path or as a file://
    URI): a build's LibreOffice worker and LibreOffice itself name their profile folder, so this
    finds one build's LibreOffice and never another one running on the machine."""
    return [command for _, command in pids_naming(folder)]


def pids_naming(folder: Path) -> list[tuple[int, str]]:
    """``processes_naming`` with each process's id, for a test that kills one of them."""
    import os

    folder = Path(folder).resolve()
    needles = (str(folder), folder.as_uri())
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # gone meanwhile, or not ours to read
            continue
        if any(needle in command for needle in needles):
            found.append((int(proc.name), command))
    return found


def edited_templates(tmp_path, name: str, old: str, new: str) -> Path:
    """A copy of templates/ with one run of one template changed, as staff would in Word."""
    import docx

    folder = tmp_path / "templates"
    shutil.copytree(TEMPLATES, folder)
    document = docx.Document(folder / name)
    paragraphs = list(document.paragraphs)
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                paragraphs.extend(cell.paragraphs)
    for p in paragraphs:
        for run in p.runs:
            if old in run.text:
                run.text = run.text.replace(old, new, 1)
                document.save(folder / name)
                return folder
    raise AssertionError(f"{old!r} not found in {name}")


def docx_text(path) -> str:
    """The text of a .docx as python-docx reads it: paragraphs, then table cells."""
    import docx

    document = docx.Document(path)
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def line_of_text(path: Path, needle: str) -> int:
    """The line number (from 1) where ``needle`` first stands in a text file: the line a message names."""
    text = path.read_text(encoding="utf-8")
    return text[: text.index(needle)].count("\n") + 1


def load_problems(root: Path, year: int, **kw) -> list[str]:
    """The problems ``model.load`` refuses a year with (it must refuse it)."""
    import pytest

    from pipeline.convention import model
    from pipeline.errors import InputError

    with pytest.raises(InputError) as info:
        model.load(root, year, **kw)
    return info.value.problems
