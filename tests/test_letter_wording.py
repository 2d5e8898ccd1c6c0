"""The letter as the build fills it (``templates.fill``: the context, the finishing and the
reading ``check`` gives it), read in its .docx, no LibreOffice: what it joins leaves the specimens
to their own sentence, « n° 22-0456 » never breaks after « n° », its « Marseille, le … » line is
read against its own date, and a tag that prints a list or a record never reaches it."""

from __future__ import annotations

import dataclasses
import shutil

import pytest
from helpers import INPUTS, TEMPLATES, docx_text, edited_templates, make_final

from pipeline import render, templates
from pipeline.convention import context, model
from pipeline.errors import TemplateProblem


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    root = tmp_path_factory.mktemp("lettre") / INPUTS.name
    shutil.copytree(INPUTS, root)
    make_final(root)  # « n° 22-0456 », its date, no example, no specimen
    return root


def fill(data, folder, tmp_path, name="appel.docx"):
    return templates.fill(data, folder / name, tmp_path / name, final=False)


def test_the_letter_joins_no_specimen_among_its_pieces():
    ctx = context.build_context(model.load(INPUTS, 2023), projet=True)
    assert ctx.pieces_specimens, "the shipped 2023 data joins specimens"
    for joined in (ctx.pieces_jointes, ctx.pieces_article3):
        assert not set(ctx.pieces_specimens) & set(joined), joined


def test_the_specimens_are_named_in_their_own_sentence_only(tmp_path):
    data = model.load(INPUTS, 2023)
    specimens = context.build_context(data, projet=True).pieces_specimens
    text = docx_text(fill(data, TEMPLATES, tmp_path).docx).replace("\u2019", "'").replace("\u00a0", " ").lower()
    for name in specimens:
        assert text.count(name.lower()) == 1, (name, text)


def test_a_deliberation_number_never_breaks_after_n_degree(real, tmp_path):
    text = docx_text(fill(model.load(real, 2023), TEMPLATES, tmp_path).docx)
    assert "délibération n°\u00a022-0456" in text, text
    assert "n° 22" not in text


def test_check_reads_the_letter_s_date_line(real, tmp_path):
    folder = edited_templates(
        tmp_path, "appel.docx", "{{ appel.lieu }}, le {{ appel.date|date_fr }}", "{{ appel.lieu }}, le {{ copil.date|date_fr }}"
    )
    filled = fill(model.load(real, 2023), folder, tmp_path)
    said = [f.message for f in filled.errors]
    assert any("« Marseille, le 14 mars 2023 »" in m and "daté du 28 mars 2023 (sa date propre)" in m for m in said), said


def test_the_shipped_letter_s_date_line_passes_the_reading(real, tmp_path):
    assert fill(model.load(real, 2023), TEMPLATES, tmp_path).errors == []


@pytest.mark.parametrize(
    "tag,kind", [("{{ pieces_specimens }}", "une liste"), ("{{ appel }}", "un enregistrement"), ("{{ signataires }}", None)]
)
def test_a_tag_printing_a_structure_never_reaches_the_document(tmp_path, tag, kind):
    data = model.load(INPUTS, 2023)
    folder = edited_templates(tmp_path, "appel.docx", "{{ appel.lieu }}, le", f"{tag}, le")
    with pytest.raises(TemplateProblem) as info:
        fill(data, folder, tmp_path)
    assert "et non un texte" in str(info.value) and (kind is None or f"imprime {kind}" in str(info.value)), info.value


@dataclasses.dataclass
class Record:
    nom: str


@pytest.mark.parametrize("value", [{"a": 1}, ["a"], ("a",), {"a"}, Record("x")])
def test_every_structure_is_refused_as_printed_text(value):
    with pytest.raises(render._Printed):
        render._french_output(value)


@pytest.mark.parametrize("value", ["texte", 3, None, Record])
def test_a_value_or_a_class_prints(value):
    render._french_output(value)
