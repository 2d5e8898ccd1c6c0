"""Timestamped (PAdES B-T) and long-term (B-LT) signatures, made and verified with the CLI as
staff do, against a test PKI whose time-stamping authority, OCSP responder and CRLs answer on
127.0.0.1 (tests/tsa_pki.py). Verification runs with that server stopped: a signed file must
verify from what it carries, years later, without any network.

No LibreOffice here: a one-page PDF with empty signature fields is made in a few milliseconds.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from helpers import cli
from tsa_pki import PASSWORD, TSA_CLOCK_OFFSET, LoopbackPki, free_port, is_listening

ENV = {"PIPELINE_PKCS12_PASSWORD": PASSWORD}  # for the run only
SLACK = dt.timedelta(seconds=30)  # between the test's clock readings and a subprocess's

LINE = re.compile(
    r"^(?P<field>\S+) : signé par (?P<subject>.*?) le (?P<day>\d+)(?:er)? (?P<month>\S+) (?P<year>\d{4}) "
    r"à (?P<hour>\d\d) h (?P<minute>\d\d) \(heure de Paris, (?P<source>[^)]*)\) ; "
    r"niveau (?P<level>\S+) ; intacte : (?P<intact>\S+) ; valide : (?P<valid>\S+) ; "
    r"ajouts après signature : (?P<after>.*?) ; couvre tout le fichier : (?P<covers>.*)$"
)
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"]
STAMPED, COMPUTER = "horodatage d'une autorité", "heure donnée par le poste du signataire"


def shown_time(line: dict) -> dt.datetime:
    """The time verify gives, in France, to the minute."""
    from zoneinfo import ZoneInfo

    return dt.datetime(
        int(line["year"]),
        MONTHS.index(line["month"]) + 1,
        int(line["day"]),
        int(line["hour"]),
        int(line["minute"]),
        tzinfo=ZoneInfo("Europe/Paris"),
    )


def to_the_minute(when: dt.datetime) -> dt.datetime:
    from zoneinfo import ZoneInfo

    return when.astimezone(ZoneInfo("Europe/Paris")).replace(second=0, microsecond=0)


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """The test PKI, its services served on 127.0.0.1 for the whole module."""
    authority = LoopbackPki(tmp_path_factory.mktemp("tsa-pki"))
    authority.start()
    yield authority
    authority.close()


@pytest.fixture()
def online(pki):
    """The PKI's services reachable (a test that stopped them started them again)."""
    pki.start()
    assert is_listening(pki.port)
    return pki


def make_pdf(path: Path, fields: list[str]) -> Path:
    """A one-page PDF with an empty signature field per name, as the pipeline adds them."""
    from pypdf import PdfReader, PdfWriter
    from reportlab.pdfgen import canvas

    from pipeline.pdf import marks, signing

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 770, "Convention de partenariat — document de test")
    page.showPage()
    page.save()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(buffer.getvalue())))
    signing.add_empty_fields(
        writer,
        [
            marks.FieldPlace(name, f"Signature : {name}", 0, (72.0, 600.0 - 80 * i, 287.0, 660.0 - 80 * i))
            for i, name in enumerate(fields)
        ],
    )
    with open(path, "wb") as out:
        writer.write(out)
    return path


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def sign(pdf: Path, field: str, p12: Path, *options: str):
    return cli("sign", str(pdf), "--field", field, "--pkcs12", str(p12), *options, env=ENV)


def verify_offline(pki: LoopbackPki, pdf: Path):
    """``verify --trust root.pem`` with the PKI's server stopped (connections refused)."""
    with pki.offline():
        assert not is_listening(pki.port), "the PKI's server still answers: this would not be offline"
        return cli("verify", str(pdf), "--trust", str(pki.root_pem), env=ENV)


def verified_offline(pki: LoopbackPki, pdf: Path, field: str, *, level: str, signer: str) -> dict:
    """verify's line for ``field``, the network unreachable: the command succeeds and the
    signature is intact, valid, at ``level``, by ``signer``."""
    result = verify_offline(pki, pdf)
    assert result.returncode == 0, result.stdout + result.stderr
    line = signature_line(result.stdout, field)
    assert (line["level"], line["intact"], line["valid"], line["subject"]) == (level, "oui", "oui", signer), line
    return line


def signature_line(stdout: str, field: str) -> dict:
    """The parts of verify's line for ``field``."""
    for line in stdout.splitlines():
        if line.startswith(f"{field} : "):
            match = LINE.match(line)
            assert match, f"verify's line for {field} is not in the expected form: {line!r}"
            return match.groupdict()
    raise AssertionError(f"no line for {field} in verify's output:\n{stdout}")


