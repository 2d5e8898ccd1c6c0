"""The state of a document signed apart, examined without LibreOffice: a PDF made with
reportlab stands for the rendering, signed with the test PKI, and ``examine`` says its state
(to sign, signed copy missing, signed, signed copy, damaged), what is wrong with it, and the
words each state is said with."""

from pathlib import Path

import pytest
from pki import Pki
from reportlab.pdfgen import canvas

from pipeline import originals_status
from pipeline.convention import documents, model, signed
from pipeline.convention.signed import Enclosure, Severity

ROOT = Path(__file__).resolve().parent.parent
CONVENTION = ROOT / "inputs" / "amp-arhlm-2022-2024"


def pdf(path: Path, text: str) -> Path:
    """A one-page PDF saying ``text``, its content uncompressed (a test may then alter it)."""
    page = canvas.Canvas(str(path), pageCompression=0)
    page.drawString(72, 720, text)
    page.save()
    return path


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    from pipeline.pdf import originals

    made = Pki(tmp_path_factory.mktemp("pki"))
    TRUSTED[:] = originals.authorities(made.folder)  # the tests' authority is trusted, as staff configure theirs
    return made


def planned(year: int, key: str):
    data = model.load(CONVENTION, year)
    return next(d for d in documents.plan(data) if d.key == key), data


def signed_by_all(pki, d, data, folder: Path, text: str = "Texte signe") -> Path:
    """The document ``d`` signed by each of its signatories, in their fields, on its own date."""
    current = pdf(folder / f"{d.stem}-0.pdf", text)
    for n, who in enumerate(documents.signatories(d, data), 1):
        current = pki.sign(current, folder / f"{d.stem}-{n}.pdf", who.field, who.name or "Quelqu'un", d.date)
    return current


TRUSTED: list = []  # the test authority, as a convention's autorites/ names it (set by the pki fixture)


def read(path: Path, trust: list | None = None) -> originals_status.Original:
    """A signed original read as the build reads it, against the authorities the convention trusts."""
    return originals_status.read_original(originals_status.Original(path, path.name), TRUSTED if trust is None else trust)


def breaches(state):
    return [f for f in state.findings if f.severity is Severity.BREACH]


def test_absent_a_document_is_to_sign_and_owed_with_final_only():
    d, data = planned(2023, "bilan")
    state = originals_status.examine(d, data, None)
    assert state.enclosure is Enclosure.TO_SIGN and not state.received and state.findings == ()
    assert state.owed(data, final=False) == ()
    [absent] = state.owed(data, final=True)
    assert absent.severity is Severity.BREACH and "absent" in absent.message and absent.stops(final=True)
    assert signed.suffix(state) == " (à signer séparément)"
    assert signed.phrase(state, data).startswith("à signer séparément par ")
    assert signed.attachment(state, data) is None
    assert signed.mention(state, data)[0].endswith("non signé à ce jour")


def test_absent_the_convention_after_its_first_year_is_a_missing_copy():
    d, data = planned(2023, "convention")
    state = originals_status.examine(d, data, None)
    assert state.enclosure is Enclosure.MISSING_COPY and state.enclosure.copy and not state.enclosure.enclosed
    assert signed.suffix(state) == " (original signé manquant)"
    assert signed.phrase(state, data) == "original signé manquant, à joindre"
    assert signed.mention(state, data)[1].startswith("COPIE")


def test_signed_by_its_signatories_it_is_enclosed(pki, tmp_path):
    d, data = planned(2023, "bilan")
    original = read(signed_by_all(pki, d, data, tmp_path))
    state = originals_status.examine(d, data, original, pdf(tmp_path / "today.pdf", "Texte signe"))
    assert state.enclosure is Enclosure.SIGNED and state.received and state.difference is None
    assert len(state.signatures) == len(documents.signatories(d, data)) and not breaches(state)
    assert signed.suffix(state) == " (original signé joint)"
    assert signed.phrase(state, data).startswith("original signé électroniquement le ")
    description, subject = signed.attachment(state, data)
    assert description.endswith("original signé électroniquement") and subject.startswith("signé le ")
    assert signed.mention(state, data) == (
        f"Signé électroniquement {signed.signed_by(state, data)} – original joint au présent fichier ({original.path.name})",
        None,
    )


