"""``make crf YEAR=N`` (the ``crf`` command): the sending of the compte rendu financier N — its
CRF and its letter — never the dossier N; the build itself stands in here (its documents are
tested in test_crf_sending)."""

from __future__ import annotations

import contextlib

from helpers import TEMPLATES, cli

from pipeline import build
from pipeline import cli as command


def test_crf_builds_the_year_s_sending_and_names_its_two_files(inputs_copy, tmp_path, monkeypatch):
    asked = []

    def build_years(years, request, runtime, *, sending=False, **options):
        asked.append((years, request.convention_dir, request.final, sending))
        folder = tmp_path / "out" / "crf" / "2024"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "lettre-crf-2024.pdf").write_bytes(b"%PDF-1.4\n")
        return [folder / "crf-2024.pdf"]

    monkeypatch.setattr(build, "build_years", build_years)
    monkeypatch.setattr(command, "runtime_for", lambda *args, **options: contextlib.nullcontext(None))
    done = cli(
        "--inputs", str(inputs_copy), "--templates", str(TEMPLATES), "--outputs", str(tmp_path / "out"), "crf", "2024", "--final"
    )
    assert done.returncode == 0, done.stderr
    assert asked == [([2024], inputs_copy, True, True)]
    assert "compte rendu financier : " in done.stdout and "lettre d'envoi : " in done.stdout
