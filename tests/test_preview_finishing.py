"""The preview goes the build's road to its last step: the .docx it hands LibreOffice is finished
as the build's (French typography, the signature marks made bookmarks, the document's properties).
A stand-in for LibreOffice keeps that .docx, so no LibreOffice is needed."""

from __future__ import annotations

import shutil
import zipfile

import docx
import pytest
from helpers import INPUTS, TEMPLATES, docx_text

from pipeline import preview, templates
from pipeline.convention import documents, model
from pipeline.errors import InputError


class KeepingOffice:
    """Converts nothing: keeps each .docx it is given and answers with an empty PDF."""

    def __init__(self, folder):
        self.folder, self.kept = folder, []

    def convert(self, docs, into):
        answers = []
        for doc in docs:
            self.kept.append(shutil.copy(doc, self.folder / doc.name))
            pdf = into / f"{doc.stem}.pdf"
            pdf.write_bytes(b"%PDF-1.7\n")
            answers.append(pdf)
        return answers


@pytest.mark.parametrize("year,key", [(2023, "bilan"), (2023, "pv-copil")])
def test_the_preview_s_document_is_finished_as_the_build_s(tmp_path, year, key):
    office = KeepingOffice(tmp_path)
    preview.render_once(INPUTS, TEMPLATES, year, key, office, tmp_path / "apercu", say=lambda _: None)
    [shown] = office.kept
    data = model.load(INPUTS, year)
    planned = next(d for d in documents.plan(data) if d.key == key)
    built = templates.fill(data, TEMPLATES / f"{key}.docx", tmp_path / "build" / f"{key}.docx", final=False, signatures={}).docx
    assert docx_text(shown) == docx_text(built)
    text = docx_text(shown)
    assert "\u2019" in text and "'" not in text  # the typographic apostrophe
    properties = docx.Document(shown).core_properties
    assert properties.title == planned.own_title and properties.author
    with zipfile.ZipFile(shown) as z:
        body = z.read("word/document.xml").decode()
    assert 'w:name="Signature' in body and "{{" not in body


@pytest.mark.parametrize(
    "year,key,stem", [(2024, "lettre-crf", "lettre-crf-2024"), (2022, "crf", "crf-2022"), (2024, "crf", "crf-2022")]
)
def test_the_crf_sending_is_previewed_as_make_crf_fills_it(tmp_path, year, key, stem):
    """The letter that sends the CRF N is in no dossier, nor is the CRF N before the dossier N+2:
    the preview finds them in the year's sending (make crf) and fills them as it does; a dossier
    that encloses a CRF (2024 encloses 2022's) shows that one, as before."""
    office = KeepingOffice(tmp_path)
    _, pdf = preview.render_once(INPUTS, TEMPLATES, year, key, office, tmp_path / "apercu", say=lambda _: None)
    assert pdf == tmp_path / "apercu" / f"{stem}.pdf"
    [shown] = office.kept
    data = model.load_sending(INPUTS, int(stem.rsplit("-", 1)[1]))
    built = templates.fill(data, TEMPLATES / f"{key}.docx", tmp_path / "build" / f"{key}.docx", final=False, signatures={}).docx
    assert docx_text(shown) == docx_text(built)


def test_the_sending_s_preview_says_what_it_shows_and_what_the_year_lacks(tmp_path, inputs_copy):
    assert preview.source(preview.locate(INPUTS, 2024, "lettre-crf")[0]) == "de l'envoi du compte rendu financier 2024 (make crf)"
    assert preview.source(preview.locate(INPUTS, 2024, "crf")[0]) == "du dossier 2024"
    path = inputs_copy / "2024" / "year.yaml"
    text = path.read_text(encoding="utf-8")
    line = next(x for x in text.splitlines(keepends=True) if x.startswith("  transmis_le: 2025-06-19"))
    path.write_text(text.replace(line, "").replace("  - crf.transmis_le\n", ""), encoding="utf-8")
    with pytest.raises(InputError, match="le compte rendu financier 2024 n'a pas encore de lettre d'envoi"):
        preview.locate(inputs_copy, 2024, "lettre-crf")
    with pytest.raises(InputError, match="pas de participation"):
        preview.locate(inputs_copy, 2025, "lettre-crf")
