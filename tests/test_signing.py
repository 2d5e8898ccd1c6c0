"""Signature fields in the dossier, signed in turn with a certificate the test creates."""

import datetime as dt
import shutil
import subprocess

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from helpers import cli
from pypdf import PdfReader

from pipeline.pdf import signing

PASSWORD = "secret-de-test"


def authority(common_name: str, serial: int):
    """A self-signed certification authority made for the test: (its key, its certificate)."""
    now = dt.datetime.now(dt.timezone.utc)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True)
        .sign(key, hashes.SHA256())
    )
    return key, cert


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-made CA and a signer certificate, as .p12 and the CA as PEM."""
    folder = tmp_path_factory.mktemp("pki")
    now = dt.datetime.now(dt.timezone.utc)
    ca_key, ca = authority("AC de test", 1)
    ca_name = ca.subject
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Signataire de test")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(2)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    p12 = folder / "signataire.p12"
    p12.write_bytes(
        pkcs12.serialize_key_and_certificates(b"test", key, cert, [ca], serialization.BestAvailableEncryption(PASSWORD.encode()))
    )
    ca_pem = folder / "ac.pem"
    ca_pem.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    return p12, ca_pem


def assert_under_its_own_title(name, pieces, rect):
    """The title above a field is its own signatory's: the Métropole's field never sits under the
    AR Hlm's title, nor the other way round."""
    llx, _, urx, ury = rect
    above = " ".join(t for x, y, t in pieces if llx - 5 <= x <= urx and ury <= y <= ury + 110)
    if name.endswith("-metropole"):
        assert "Métropole" in above and "Hlm" not in above, (name, above)
    else:
        assert "Hlm" in above and "Métropole" not in above, (name, above)


# each document signed apart is published on its own with a field under each signature block;
# the dossier keeps one empty field, the letter's: the call's, or at the closing the transmission's
FIELDS = {
    (2022, "dossier-2022"): {"appel-association"},
    (2022, "convention"): {"convention-metropole", "convention-association"},
    (2022, "pv-copil-2022"): {"pv-copil-metropole", "pv-copil-association"},
    (2023, "dossier-2023"): {"appel-association"},
    (2023, "bilan-2022"): {"bilan-association"},
    (2023, "pv-copil-2023"): {"pv-copil-metropole", "pv-copil-association"},
    (2025, "bilan-2024"): {"bilan-association"},
    (2025, "bilan-final-2022-2024"): {"bilan-final-association"},
    (2025, "pv-copil-2025"): {"pv-copil-metropole", "pv-copil-association"},
    (2025, "dossier-2025"): {"transmission-association"},
}


def test_only_the_signed_documents_and_the_dossier_have_fields(built):
    """The letter is signed inside the dossier; its bordereau and its own PDF carry no field."""
    signed_apart = {
        "convention": {"convention-metropole", "convention-association"},
        "bilan-final": {"bilan-final-association"},
        "bilan": {"bilan-association"},
        "pv-copil": {"pv-copil-metropole", "pv-copil-association"},
        "crf": {"crf-association"},
    }
    for year in (2022, 2023, 2024, 2025):
        for pdf in (built / str(year)).glob("*.pdf"):
            names = {f.name for f in signing.list_fields(pdf)}
            kind = next((k for k in signed_apart if pdf.stem.startswith(k)), None)
            letter = "appel" if year < 2025 else "transmission"  # the closing dossier's letter transmits it
            expected = {f"{letter}-association"} if pdf.stem == f"dossier-{year}" else signed_apart[kind] if kind else set()
            assert names == expected, pdf.name