def test_signed_but_no_longer_the_data_it_is_a_breach_yet_enclosed(pki, tmp_path):
    d, data = planned(2023, "bilan")
    state = originals_status.examine(
        d, data, read(signed_by_all(pki, d, data, tmp_path)), pdf(tmp_path / "today.pdf", "Autre texte")
    )
    assert state.enclosure is Enclosure.SIGNED and state.difference == ("Texte signe", "Autre texte")
    [finding] = breaches(state)
    assert "ne correspond plus aux données" in finding.message
    assert finding.said(final=False).endswith(" (erreur avec --final)") and not finding.stops(final=False)
    assert finding.said(final=True) == finding.message and finding.stops(final=True)


def test_the_convention_signed_again_later_is_a_signed_copy(pki, tmp_path):
    d, data = planned(2023, "convention")
    state = originals_status.examine(d, data, read(signed_by_all(pki, d, data, tmp_path)))
    assert state.enclosure is Enclosure.SIGNED_COPY and state.enclosure.enclosed and state.enclosure.copy
    assert signed.suffix(state) == " (fichier signé joint)"
    assert signed.phrase(state, data).startswith("copie ; le fichier signé électroniquement ")
    assert "premier appel" in signed.attachment(state, data)[0]
    assert signed.mention(state, data)[1].startswith("COPIE – convention signée le ")


def test_the_convention_signed_its_first_year_is_signed(pki, tmp_path):
    d, data = planned(2022, "convention")
    state = originals_status.examine(d, data, read(signed_by_all(pki, d, data, tmp_path)))
    assert state.enclosure is Enclosure.SIGNED


def test_modified_after_its_signature_it_is_damaged_and_not_enclosed(pki, tmp_path):
    d, data = planned(2023, "bilan")
    path = signed_by_all(pki, d, data, tmp_path)
    content = path.read_bytes()
    assert b"Texte signe" in content
    (tmp_path / "abime.pdf").write_bytes(content.replace(b"Texte signe", b"Texte modif"))
    state = originals_status.examine(d, data, read(tmp_path / "abime.pdf"))
    assert state.enclosure is Enclosure.DAMAGED and not state.enclosure.enclosed
    assert any("n'est plus intacte" in f.message for f in breaches(state))
    assert signed.suffix(state) == " (à signer séparément)"
    assert signed.mention(state, data)[0].endswith("l'original reçu est abîmé ou modifié : non joint")


def test_unreadable_it_is_damaged_and_says_why(tmp_path):
    d, data = planned(2023, "bilan")
    (tmp_path / "bilan-2022.pdf").write_bytes(b"%PDF-1.7\nrien de lisible")
    state = originals_status.examine(d, data, read(tmp_path / "bilan-2022.pdf"))
    assert state.enclosure is Enclosure.DAMAGED and state.unreadable
    assert [f.message for f in state.findings] == [state.unreadable] and breaches(state)


def test_a_damaged_copy_is_a_missing_one(tmp_path):
    d, data = planned(2023, "convention")
    (tmp_path / "convention.pdf").write_bytes(b"not a pdf")
    state = originals_status.examine(d, data, read(tmp_path / "convention.pdf"))
    assert state.enclosure is Enclosure.MISSING_COPY and state.received and state.unreadable


def test_a_certificate_no_trusted_authority_issued_is_never_called_signed(pki, tmp_path):
    """A self-made certificate in the signatory's own name (battery D6): intact, right name, right
    day, and still « non vérifiable », an error with --final, because no trusted authority issued it."""
    rogue = Pki(tmp_path / "rogue", authority="AC maison")
    d, data = planned(2023, "bilan")
    current = pdf(tmp_path / "bilan-0.pdf", "Texte signe")
    for n, who in enumerate(documents.signatories(d, data), 1):
        current = rogue.sign(current, tmp_path / f"bilan-{n}.pdf", who.field, who.name, d.date)
    state = originals_status.examine(d, data, read(current))
    untrusted = [f for f in breaches(state) if "non vérifiable" in f.message]
    assert untrusted and "certificat émis par « AC maison »" in untrusted[0].message, state.findings
    assert untrusted[0].stops(final=True) and not untrusted[0].stops(final=False)
    trusted_state = originals_status.examine(d, data, read(current, trust=TRUSTED + rogue_trust(rogue)))
    assert not [f for f in trusted_state.findings if "non vérifiable" in f.message]


def rogue_trust(rogue: Pki) -> list:
    from pipeline.pdf import originals

    return originals.authorities(rogue.folder)