def embedded(pdf: Path, field: str):
    """pyHanko's view of the signature in ``field`` (the file read into memory)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(pdf.read_bytes()), strict=False)
    found = [e for e in reader.embedded_signatures if e.field_name == field]
    assert len(found) == 1, f"{field}: {len(found)} signatures"
    return found[0]


def token_time(pdf: Path, field: str) -> dt.datetime:
    """The genTime of the signature timestamp the TSA gave (in the CMS's unsigned attributes)."""
    from pyhanko.sign.general import find_unique_cms_attribute

    signer_info = embedded(pdf, field).signer_info
    token = find_unique_cms_attribute(signer_info["unsigned_attrs"], "signature_time_stamp_token")
    return token["content"]["encap_content_info"]["content"].parsed["gen_time"].native


def path_of(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path


def one_error_line(result) -> str:
    """stderr of a failed command: exactly one line, no traceback."""
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}:\n{result.stderr}"
    return lines[0]


# --- a. B-T ---------------------------------------------------------------------------------
def test_timestamped_signature_verifies_offline_at_the_authority_s_time(online, tmp_path):
    pki = online
    pdf = make_pdf(tmp_path / "appel.pdf", ["appel-association"])
    asked = len(pki.requests)
    before = now()
    result = sign(pdf, "appel-association", pki.p12["sophie"], "--timestamp", pki.tsa_url)
    after = now()
    assert result.returncode == 0, result.stderr
    assert ("POST", path_of(pki.tsa_url)) in pki.requests[asked:], "the authority was never asked"

    stamped = token_time(pdf, "appel-association")
    # the TSA's clock runs TSA_CLOCK_OFFSET behind this computer's: the token's time is its own
    assert before + TSA_CLOCK_OFFSET - SLACK <= stamped <= after + TSA_CLOCK_OFFSET + SLACK
    claimed = embedded(pdf, "appel-association").self_reported_timestamp
    assert claimed is not None and before - SLACK <= claimed <= after + SLACK

    line = verified_offline(pki, pdf, "appel-association", level="B-T", signer="Sophie EXEMPLE")
    assert line["covers"] == "oui"
    shown = shown_time(line)
    assert shown == to_the_minute(stamped) and line["source"] == STAMPED, "verify must give the timestamp's time"
    assert abs(shown - claimed) > dt.timedelta(hours=1), "verify gave the signer's computer's time"


# --- b. B-LT --------------------------------------------------------------------------------
def test_long_term_signature_carries_its_validation_data_and_verifies_offline(online, tmp_path):
    from asn1crypto import crl as asn1_crl
    from asn1crypto import ocsp as asn1_ocsp
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    pki = online
    pdf = make_pdf(tmp_path / "lettre.pdf", ["lettre-president"])
    asked = len(pki.requests)
    result = sign(pdf, "lettre-president", pki.p12["pascal"], "--timestamp", pki.tsa_url, "--ltv", "--trust", str(pki.root_pem))
    assert result.returncode == 0, result.stderr
    during = pki.requests[asked:]
    assert ("POST", path_of(pki.tsa_url)) in during
    # the revocation data came from the addresses the certificates give, at signing time
    assert ("POST", path_of(pki.ocsp_url)) in during or ("GET", path_of(pki.crl_url("interm"))) in during, during

    reader = PdfFileReader(io.BytesIO(pdf.read_bytes()), strict=False)
    assert "/DSS" in reader.root
    dss = DocumentSecurityStore.read_dss(reader)
    serials = {cert.serial_number for cert in dss.load_certs()}
    assert {pki.cert(label).serial_number for label in ("pascal", "interm", "root")} <= serials
    about_pascal = []
    for ref in dss.ocsps:
        basic = asn1_ocsp.OCSPResponse.load(ref.get_object().data)["response_bytes"]["response"].parsed
        about_pascal += [
            single["cert_status"].name
            for single in basic["tbs_response_data"]["responses"]
            if single["cert_id"]["serial_number"].native == pki.cert("pascal").serial_number
        ]
    crl_issuers = {asn1_crl.CertificateList.load(ref.get_object().data).issuer.dump() for ref in dss.crls}
    assert about_pascal == ["good"] or pki.cert("interm").subject.dump() in crl_issuers, (
        f"no revocation data for the signer in the /DSS (OCSP: {about_pascal}, {len(dss.crls)} CRL)"
    )

    # what the /DSS holds suffices on its own: revocation checks made mandatory, nothing fetched
    context = dss.as_validation_context(
        {"trust_roots": [pki.cert("root")], "allow_fetching": False, "revocation_mode": "hard-fail"}
    )
    status = validate_pdf_signature(embedded(pdf, "lettre-president"), context)
    assert status.bottom_line, status.summary()

    line = verified_offline(pki, pdf, "lettre-president", level="B-LT", signer="Pascal FRIQUET")
    assert line["after"] == "données de validation seulement (autorisé)"


# --- c. B-B ---------------------------------------------------------------------------------
def test_plain_signature_is_level_b_b_at_the_signer_s_time(online, tmp_path):
    pki = online
    pdf = make_pdf(tmp_path / "bilan.pdf", ["bilan-association"])
    asked = len(pki.requests)
    before = now()
    result = sign(pdf, "bilan-association", pki.p12["pascal"])
    after = now()
    assert result.returncode == 0, result.stderr
    assert pki.requests[asked:] == [], "a signature without --timestamp asked the network"

    line = verified_offline(pki, pdf, "bilan-association", level="B-B", signer="Pascal FRIQUET")
    assert to_the_minute(before - SLACK) <= shown_time(line) <= to_the_minute(after + SLACK)
    assert line["source"] == COMPUTER


# --- d, e. refusals leave the file as it was --------------------------------------------------
def test_ltv_without_timestamp_is_refused_in_one_line(online, tmp_path):
    pki = online
    pdf = make_pdf(tmp_path / "appel.pdf", ["appel-association"])
    original = pdf.read_bytes()
    asked = len(pki.requests)
    result = sign(pdf, "appel-association", pki.p12["pascal"], "--ltv", "--trust", str(pki.root_pem))
    assert result.returncode == 7, result.stdout + result.stderr
    assert "--timestamp" in one_error_line(result)
    assert result.stdout == ""
    assert pdf.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["appel.pdf"]
    assert pki.requests[asked:] == []


def test_unreachable_timestamp_authority_is_one_line_and_signs_nothing(online, tmp_path):
    pki = online
    pdf = make_pdf(tmp_path / "appel.pdf", ["appel-association"])
    original = pdf.read_bytes()
    port = free_port()
    assert not is_listening(port)
    url = f"http://127.0.0.1:{port}/tsa"
    result = sign(pdf, "appel-association", pki.p12["sophie"], "--timestamp", url)
    assert result.returncode == 7, result.stdout + result.stderr
    message = one_error_line(result)
    assert "horodatage" in message and url in message, message
    assert result.stdout == ""
    assert pdf.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["appel.pdf"], "a temporary file was left behind"


# --- f. two signers in turn -----------------------------------------------------------------
FIRST, SECOND = "convention-association", "convention-metropole"


@pytest.fixture(scope="module")
def two_signatures(pki, tmp_path_factory):
    """Sophie EXEMPLE signs the first field (B-T), then Pascal FRIQUET the second (B-LT); the file
    is then verified offline."""
    pki.start()
    pdf = make_pdf(tmp_path_factory.mktemp("two") / "convention.pdf", [FIRST, SECOND])
    first = sign(pdf, FIRST, pki.p12["sophie"], "--timestamp", pki.tsa_url)
    second = sign(pdf, SECOND, pki.p12["pascal"], "--timestamp", pki.tsa_url, "--ltv", "--trust", str(pki.root_pem))
    checked = verify_offline(pki, pdf) if first.returncode == second.returncode == 0 else None
    return pdf, first, second, checked


def test_two_signers_in_turn_both_sign(two_signatures):
    _, first, second, _ = two_signatures
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr


def test_two_signers_in_turn_both_verify_valid_offline(two_signatures):
    _, _, _, checked = two_signatures
    assert checked is not None, "signing failed"
    lines = {field: signature_line(checked.stdout, field) for field in (FIRST, SECOND)}
    assert lines[FIRST]["subject"] == "Sophie EXEMPLE" and lines[SECOND]["subject"] == "Pascal FRIQUET"
    for field, line in lines.items():
        assert line["intact"] == "oui", field
    # after the first: another signature, allowed; after the last (B-LT), its own validation data only
    assert lines[FIRST]["after"] == "autres signatures (autorisé)", checked.stdout
    assert lines[SECOND]["after"] == "données de validation seulement (autorisé)", checked.stdout
    assert (lines[FIRST]["valid"], lines[SECOND]["valid"]) == ("oui", "oui"), checked.stdout + checked.stderr
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_two_signers_in_turn_only_the_last_covers_the_whole_document(two_signatures):
    _, _, _, checked = two_signatures
    assert checked is not None, "signing failed"
    assert signature_line(checked.stdout, FIRST)["covers"].startswith("non")
    # after the last signature only its own validation data (/DSS) was added
    assert signature_line(checked.stdout, SECOND)["covers"] == "oui", checked.stdout


def test_two_signers_in_turn_each_keeps_its_own_level(two_signatures):
    _, _, _, checked = two_signatures
    assert checked is not None, "signing failed"
    assert signature_line(checked.stdout, SECOND)["level"] == "B-LT"
    # the /DSS Pascal's signing added holds no revocation data for Sophie's certificate
    assert signature_line(checked.stdout, FIRST)["level"] == "B-T", checked.stdout