@pytest.mark.parametrize("year, stem", list(FIELDS))
def test_fields_sit_on_every_signature_block(built, year, stem):
    pdf = built / str(year) / f"{stem}.pdf"
    fields = {f.name: f for f in signing.list_fields(pdf)}
    assert set(fields) == FIELDS[year, stem]
    reader = PdfReader(pdf)
    for f in fields.values():
        page = reader.pages[f.page - 1]
        widget = next(a.get_object() for a in page["/Annots"] if a.get_object().get("/T") == f.name)
        llx, lly, urx, ury = (float(v) for v in widget["/Rect"])
        pieces = []

        def visit(text, cm, tm, _font, _size, pieces=pieces):
            if text.strip():
                pieces.append((tm[4] * cm[0] + tm[5] * cm[2] + cm[4], tm[4] * cm[1] + tm[5] * cm[3] + cm[5], text))

        page.extract_text(visitor_text=visit)
        # over the blank space left for the signature, right under the signatory's title
        assert [t for x, y, t in pieces if llx <= x <= urx and lly <= y <= ury] == [], f.name
        assert [t for x, y, t in pieces if llx - 5 <= x <= urx and ury <= y <= ury + 50], f.name
        assert_under_its_own_title(f.name, pieces, (llx, lly, urx, ury))
        # the tooltip names the same party as the field (« Signature – AR Hlm – … »)
        party = "Métropole Aix-Marseille-Provence" if f.name.endswith("-metropole") else "AR Hlm"
        assert f.label.startswith(f"Signature – {party} – "), f


@pytest.mark.parametrize("stem", ["dossier-2022", "convention", "pv-copil-2022"])
def test_fields_follow_pdfa_rules(built, stem):
    reader = PdfReader(built / "2022" / f"{stem}.pdf")
    assert "/OutputIntents" in reader.trailer["/Root"] and "pdfaid:part" in reader.xmp_metadata.rdf_root.toxml()
    for page in reader.pages:
        for annot in page.get("/Annots", []) or []:
            annot = annot.get_object()
            if annot.get("/FT") == "/Sig":
                assert int(annot["/F"]) & 4, "print flag"
                assert "/AP" in annot and "/N" in annot["/AP"]


def test_every_field_signed_in_turn_stays_valid(built, certificate, tmp_path):
    p12, ca = certificate
    pdf = tmp_path / "pv.pdf"
    shutil.copy(built / "2022" / "pv-copil-2022.pdf", pdf)
    names = [f.name for f in signing.list_fields(pdf)]
    env = {"PIPELINE_PKCS12_PASSWORD": PASSWORD, "PATH": "/usr/bin:/bin"}
    for name in names:
        result = cli("sign", str(pdf), "--field", name, "--pkcs12", str(p12), env=env)
        assert result.returncode == 0, result.stderr
    report = signing.verify(pdf, [ca])
    assert [r.name for r in report] == names
    assert all(r.signed and r.signature.intact and r.signature.trusted for r in report)
    # each signature covers its own revision; only the last one covers the whole file
    assert [r.signature.coverage for r in report] == ["ENTIRE_REVISION"] * (len(names) - 1) + ["ENTIRE_FILE"]
    assert all("Signataire de test" in r.signature.signer for r in report)
    result = cli("verify", str(pdf), "--trust", str(ca))
    assert result.returncode == 0 and result.stdout.count("valide : oui") == len(names)


def test_signing_an_unknown_field_is_one_clear_line(built, certificate, tmp_path):
    p12, _ = certificate
    pdf = tmp_path / "dossier.pdf"
    shutil.copy(built / "2023" / "dossier-2023.pdf", pdf)
    result = cli("sign", str(pdf), "--field", "nulle-part", "--pkcs12", str(p12), env={"PIPELINE_PKCS12_PASSWORD": PASSWORD})
    assert result.returncode == 7
    assert "nulle-part" in result.stderr and "Traceback" not in result.stderr


def test_sign_warns_at_once_when_today_is_not_the_letter_s_date(built, certificate, tmp_path):
    """A letter dated 29 March 2022 signed today: said before signing, as status will say it."""

    p12, _ = certificate
    pdf = tmp_path / "dossier-2022.pdf"  # a copy anywhere: known by its name
    shutil.copy(built / "2022" / "dossier-2022.pdf", pdf)
    result = cli(
        "sign", str(pdf), "--field", "appel-association", "--pkcs12", str(p12), env={"PIPELINE_PKCS12_PASSWORD": PASSWORD}
    )
    assert result.returncode == 0, result.stderr  # signed all the same: a warning, as in a draft
    assert "avertissement : dossier-2022.pdf (L'appel de participation 2022) : signé aujourd'hui, " in result.stderr
    assert "et non le jour de sa date (29 mars 2022) : une lettre se signe le jour où elle est datée" in result.stderr


