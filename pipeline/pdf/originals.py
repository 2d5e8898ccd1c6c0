"""Signed PDFs as they come back from their signatories: every signature read and checked
(integrity, what later revisions changed, time, level), and the text that was signed.

Nothing here knows who should have signed or when: that is the convention's
(``convention.documents.signatories`` and ``signature_window``). A signature covers exact
bytes, so a signed original is only ever read here, never rewritten.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import io
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from pypdf import PdfReader

from pipeline.errors import SignatureError
from pipeline.french import date_fr

if TYPE_CHECKING:
    from asn1crypto import x509
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation.status import SignatureCoverageLevel

PARIS = "Europe/Paris"


def harmless(level: ModificationLevel | None) -> bool:
    """What a later revision may add after a signature without changing what was signed: other
    signatures in their fields, timestamps and validation data (pyHanko's difference analysis,
    whose levels are ordered: up to FORM_FILLING)."""
    # lazy: pyHanko (~0.9 s), only once a signed original or a signing is there
    from pyhanko.sign.diff_analysis import ModificationLevel

    return level is None or level <= ModificationLevel.FORM_FILLING


@dataclass(frozen=True)
class Signature:
    """One signature of a PDF, as the paying officer needs it read."""

    field: str
    signer: str  # the certificate's common name
    subject: str  # the certificate's whole subject, for verify
    issuer: str  # the common name of the authority that issued the certificate
    when: dt.datetime | None  # the timestamp's time if there is one, else the time the signer's computer gave
    timestamped: bool
    intact: bool  # the signed bytes are unchanged and the signature matches them
    trusted: bool  # the certificate chains to a given authority (and is valid then)
    coverage_level: SignatureCoverageLevel | None
    """What it covers, pyHanko's ordered level: ENTIRE_FILE, or ENTIRE_REVISION when something was added after it."""
    modification_level: ModificationLevel | None
    """What later revisions changed, pyHanko's ordered level: NONE < LTA_UPDATES < FORM_FILLING < ANNOTATIONS < OTHER."""
    level: str  # PAdES level reached: B-B, B-T, B-LT, B-LTA
    reason: str | None  # why it is not valid, in plain words (None when it is)

    @property
    def changed_after(self) -> bool:
        """Something other than signatures, timestamps or validation data was added after it."""
        return not harmless(self.modification_level)

    @property
    def coverage(self) -> str | None:
        """The coverage level's name, as pyHanko spells it (« ENTIRE_FILE »)."""
        return self.coverage_level.name if self.coverage_level is not None else None

    @property
    def modifications(self) -> str | None:
        """The modification level's name, as pyHanko spells it (« FORM_FILLING »)."""
        return self.modification_level.name if self.modification_level is not None else None

    @property
    def local(self) -> dt.datetime | None:
        """The time of the signature in France, where it is compared with the documents' dates."""
        if self.when is None:
            return None

        when = self.when if self.when.tzinfo else self.when.replace(tzinfo=dt.timezone.utc)
        return when.astimezone(ZoneInfo(PARIS))

    @property
    def day(self) -> dt.date | None:
        return self.local.date() if self.local else None

    @property
    def said(self) -> str:
        """« le 28 mars 2023 à 13 h 00 (heure de Paris, horodatage d'une autorité) »."""
        if self.local is None:
            return "sans date"
        source = "horodatage d'une autorité" if self.timestamped else "heure donnée par le poste du signataire"
        return f"le {date_fr(self.local.date())} à {self.local:%H} h {self.local:%M} (heure de Paris, {source})"


def common_name(subject: str) -> str:
    """'Common Name: Pascal FRIQUET, Organization: …' → 'Pascal FRIQUET'."""
    for part in subject.split(","):
        if part.strip().startswith("Common Name"):
            return part.split(":", 1)[1].strip()
    return subject


