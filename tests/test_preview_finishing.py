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
    built = templates.fill(data, TEMPLATES / f"{key}.docx", tmp_path / "build" / f"{key}.docx", final=False,
                           signatures={}).docx
    assert docx_text(shown) == docx_text(built)
    text = docx_text(shown)
    assert "\u2019" in text and "'" not in text  # the typographic apostrophe
    properties = docx.Document(shown).core_properties
    assert properties.title == planned.own_title and properties.author
    with zipfile.ZipFile(shown) as z:
        body = z.read("word/document.xml").decode()
    assert 'w:name="Signature' in body and "{{" not in body
