"""``verify`` on a file changed after it was signed (README: « intégrité, validité, ajouts après
signature, portée »): an annotation, a page's content, or only a second signature, each reported
as it is. The signing-lifecycle work relies on these lines. No LibreOffice: a one-page PDF with
two empty fields, signed with the tests' own authority, changed with pyHanko as any tool would."""

import datetime as dt
import io

import pytest
from helpers import cli
from pki import PASSWORD, Pki
from test_timestamps import make_pdf

ENV = {"PIPELINE_PKCS12_PASSWORD": PASSWORD}  # for the run only
FIRST, SECOND = "pv-copil-metropole", "pv-copil-association"


@pytest.fixture(scope="module")
def minutes(tmp_path_factory):
    """(the authority, the minutes signed for the Métropole only, the folder to write in)."""
    folder = tmp_path_factory.mktemp("verify-changes")
    pki = Pki(folder / "pki")
    blank = make_pdf(folder / "pv.pdf", [FIRST, SECOND])
    return pki, pki.sign(blank, folder / "pv-signe.pdf", FIRST, "Sophie MARTIN", dt.date(2023, 3, 15)), folder


def _updated(signed_pdf, out, change):
    """An incremental update of ``signed_pdf`` (the signed bytes kept), its first page changed."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(signed_pdf.read_bytes()), strict=False)
    page_ref = writer.root["/Pages"]["/Kids"].raw_get(0)
    change(writer, page_ref.get_object())
    writer.mark_update(page_ref)
    buffer = io.BytesIO()
    writer.write(buffer)
    out.write_bytes(buffer.getvalue())
    return out


def with_annotation(signed_pdf, out):
    """A sticky note added on the signed page, as a reader's comment tool does."""
    from pyhanko.pdf_utils import generic

    def add(writer, page):
        note = generic.DictionaryObject(
            {
                generic.NameObject("/Type"): generic.NameObject("/Annot"),
                generic.NameObject("/Subtype"): generic.NameObject("/Text"),
                generic.NameObject("/Rect"): generic.ArrayObject([generic.FloatObject(v) for v in (400, 700, 420, 720)]),
                generic.NameObject("/Contents"): generic.TextStringObject("Montant à revoir"),
            }
        )
        page["/Annots"].append(writer.add_object(note))

    return _updated(signed_pdf, out, add)


def with_new_content(signed_pdf, out):
    """A line of text drawn over the signed page (another amount, say)."""
    from pyhanko.pdf_utils import generic

    def draw(writer, page):
        text = generic.StreamObject(stream_data=b"BT /F1 12 Tf 72 740 Td (Montant : 99 999 euros) Tj ET")
        page["/Contents"] = generic.ArrayObject([page.raw_get("/Contents"), writer.add_object(text)])

    return _updated(signed_pdf, out, draw)


def lines(result) -> dict[str, str]:
    """verify's line for each field."""
    return {line.split(" : ", 1)[0]: line for line in result.stdout.splitlines() if " : " in line}


def verify(pki, pdf):
    return cli("verify", str(pdf), "--trust", str(pki.pem), env=ENV)


def test_signed_and_left_alone_covers_the_whole_file(minutes):
    pki, pdf, _ = minutes
    result = verify(pki, pdf)
    assert result.returncode == 0, result.stdout + result.stderr
    line = lines(result)[FIRST]
    assert "intacte : oui ; valide : oui ; ajouts après signature : aucun ; couvre tout le fichier : oui" in line
    assert lines(result)[SECOND] == f"{SECOND} : vide (page 1)"


@pytest.mark.parametrize("change", [with_annotation, with_new_content], ids=["annotation", "page content"])
def test_a_change_after_signing_is_reported_as_a_change(minutes, change):
    """What was signed is intact, but the file is not what was signed any more: the command
    fails, the line says additions that are not allowed and a signature that does not cover the
    file, without blaming another signature, and the reason is the change, not the certificate."""
    pki, pdf, folder = minutes
    changed = change(pdf, folder / f"{change.__name__}.pdf")
    result = verify(pki, changed)
    assert result.returncode == 7, result.stdout + result.stderr
    line = lines(result)[FIRST]
    assert "intacte : oui" in line and "ajouts après signature : NON AUTORISÉS" in line
    assert "couvre tout le fichier : NON (le fichier a été modifié après elle)" in line
    assert "d'autres signatures ont suivi" not in line
    assert result.stderr.strip() == f"{FIRST} : le fichier a été modifié après cette signature (annotation ou contenu ajouté)"
    assert "Traceback" not in result.stderr


def test_only_a_second_signature_after_the_first_is_reported_as_such(minutes):
    """The association signs its own field after the Métropole: both valid, the first one
    followed by another signature (allowed), the second one covering the whole file."""
    pki, pdf, folder = minutes
    both = pki.sign(pdf, folder / "pv-deux-signatures.pdf", SECOND, "Pascal MARTIN", dt.date(2023, 3, 16))
    result = verify(pki, both)
    assert result.returncode == 0, result.stdout + result.stderr
    first, second = lines(result)[FIRST], lines(result)[SECOND]
    assert "signé par Sophie MARTIN" in first and "signé par Pascal MARTIN" in second
    assert (
        "intacte : oui ; valide : oui ; ajouts après signature : autres signatures (autorisé) ; "
        "couvre tout le fichier : non (d'autres signatures ont suivi)" in first
    )
    assert "intacte : oui ; valide : oui ; ajouts après signature : aucun ; couvre tout le fichier : oui" in second
    assert result.stderr == ""


def test_a_second_signature_then_a_change_is_a_change_for_both(minutes):
    """A note added after both signatures: each of them reports it."""
    pki, pdf, folder = minutes
    both = pki.sign(pdf, folder / "pv-deux.pdf", SECOND, "Pascal MARTIN", dt.date(2023, 3, 16))
    result = verify(pki, with_annotation(both, folder / "pv-deux-annote.pdf"))
    assert result.returncode == 7
    for field in (FIRST, SECOND):
        assert "ajouts après signature : NON AUTORISÉS" in lines(result)[field], result.stdout


def test_a_failing_check_logs_nothing_of_pyhanko_s_own(minutes, caplog):
    """status and the build read signatures in-process: pyHanko's traceback of a chain it cannot
    build must not reach the terminal (the plain reason is given instead)."""
    import logging

    from pipeline.pdf import signing

    _, pdf, _ = minutes
    caplog.set_level(logging.DEBUG)
    rows = signing.verify(pdf, [])  # no authority given: the chain cannot be validated
    assert rows[0].signed and not rows[0].signature.trusted
    assert [r.name for r in caplog.records if r.name.startswith("pyhanko")] == []
