"""Shared fixtures: the shipped inputs, built once per session with the real LibreOffice."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
INPUTS = ROOT / "inputs" / "amp-arhlm-2022-2024"
TEMPLATES = ROOT / "templates"


def run_cli(*args: str, cwd: Path = ROOT, env: dict | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    """The CLI as staff run it: python -m pipeline …"""
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=timeout)


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """outputs/ after building every year of the shipped convention in one run."""
    from pipeline import build

    outputs = tmp_path_factory.mktemp("outputs")
    opts = build.Options(inputs=INPUTS, templates=TEMPLATES, outputs=outputs, log=lambda m: None, warn=lambda m: None)
    build.build([2022, 2023, 2024], opts)
    return outputs


@pytest.fixture()
def inputs_copy(tmp_path) -> Path:
    """A copy of the shipped inputs that a test may break."""
    target = tmp_path / "inputs"
    shutil.copytree(INPUTS, target)
    return target


def docx_text(path) -> str:
    """The text of a .docx as python-docx reads it: paragraphs, then table cells."""
    import docx

    document = docx.Document(path)
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)
