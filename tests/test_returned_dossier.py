"""The 2023 dossier built with what really comes back in ``signes/``, beside the one scenario where
every file returns signed as it should (test_signed_originals): the convention signed on two days,
the bilan deposited unsigned, the minutes signed then damaged; then the bilan replaced by another
document signed in its field and the minutes signed without their last page, which ``check`` and
``status`` must find by comparing the text with the published documents; and the letter signed
in the dossier the day after its date. One LibreOffice build of the documents to sign, then
draft builds that take every document from its cache: only the dossier is assembled again."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
import yaml
from click.testing import CliRunner
from helpers import CONV, INPUTS, TEMPLATES, build_years, make_final
from pki import Pki
from pypdf import PdfReader, PdfWriter

from pipeline import cli
from pipeline.pdf import signing

D = dt.date


def text_of(pdf) -> str:
    return " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(pdf).pages)


@pytest.fixture(scope="module")
def scenario(office, tmp_path_factory):
    """Real data, the convention signed by the association on 24 February 2022 and by the
    Métropole on the 28th; the 2023 documents built once, ready to sign."""
    root = tmp_path_factory.mktemp("retours")
    inputs = root / "inputs" / CONV
    shutil.copytree(INPUTS, inputs)
    make_final(inputs)
    path = inputs / "convention.yaml"
    conv = yaml.safe_load(path.read_text(encoding="utf-8"))
    conv["convention"].pop("date_signature")
    conv["convention"]["signatures"] = {"association": D(2022, 2, 24), "metropole": D(2022, 2, 28)}
    path.write_text(yaml.safe_dump(conv, allow_unicode=True, sort_keys=False), encoding="utf-8")
    build_years([2023], inputs, root / "out", office=office)
    published = root / "kept"  # what staff send to sign: the documents as first published
    shutil.copytree(root / "out" / CONV / "2023", published)
    pki = Pki(root / "pki")
    pki.trusted_by(inputs)
    signes = inputs / "signes"
    signes.mkdir()
    current = published / "convention.pdf"
    for n, (field, who, day) in enumerate(
        [("convention-association", "Pascal FRIQUET", D(2022, 2, 24)), ("convention-metropole", "Martine MARTIN", D(2022, 2, 28))]
    ):
        current = pki.sign(current, root / f"convention-{n}.pdf", field, who, day)
    shutil.copy(current, signes / "convention.pdf")
    return root, inputs, published, pki


def _signed_minutes(root, pki, source, name):
    first = pki.sign(source, root / f"{name}-0.pdf", "pv-copil-metropole", "Sophie MARTIN", D(2023, 3, 15))
    return pki.sign(first, root / f"{name}-1.pdf", "pv-copil-association", "Pascal FRIQUET", D(2023, 3, 16))


@pytest.fixture(scope="module")
def draft(office, scenario):
    """The bilan deposited as published, unsigned; the minutes signed, then one byte of what
    they signed changed; a draft build."""
    root, inputs, published, pki = scenario
    signes = inputs / "signes"
    shutil.copy(published / "bilan-2022.pdf", signes / "bilan-2022.pdf")
    minutes = _signed_minutes(root, pki, published / "pv-copil-2023.pdf", "pv").read_bytes()
    at = minutes.index(b"/StemV ") + len(b"/StemV ")  # a font's stem width, which the signatures cover
    digit = b"1" if minutes[at : at + 1] != b"1" else b"2"
    (signes / "pv-copil-2023.pdf").write_bytes(minutes[:at] + digit + minutes[at + 1 :])
    warnings: list[str] = []
    build_years([2023], inputs, root / "out", warn=warnings.append, office=office)
    dossier = root / "out" / CONV / "2023" / "dossier-2023.pdf"
    return dossier, text_of(dossier), warnings


def test_an_unsigned_bilan_and_damaged_minutes_are_neither_enclosed_nor_attached(draft):
    dossier, text, warnings = draft
    assert set(PdfReader(dossier).attachments) == {"convention.pdf"}
    assert "Signé électroniquement par –" not in text and "Signé électroniquement par Sophie" not in text
    assert "bilan-2022.pdf : aucune signature dans ce fichier" in " ".join(warnings)
    assert "pv-copil-2023.pdf : la signature de Sophie MARTIN n'est plus intacte" in " ".join(warnings)
    # both are shown as published, to sign: no signature's stamp on their pages, the letter's field alone
    assert "Sophie MARTIN le 15/03/2023" not in text and "Pascal FRIQUET le 16/03/2023" not in text
    assert [f.name for f in signing.list_fields(dossier)] == ["appel-association"]


def test_each_margin_says_what_came_back(draft):
    _, text, _ = draft
    assert "Document à signer séparément par le Président de l’AR Hlm – non signé à ce jour" in text
    assert "– l’original reçu est abîmé ou modifié : non joint" in text  # the minutes: not « non signé »


def test_a_convention_signed_on_two_days_is_copied_under_its_last_day(draft):
    _, text, _ = draft
    assert "COPIE – convention signée le 28 février 2022" in text
    assert "COPIE – convention signée le 24 février 2022" not in text
    assert (
        "Copie de la convention signée électroniquement par Pascal FRIQUET, pour l’AR Hlm, le 24 février 2022, et Martine MARTIN"
    ) in text


@pytest.fixture(scope="module")
def compared(office, scenario, draft):
    """The bilan replaced by another document (the minutes) signed in the bilan's field, the
    minutes signed without their last page; a draft build publishes what they are compared with."""
    root, inputs, published, pki = scenario
    signes = inputs / "signes"
    pki.sign(published / "pv-copil-2023.pdf", signes / "bilan-2022.pdf", "bilan-association", "Pascal FRIQUET", D(2023, 2, 20))
    reader = PdfReader(published / "pv-copil-2023.pdf")
    assert len(reader.pages) > 1
    writer = PdfWriter(clone_from=reader)
    writer.remove_page(len(reader.pages) - 1)
    short = root / "pv-court.pdf"
    with open(short, "wb") as out:
        writer.write(out)
    shutil.copy(_signed_minutes(root, pki, short, "court"), signes / "pv-copil-2023.pdf")
    build_years([2023], inputs, root / "out", office=office)
    return root, inputs, pki


def _run(root, inputs, *args):
    result = CliRunner().invoke(
        cli.main_group, ["--inputs", str(inputs), "--templates", str(TEMPLATES), "--outputs", str(root / "out"), *args]
    )
    return result.output


def test_check_compares_each_signed_original_with_the_published_document(compared):
    root, inputs, _ = compared
    said = _run(root, inputs, "check")
    bilan = [line for line in said.splitlines() if "bilan-2022.pdf : ne correspond plus aux données" in line]
    minutes = [line for line in said.splitlines() if "pv-copil-2023.pdf : ne correspond plus aux données" in line]
    assert bilan and minutes, said
    assert "« (rien) »" in minutes[0], minutes  # what the signed file lacks: the last page's first line


def test_status_compares_each_signed_original_with_the_published_document(compared):
    root, inputs, _ = compared
    said = _run(root, inputs, "status", "2023")
    assert "bilan-2022.pdf : ne correspond plus aux données" in said, said
    assert "pv-copil-2023.pdf : ne correspond plus aux données" in said, said


def test_status_says_a_letter_signed_the_day_after_its_date(compared):
    root, inputs, pki = compared
    kept = inputs / "signes" / "dossier-2023.pdf"
    pki.sign(root / "out" / CONV / "2023" / "dossier-2023.pdf", kept, "appel-association", "Pascal FRIQUET", D(2023, 3, 29))
    said = _run(root, inputs, "status", "2023")
    assert "signé par Pascal FRIQUET le 29 mars 2023, et non le jour de sa date (28 mars 2023)" in said, said
