"""The tests' shared helpers: the shipped inputs' places, the CLI as staff run it, a build with
the real LibreOffice, data made final, documents' text. Plain functions, imported by name
(``from helpers import …``); the fixtures and hooks stay in conftest.py."""
from __future__ import annotations

import functools
import re
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
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=timeout)


def build_years(years: list[int], convention_dir: Path, outputs: Path, *, final: bool = False, warn=None,
                watch=None, office=None) -> list[Path]:
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


def _real(text: str) -> str:
    """The example names and addresses replaced by others, as real data would have them."""
    text = text.replace("donnees_exemple", "\0")  # the key itself stays
    return text.replace("EXEMPLE", "MARTIN").replace("Exemple", "Martin").replace("exemple", "martin").replace(
        "\0", "donnees_exemple")


def replaced(text: str) -> str:
    """A file whose example values listed under ``a_remplacer`` are replaced, as staff do: the
    list gone, the placeholder telephone number a real-looking one."""
    import re

    text = re.sub(r"^a_remplacer:\n(?:  - .*\n)+", "", text, flags=re.M)
    return text.replace("04 00 00 00 00", "04 88 77 31 52")


def make_final(root: Path, years=(2022, 2023), *, listed: bool = False) -> None:
    """Fill the convention's blanks and make the given years' data real (no example value, no
    specimen: the pieces replaced by documents that say nothing of the kind), as staff do before
    a final version; ``listed``: but the values listed under ``a_remplacer`` left as they are."""
    from reportlab.pdfgen import canvas

    real = (lambda text: _real(text)) if listed else (lambda text: replaced(_real(text)))
    conv = root / "convention.yaml"
    conv.write_text(real(conv.read_text(encoding="utf-8")).replace(
        "  date_signature: null", "  date_signature: 2022-02-28").replace(
        "    numero: null\n    date: null", "    numero: 22-0456\n    date: 2022-02-17"), encoding="utf-8")
    for year in years:
        path = root / str(year) / "year.yaml"
        text = real(path.read_text(encoding="utf-8")).replace("donnees_exemple: true", "donnees_exemple: false")
        path.write_text(re.sub(r"(?m)^ +specimen: true\n", "", text), encoding="utf-8")  # the CRF's pieces too
        for piece in (root / str(year) / "pieces").glob("*.pdf"):
            page = canvas.Canvas(str(piece))
            page.drawString(72, 770, f"{piece.stem} {year} — pièce fournie par l'association")
            page.save()


def processes_naming(folder: Path) -> list[str]:
    """The command lines of the running processes that name ``folder`` (as a path or as a file://
    URI): a build's LibreOffice worker and LibreOffice itself name their profile folder, so this
    finds one build's LibreOffice and never another one running on the machine."""
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
            found.append(command)
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
    return text[:text.index(needle)].count("\n") + 1


def load_problems(root: Path, year: int, **kw) -> list[str]:
    """The problems ``model.load`` refuses a year with (it must refuse it)."""
    import pytest

    from pipeline.convention import model
    from pipeline.errors import InputError

    with pytest.raises(InputError) as info:
        model.load(root, year, **kw)
    return info.value.problems
