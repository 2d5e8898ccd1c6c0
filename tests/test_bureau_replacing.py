"""Le bureau replacing what is there, without HTTP: a piece dropped over its own file keeps the
old one in precedents/; a template's drop refuses any file that is not Word by its content; the
preview renders again once a file it is made of changes, and only then."""

from __future__ import annotations

import os

import pytest
from bureau_helpers import convention_copy
from helpers import CONV, TEMPLATES

from pipeline import preview
from pipeline.bureau import apercu, modeles, pieces
from pipeline.errors import InputError


def test_a_piece_dropped_over_its_own_file_keeps_the_old_one(tmp_path):
    inputs, outputs = convention_copy(tmp_path)
    rib = inputs / CONV / "2023" / "pieces" / "rib.pdf"
    old = rib.read_bytes()
    new = (inputs / CONV / "2022" / "pieces" / "statuts.pdf").read_bytes()
    assert new != old
    dropped = pieces.store(inputs / CONV, TEMPLATES, outputs, 2023, "rib", new)
    assert rib.read_bytes() == new and dropped.kept is not None
    [kept] = (rib.parent / "precedents").glob("rib-remplace-le-*.pdf")
    assert kept.read_bytes() == old


@pytest.mark.parametrize("content", [b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", b"\x89PNG\r\n\x1a\n" + bytes(40)])
def test_a_template_that_is_a_pdf_or_an_image_is_refused_by_its_content(tmp_path, content):
    inputs, outputs = convention_copy(tmp_path)
    with pytest.raises(InputError, match="n'est pas un document Word"):
        modeles.store(inputs / CONV, TEMPLATES, outputs, "appel", content)
    assert not (inputs / CONV / "templates" / "appel.docx").exists()


def test_the_preview_renders_again_only_once_a_file_changed(tmp_path, monkeypatch):
    inputs, outputs = convention_copy(tmp_path)
    rendered = []

    def render_once(conv_dir, templates, year, key, office, into, say=print):
        into.mkdir(parents=True, exist_ok=True)
        pdf = into / f"{key}-{len(rendered)}.pdf"
        pdf.write_bytes(b"%PDF-1.4\n")
        rendered.append(pdf)
        return 0.0, pdf

    monkeypatch.setattr(preview, "render_once", render_once)
    previews = apercu.Previews(TEMPLATES, outputs, office=lambda: object())
    first = previews.render(inputs / CONV, 2023, "appel")
    assert previews.render(inputs / CONV, 2023, "appel") is first and len(rendered) == 1
    year_yaml = inputs / CONV / "2023" / "year.yaml"
    year_yaml.write_text(year_yaml.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    os.utime(year_yaml, ns=(1, 1))  # another size and time, whatever the clock's resolution
    again = previews.render(inputs / CONV, 2023, "appel")
    assert len(rendered) == 2 and again.pdf == rendered[1] and again.version != first.version
