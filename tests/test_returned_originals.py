"""What comes back in ``signes/`` is not always the document signed as it should be: a file never
signed, a signed working version, a signed text shorter than today's, a convention signed on two
days, a dossier whose originals no longer all match the data. Each is examined as the build,
``check`` and ``status`` examine it (``originals_status.examine``) or as ``verify`` reads it,
without LibreOffice: PDFs made with reportlab stand for the renderings, signed with the test PKI."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from helpers import INPUTS
from pki import Pki
from pypdf import PdfWriter
from reportlab.pdfgen import canvas

from pipeline import originals_status
from pipeline.convention import documents, model, signed
from pipeline.convention.signed import Enclosure, Severity
from pipeline.pdf import originals, signing

D = dt.date


def pdf(path: Path, *pages: list[str]) -> Path:
    """A PDF of the given pages, each a list of lines."""
    page = canvas.Canvas(str(path))
    for lines in pages:
        for i, line in enumerate(lines):
            page.drawString(72, 760 - 20 * i, line)
        page.showPage()
    page.save()
    return path


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return Pki(tmp_path_factory.mktemp("pki"))


def planned(year: int, key: str):
    data = model.load(INPUTS, year)
    return next(d for d in documents.plan(data) if d.key == key), data


def sign_in_turn(pki, source: Path, d, data, days: dict[str, dt.date] | None = None) -> Path:
    """``source`` signed by each signatory of ``d`` in their field, on their day (its own date unless given)."""
    current = source
    for n, who in enumerate(documents.signatories(d, data), 1):
        day = (days or {}).get(who.who, d.date)
        current = pki.sign(current, source.with_name(f"{source.stem}-{n}.pdf"), who.field, who.name or "Quelqu'un", day)
    return current


def examined(pki, original: Path, d, data, today: Path | None = None):
    read = originals_status.read_original(originals_status.Original(original, original.name), originals.authorities(pki.folder))
    return originals_status.examine(d, data, read, today)


def breaches(state) -> list[str]:
    return [f.message for f in state.findings if f.severity is Severity.BREACH]


# --------------------------------------------------------------------- a file never signed


def test_an_unsigned_file_is_not_enclosed_as_a_signed_original(pki, tmp_path):
    d, data = planned(2023, "bilan")
    today = pdf(tmp_path / "bilan-2022.pdf", ["Bilan 2022", "Texte du bilan"])
    state = examined(pki, today, d, data, today)  # the published document itself, put in signes/ unsigned
    assert not state.enclosure.enclosed and state.enclosure is not Enclosure.DAMAGED
    assert signed.attachment(state, data) is None
    assert signed.mention(state, data)[0].endswith("non signé à ce jour")
    assert signed.suffix(state) == " (à signer séparément)"
    [unsigned] = breaches(state)
    assert "aucune signature dans ce fichier" in unsigned


def test_an_unsigned_copy_of_the_convention_is_a_missing_one(pki, tmp_path):
    d, data = planned(2023, "convention")
    state = examined(pki, pdf(tmp_path / "convention.pdf", ["Convention"]), d, data)
    assert state.enclosure is Enclosure.MISSING_COPY and not state.enclosure.enclosed


# --------------------------------------------------------------------- a signed text unlike today's


def test_a_signed_original_missing_its_last_lines_differs_from_today_s(pki, tmp_path):
    d, data = planned(2023, "bilan")
    short = sign_in_turn(pki, pdf(tmp_path / "court.pdf", ["Bilan 2022", "Premier alinéa"]), d, data)
    today = pdf(tmp_path / "today.pdf", ["Bilan 2022", "Premier alinéa", "Dernier alinéa"])
    state = examined(pki, short, d, data, today)
    assert state.difference == ("", "Dernier alinéa")
    [differs] = breaches(state)
    assert "ne correspond plus aux données" in differs and "« (rien) »" in differs and "« Dernier alinéa »" in differs


def test_a_signed_original_missing_its_last_page_differs_from_today_s(pki, tmp_path):
    d, data = planned(2023, "pv-copil")
    first = ["Procès-verbal", "Page un"]
    short = sign_in_turn(pki, pdf(tmp_path / "court.pdf", first), d, data)
    today = pdf(tmp_path / "today.pdf", first, ["Page deux", "Signatures"])
    assert examined(pki, short, d, data, today).difference == ("", "Page deux")


@pytest.mark.parametrize(
    "signed_lines,today_lines,expected",
    [
        (["a", "b"], ["a", "b"], None),
        (["a", "b"], ["a", "b", "c"], ("", "c")),
        (["a", "b", "c"], ["a", "b"], ("c", "")),
        (["a", "x", "c"], ["a", "b", "c"], ("x", "b")),
        ([], ["a"], ("", "a")),
    ],
)
def test_the_first_difference_counts_a_missing_line_at_either_end(signed_lines, today_lines, expected):
    assert originals.first_difference(signed_lines, today_lines) == expected


def test_a_signed_working_version_is_named_as_such(pki, tmp_path):
    d, data = planned(2023, "bilan")
    draft = sign_in_turn(pki, pdf(tmp_path / "projet.pdf", ["PROJET", "Bilan 2022"]), d, data)
    state = examined(pki, draft, d, data, pdf(tmp_path / "today.pdf", ["Bilan 2022"]))
    [working] = breaches(state)
    assert "version de travail (marque PROJET)" in working and "ne correspond plus" not in working


# --------------------------------------------------------------------- the convention signed on two days


def test_a_signed_copy_s_banner_is_dated_by_the_last_signature(pki, tmp_path):
    d, data = planned(2023, "convention")
    days = {"association": D(2022, 2, 24), "metropole": D(2022, 2, 28)}
    for order in (days, dict(reversed(days.items()))):  # whoever signed first
        source = pdf(tmp_path / f"convention-{len(list(tmp_path.iterdir()))}.pdf", ["Convention"])
        state = examined(pki, sign_in_turn(pki, source, d, data, order), d, data)
        assert state.enclosure is Enclosure.SIGNED_COPY
        text, banner = signed.mention(state, data)
        assert banner == "COPIE – convention signée le 28 février 2022", banner
        assert "le 24 février 2022" in text and "le 28 février 2022" in text


# --------------------------------------------------------------------- verify, original by original


def test_verify_says_which_embedded_original_no_longer_matches_today_s_data(pki, tmp_path):
    """Two originals carried by a dossier: the bilan still reads as today's, the minutes do not."""
    bilan, data = planned(2023, "bilan")
    minutes, _ = planned(2023, "pv-copil")
    signed_bilan = sign_in_turn(pki, pdf(tmp_path / "b.pdf", ["Bilan 2022", "Texte"]), bilan, data)
    signed_minutes = sign_in_turn(pki, pdf(tmp_path / "p.pdf", ["Procès-verbal", "Décision A"]), minutes, data)
    built = tmp_path / "built"
    built.mkdir()
    pdf(built / "bilan-2022.pdf", ["Bilan 2022", "Texte"])
    pdf(built / "pv-copil-2023.pdf", ["Procès-verbal", "Décision B"])
    writer = PdfWriter(clone_from=pdf(tmp_path / "lettre.pdf", ["Lettre"]))
    writer.add_attachment("bilan-2022.pdf", signed_bilan.read_bytes())
    writer.add_attachment("pv-copil-2023.pdf", signed_minutes.read_bytes())
    dossier = tmp_path / "dossier-2023.pdf"
    with open(dossier, "wb") as out:
        writer.write(out)
    rows = [r for r in signing.verify(dossier, [pki.pem], built=built) if r.document]
    matches = {r.document: r.matches for r in rows}
    assert matches == {"bilan-2022.pdf": "", "pv-copil-2023.pdf": "« Décision A » au lieu de « Décision B »"}
    assert len(rows) == 1 + len(documents.signatories(minutes, data))