@contextlib.contextmanager
def quiet_validation():
    """pyHanko logs a failed chain with its whole traceback: the reason staff need is given in
    one plain line by the caller, so its loggers say nothing meanwhile."""
    loggers = [logging.getLogger(name) for name in ("pyhanko", "pyhanko_certvalidator")]
    saved = [(lg.propagate, lg.level, lg.handlers[:]) for lg in loggers]
    for lg in loggers:
        lg.propagate, lg.handlers = False, [logging.NullHandler()]
        lg.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for lg, (propagate, level, handlers) in zip(loggers, saved):
            lg.propagate, lg.handlers = propagate, handlers
            lg.setLevel(level)


def read_signatures(data: bytes, label: str, trust: list[x509.Certificate] | None = None) -> list[Signature]:
    """Every signature of a PDF (its bytes), validated offline from what it carries: the
    embedded certificates, timestamps and revocation data; ``trust``: the authorities'
    certificates (asn1crypto), without which nothing is called trusted."""
    # lazy: pyHanko (~0.9 s), only once a signed original or a signing is there
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.general import SigningError
    from pyhanko.sign.validation import validate_pdf_signature

    found = []
    try:
        with quiet_validation():
            reader = PdfFileReader(io.BytesIO(data), strict=False)
            dss = _has_validation_data(reader)
            timestamps = [s for s in reader.embedded_signatures if s.sig_object_type == "/DocTimeStamp"]
            for embedded in reader.embedded_signatures:
                if embedded.sig_object_type == "/DocTimeStamp":
                    continue
                context = _offline_context(reader, list(trust or []), embedded)
                status = validate_pdf_signature(embedded, context, skip_diff=False)
                stamp = status.timestamp_validity
                when = stamp.timestamp if stamp is not None else status.signer_reported_dt
                level = "B-T" if stamp is not None else "B-B"
                if stamp is not None and dss and _long_term(reader, embedded, list(trust or []), stamp.timestamp):
                    later = any(t.signed_revision > embedded.signed_revision for t in timestamps)
                    level = "B-LTA" if later else "B-LT"
                subject = status.signing_cert.subject.human_friendly
                found.append(
                    Signature(
                        field=embedded.field_name,
                        signer=common_name(subject),
                        subject=subject,
                        issuer=common_name(status.signing_cert.issuer.human_friendly),
                        when=when,
                        timestamped=stamp is not None,
                        intact=bool(status.intact and status.valid),
                        trusted=bool(status.bottom_line),
                        coverage_level=status.coverage,
                        modification_level=status.modification_level,
                        level=level,
                        reason=_reason(status, bool(trust)),
                    )
                )
    except (PdfError, SigningError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SignatureError(
            f"{label} : signatures illisibles ({exc.__class__.__name__}) — le fichier a peut-être été modifié ou abîmé",
            hint="demandez le fichier signé d'origine",
        ) from None
    return found


AUTHORITY_FILES = (".pem", ".crt", ".cer", ".der")


def authorities(folder: Path) -> list[x509.Certificate]:
    """The certificates of the authorities a convention trusts (``autorites/``: PEM or DER files,
    one or several certificates each): a signature counts as verified only when its certificate
    chains to one of them. An unreadable file is an error that names it."""
    # lazy: pyHanko (~0.9 s), only once a signed original or a signing is there
    from pyhanko.keys import load_certs_from_pemder

    found: list[x509.Certificate] = []
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        if path.suffix.lower() not in AUTHORITY_FILES or not path.is_file():
            continue
        try:
            found += list(load_certs_from_pemder([str(path)]))
        except (ValueError, TypeError, OSError) as exc:
            raise SignatureError(
                f"{path} : certificat d'autorité illisible ({exc.__class__.__name__})",
                hint="déposez dans ce dossier le certificat de l'autorité en PEM ou DER "
                "(.pem, .crt, .cer), tel que l'autorité le publie",
            ) from None
    return found


def _offline_context(reader, trust: list, embedded, *, revocation_mode: str = "soft-fail", moment=None):
    """Validation of ``embedded`` from what the file carries: the certificates and revocation
    data of its /DSS when it has one, never fetched. Only the OCSP responses about this
    signature's own certificates are given: pyhanko-certvalidator counts a response of the same
    responder about another certificate (another signer's, in a file signed in turn) as a failed
    check of this one, even in soft-fail mode."""
    # lazy: pyHanko (~0.9 s), only once a signed original or a signing is there
    from asn1crypto import crl as asn1_crl
    from asn1crypto import ocsp as asn1_ocsp
    from pyhanko.sign.validation.dss import DocumentSecurityStore, NoDSSFoundError
    from pyhanko_certvalidator import ValidationContext

    other_certs, ocsps, crls = None, [], []
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        pass
    else:
        ours = _certificates(embedded)
        ocsps = [
            response
            for response in (asn1_ocsp.OCSPResponse.load(ref.get_object().data) for ref in dss.ocsps)
            if _is_about(response, ours)
        ]
        crls = [asn1_crl.CertificateList.load(ref.get_object().data) for ref in dss.crls]
        other_certs = list(dss.load_certs())
    return ValidationContext(
        trust_roots=trust,
        allow_fetching=False,
        revocation_mode=revocation_mode,
        moment=moment,
        retroactive_revinfo=moment is not None,  # judged at a past moment: revocation data issued later counts
        other_certs=other_certs,
        ocsps=ocsps,
        crls=crls,
    )


def _certificates(embedded) -> list:
    """The certificates a signature carries: the signer's and its chain (CMS), its timestamp
    authority's (the timestamp token's)."""
    # lazy: pyHanko (~0.9 s), only once a signed original or a signing is there
    from pyhanko.sign.general import find_cms_attribute_iter

    carried = list(embedded.signed_data["certificates"] or [])
    unsigned = embedded.signer_info["unsigned_attrs"]
    if unsigned.native:
        for token in find_cms_attribute_iter(unsigned, "signature_time_stamp_token"):
            carried += list(token["content"]["certificates"] or [])
    return [embedded.signer_cert] + [c.chosen for c in carried if c.name == "certificate"]


def _is_about(response, certificates: list) -> bool:
    """Whether an OCSP response is about one of ``certificates`` (issuer name and serial
    number, as its CertID gives them: serial numbers alone repeat from one issuer to another)."""
    if response["response_status"].native != "successful":
        return False
    basic = response["response_bytes"]["response"].parsed
    for single in basic["tbs_response_data"]["responses"]:
        cert_id = single["cert_id"]
        algorithm = cert_id["hash_algorithm"]["algorithm"].native
        for cert in certificates:
            if cert_id["serial_number"].native == cert.serial_number and cert_id["issuer_name_hash"].native == getattr(
                cert.issuer, algorithm, None
            ):
                return True
    return False


def _long_term(reader, embedded, trust: list, moment) -> bool:
    """PAdES B-LT: the /DSS alone proves the signature and its timestamp valid at the
    timestamp's time, revocation data required for every certificate that names where to get
    it (nothing fetched). Trust: the given authorities, else the /DSS's self-signed ones (that
    trust itself is ``valide``'s business)."""
    # lazy: pyHanko (~0.9 s), only once a signed original or a signing is there
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    roots = trust or [c for c in DocumentSecurityStore.read_dss(reader).load_certs() if c.self_signed != "no"]
    context = _offline_context(reader, roots, embedded, revocation_mode="hard-fail", moment=moment)
    return bool(validate_pdf_signature(embedded, context, skip_diff=True).bottom_line)


def _has_validation_data(reader) -> bool:
    """Certificates and revocation data kept in the file (a /DSS), for a check years later."""
    dss = reader.root.get("/DSS")
    if dss is None:
        return False
    dss = dss.get_object()
    return "/Certs" in dss and ("/OCSPs" in dss or "/CRLs" in dss)


def _reason(status, trusted_roots: bool) -> str | None:
    """Why a signature is not valid, as the paying officer reads it (None when it is)."""
    if not (status.intact and status.valid):
        return "le document a été modifié après cette signature, ou la signature est abîmée"
    if not harmless(status.modification_level):
        # what was signed is intact, but something else was added after it: said as such, not as a
        # certificate's fault (pyHanko's bottom line is false for either)
        return "le fichier a été modifié après cette signature (annotation ou contenu ajouté)"
    if not status.trusted:
        if not trusted_roots:
            return "autorité de certification non vérifiée : indiquez-la avec --trust"
        return "le certificat du signataire ne vient pas d'une autorité de confiance indiquée par --trust"
    if not status.bottom_line:
        return "signature non valide (certificat expiré, révoqué ou usage non permis)"
    return None


def text_lines(reader) -> list[str]:
    """The text of a PDF, line by line, spaces made plain: what a reader reads, whatever the
    bytes (another version of LibreOffice writes the same text otherwise). Read once per file's
    bytes: the signed convention is compared with every year's identical rendering of it."""
    data = _bytes_of(reader)
    return list(_lines_of(data) if data is not None else _read_lines(reader))


@functools.lru_cache(maxsize=32)
def _lines_of(data: bytes) -> tuple[str, ...]:
    return _read_lines(_reader(data))


def _read_lines(reader) -> tuple[str, ...]:
    lines = []
    try:
        pages = list(reader.pages)
    except Exception:  # a damaged file (its integrity is reported apart)
        return ("(fichier illisible)",)
    for number, page in enumerate(pages, 1):
        try:
            text = page.extract_text() or ""
        except Exception:  # a damaged page (its integrity is reported apart) reads as such
            text = f"(page {number} illisible)"
        for line in text.splitlines():
            line = re.sub(r"\s+", " ", line.replace("\u00a0", " ").replace("\u202f", " ")).strip()
            if line:
                lines.append(line)
    return tuple(lines)


def _bytes_of(pdf) -> bytes | None:
    """A PDF's bytes, given as bytes, a path or an open reader (None if they cannot be had)."""
    if isinstance(pdf, (bytes, bytearray)):
        return bytes(pdf)
    if isinstance(pdf, (str, Path)):
        return Path(pdf).read_bytes()
    stream = getattr(pdf, "stream", None)
    if stream is None:
        return None
    if hasattr(stream, "getvalue"):
        return stream.getvalue()
    try:
        where = stream.tell()
        stream.seek(0)
        data = stream.read()
        stream.seek(where)
        return data
    except (AttributeError, OSError, ValueError):
        return None


def compare(signed, fresh) -> tuple[str, str] | None:
    """The first line where a signed PDF and today's rendering of it part ways (None: they read
    the same); each given as an open reader, a path or the file's bytes."""
    return first_difference(text_lines(_reader(signed)), text_lines(_reader(fresh)))


def _reader(pdf):
    if isinstance(pdf, (bytes, bytearray)):
        return PdfReader(io.BytesIO(pdf))
    return pdf if hasattr(pdf, "pages") else PdfReader(pdf)


def first_difference(signed: list[str], fresh: list[str]) -> tuple[str, str] | None:
    """The first line where what was signed and what the data gives today part ways
    (« » for a line one of them lacks); None when they read the same."""
    for a, b in zip(signed, fresh):
        if a != b:
            return a, b
    if len(signed) != len(fresh):
        return (signed[len(fresh)] if len(signed) > len(fresh) else "", fresh[len(signed)] if len(fresh) > len(signed) else "")
    return None


def embedded_pdfs(path: Path) -> list[tuple[str, bytes]]:
    """The PDFs a dossier carries as attachments (its signed originals): (file name, bytes)."""
    reader = PdfReader(path)
    return [(name, data) for name, datas in reader.attachments.items() for data in datas if data.startswith(b"%PDF-")]