def test_signature_places_leave_no_trace_in_text(built):
    """The blocks are found through bookmarks: nothing to see, copy or read aloud."""
    import docx
    from helpers import docx_text

    for year in (2022, 2023):
        for pdf in (built / str(year)).glob("*.pdf"):
            text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
            assert "§" not in text and "SIG:" not in text, pdf.name
        for path in (built / str(year)).glob("*.docx"):
            assert "§" not in docx_text(path), path.name
    names = [
        b.get(docx.oxml.ns.qn("w:name"))
        for b in docx.Document(built / "2022" / "pv-copil-2022.docx").element.body.iter(docx.oxml.ns.qn("w:bookmarkStart"))
    ]
    assert names == ["SignaturePvCopilMetropole", "SignaturePvCopilAssociation"]


@pytest.fixture(scope="module")
def signed(built, certificate, tmp_path_factory):
    """The 2023 dossier with the letter signed."""

    p12, _ = certificate
    pdf = tmp_path_factory.mktemp("signed") / "dossier.pdf"
    shutil.copy(built / "2023" / "dossier-2023.pdf", pdf)
    result = cli(
        "sign", str(pdf), "--field", "appel-association", "--pkcs12", str(p12), env={"PIPELINE_PKCS12_PASSWORD": PASSWORD}
    )
    assert result.returncode == 0, result.stderr
    return pdf


def other_authority(folder):
    """A certification authority that did not issue the signer's certificate."""
    _, cert = authority("Autre AC", 7)
    path = folder / "autre-ac.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path


def tampered(signed, folder):
    """One byte of the signed content changed, inside a page's compressed stream."""
    data = bytearray(signed.read_bytes())
    at = data.index(b"stream\n", len(data) // 4) + 40
    data[at] ^= 0xFF
    path = folder / "modifie.pdf"
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("case", ["tampered byte", "untrusted authority", "no --trust"])
def test_verify_reports_a_bad_signature_in_one_plain_line(signed, certificate, tmp_path, case):
    _, ca = certificate
    pdf, trust, words = {
        "tampered byte": (lambda: tampered(signed, tmp_path), ["--trust", str(ca)], ["modifié"]),
        "untrusted authority": (lambda: signed, ["--trust", str(other_authority(tmp_path))], ["autorité de confiance"]),
        "no --trust": (lambda: signed, [], ["--trust"]),
    }[case]
    result = cli("verify", str(pdf()), *trust)
    assert result.returncode == 7, result.stdout + result.stderr
    if case == "tampered byte":  # the paying officer reads that the signed content changed
        assert "intacte : NON" in result.stdout and "valide : NON" in result.stdout
    assert "Traceback" not in result.stderr and "Error" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert all(word in result.stderr + result.stdout for word in words), result.stderr


def test_verify_says_valid_only_for_an_intact_trusted_signature(signed, certificate):
    _, ca = certificate
    result = cli("verify", str(signed), "--trust", str(ca))
    assert result.returncode == 0, result.stderr
    assert "appel-association : signé par Signataire de test le " in result.stdout and "valide : oui" in result.stdout
    assert result.stderr == ""


def test_an_ec_key_signs_the_dossier_as_pdf_1_7(built, tmp_path):
    """ECDSA on P-256 (a French signature card's key) made pyHanko declare the dossier PDF 2.0
    (ISO 32002) while it claims PDF/A-2b, founded on PDF 1.7: it stays 1.7, PAdES's extension
    declared, and the signature holds."""

    from pki import PASSWORD, Pki
    from pypdf import PdfReader

    from pipeline.pdf import originals

    pki = Pki(tmp_path / "pki")
    pdf = tmp_path / "dossier.pdf"
    shutil.copy(built / "2023" / "dossier-2023.pdf", pdf)
    result = cli(
        "sign",
        str(pdf),
        "--field",
        "appel-association",
        "--pkcs12",
        str(pki.person("Pascal FRIQUET")),
        env={"PIPELINE_PKCS12_PASSWORD": PASSWORD},
    )
    assert result.returncode == 0, result.stderr
    reader = PdfReader(pdf)
    assert str(reader.trailer["/Root"]["/Version"]) == "/1.7"  # PAdES's extension is of PDF 1.7; not /2.0
    assert list(reader.trailer["/Root"]["/Extensions"]) == ["/ESIC"]
    assert (
        'pdfaid:part="2"' in reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
        or "<pdfaid:part>2</pdfaid:part>" in reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    )
    (signature,) = originals.read_signatures(pdf.read_bytes(), pdf.name)
    assert signature.intact and signature.signer == "Pascal FRIQUET"
