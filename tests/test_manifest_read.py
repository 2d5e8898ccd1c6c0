"""The manifest is what the build read: an input saved, or a signed original deposited, while a
build runs keeps the digest the build started from, so the next build sees the change and
rebuilds (it used to hash the inputs again at publication, record the new state and call the
dossier made from the old one « déjà à jour »). A damaged manifest never blocks a build."""

from __future__ import annotations

import json
import shutil

import docx
import pytest
from helpers import CONV, TEMPLATES, build_years

from pipeline import manifest, publish


def _edit_yaml(inputs):
    path = inputs / "2023" / "year.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "# une remarque ajoutée pendant la construction\n", encoding="utf-8")
    return path


def _save_template(inputs):
    path = inputs / "templates" / "appel.docx"
    document = docx.Document(path)
    document.add_paragraph("Un paragraphe ajouté pendant la construction.")
    document.save(path)
    return path


def _deposit_original(inputs):
    path = inputs / "signes" / "bilan-2022.pdf"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(b"%PDF-1.7\n% un original depose pendant la construction\n")
    return path


CHANGES = {"year.yaml edited": _edit_yaml, "template saved": _save_template, "signed original deposited": _deposit_original}


@pytest.mark.parametrize("change", CHANGES)
def test_an_input_changed_during_a_build_makes_the_next_build_rebuild(office, inputs_copy, warm_outputs, change):
    (inputs_copy / "templates").mkdir(exist_ok=True)
    shutil.copyfile(TEMPLATES / "appel.docx", inputs_copy / "templates" / "appel.docx")  # the convention's own
    changed = []

    def watch(event):
        if event.kind == "assembled" and not changed:  # made, not yet published
            changed.append(CHANGES[change](inputs_copy))

    build_years([2023], inputs_copy, warm_outputs, office=office, watch=watch)
    assert changed
    out = warm_outputs / CONV
    assert not publish.up_to_date(out, inputs_copy, 2023, TEMPLATES, final=False)
    said = manifest.what_changed(out, inputs_copy, 2023, TEMPLATES)
    name = changed[0].relative_to(inputs_copy).as_posix()
    assert any(name in line for line in said), said
    rebuilt = []
    build_years([2023], inputs_copy, warm_outputs, office=office, watch=rebuilt.append)
    assert any(e.kind == "assembled" for e in rebuilt)  # built again, not « déjà à jour »
    assert publish.up_to_date(out, inputs_copy, 2023, TEMPLATES, final=False)


@pytest.mark.parametrize("damage", ["[1, 2]", '{"inputs": "x"}', "{pas du json", "folder"])
def test_a_damaged_manifest_is_rebuilt_never_a_block(office, inputs_copy, warm_outputs, damage):
    build_years([2023], inputs_copy, warm_outputs, office=office)
    path = warm_outputs / CONV / "2023" / manifest.NAME
    if damage == "folder":
        path.unlink()
        path.mkdir()
    else:
        path.write_text(damage, encoding="utf-8")
    assert manifest.what_changed(warm_outputs / CONV, inputs_copy, 2023, TEMPLATES) == [
        f"{manifest.NAME} abîmé : la construction le refait"
    ]
    build_years([2023], inputs_copy, warm_outputs, office=office)
    assert json.loads(path.read_text(encoding="utf-8"))["year"] == 2023
    assert publish.up_to_date(warm_outputs / CONV, inputs_copy, 2023, TEMPLATES, final=False)
