"""The live preview: one document rewritten at each save with LibreOffice kept warm, a template
error said at once, the published years never touched."""

import shutil

import docx
import pytest
from helpers import INPUTS, TEMPLATES
from pypdf import PdfReader

from pipeline import preview


def _replace(path, old, new):
    document = docx.Document(path)
    for p in document.paragraphs:
        for run in p.runs:
            if old in run.text:
                run.text = run.text.replace(old, new, 1)
                document.save(path)
                return
    raise AssertionError(old)


def test_each_save_rewrites_the_preview_and_an_error_is_said_at_once(office, tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    outputs = tmp_path / "outputs"
    said = []
    pdf = outputs / INPUTS.name / "apercu" / "bilan-2022.pdf"

    def saves():
        assert "Les actions par chantier" in PdfReader(pdf).pages[0].extract_text()
        _replace(templates / "bilan.docx", "Les actions par chantier", "Les actions menées, chantier par chantier")
        yield "saved"
        _replace(templates / "bilan.docx", "{{ bilan.annee }}", "{{ bilan.annee }")  # a tag broken while typing
        yield "saved"
        stale = " ".join(
            PdfReader(pdf).pages[0].extract_text().split()
        )  # the broken save: the PDF says so, not the last good one
        assert "APERÇU PÉRIMÉ" in stale and "balise mal formée" in stale and "Les actions menées" not in stale
        _replace(templates / "bilan.docx", "{{ bilan.annee }", "{{ bilan.annee }}")
        yield "saved"

    preview.run(INPUTS, templates, outputs, 2023, "bilan", said.append, saves=saves())
    assert said[1].startswith(f"modèle suivi : {templates / 'bilan.docx'}, modèle commun"), said[1]
    assert [
        line.split(" ", 1)[1].startswith("bilan-2022.pdf à jour en") for line in said[2:] if not line.startswith("erreur")
    ] == [True, True, True]
    errors = [line for line in said if line.startswith("erreur")]
    assert len(errors) == 1 and "bilan.docx" in errors[0] and "balise mal formée" in errors[0], said
    assert "Les actions menées, chantier par chantier" in PdfReader(pdf).pages[0].extract_text()
    assert sorted(p.name for p in (outputs / INPUTS.name).iterdir()) == ["apercu"]  # no year published


def test_a_document_the_year_does_not_hold_is_one_clear_line_naming_the_year_that_does(tmp_path):
    from pipeline.errors import InputError

    said = []
    with pytest.raises(InputError, match="inconnu"):
        preview.run(INPUTS, TEMPLATES, tmp_path, 2023, "bilans", said.append, saves=[])
    with pytest.raises(InputError) as raised:  # no bilan the first year: it stops, and says where one is
        preview.run(INPUTS, TEMPLATES, tmp_path, 2022, "bilan", said.append, saves=[])
    assert str(raised.value).startswith(
        "le dossier 2022 ne contient pas de document « bilan » — il figure dans le "
        "dossier 2023, 2024, 2025 : « make apercu YEAR=2023 DOC=bilan »"
    ), raised.value
    assert said == []
