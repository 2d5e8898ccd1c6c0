"""A certification authority and signatories made by the tests, and signing as each signatory
does on their own day (the time their computer gives), into a document's own field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from pipeline.pdf.signing import stamp_style

PASSWORD = "secret-de-test"


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"), x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


class Pki:
    """An authority valid since 2020 and the certificates it issues, as .p12 files in ``folder``."""

    def __init__(self, folder: Path, authority: str = "AC de test"):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.key = ec.generate_private_key(ec.SECP256R1())  # fast to make, as RGS cards' keys
        start = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(_name(authority))
            .issuer_name(_name(authority))
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(start + dt.timedelta(days=365 * 20))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True)
            .sign(self.key, hashes.SHA256())
        )
        self.pem = self.folder / f"{authority.replace(' ', '-')}.pem"
        self.pem.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))
        self.p12: dict[str, Path] = {}

    def trusted_by(self, convention: Path) -> None:
        """The convention trusts this authority, as staff configure theirs: its certificate in
        ``autorites/``."""
        folder = Path(convention) / "autorites"
        folder.mkdir(exist_ok=True)
        (folder / self.pem.name).write_bytes(self.pem.read_bytes())

    def person(self, common_name: str) -> Path:
        """The .p12 of a signatory (made once), protected by PASSWORD."""
        if common_name not in self.p12:
            key = ec.generate_private_key(ec.SECP256R1())
            cert = (
                x509.CertificateBuilder()
                .subject_name(_name(common_name))
                .issuer_name(self.cert.subject)
                .public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(self.cert.not_valid_before_utc)
                .not_valid_after(self.cert.not_valid_after_utc)
                .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
                .sign(self.key, hashes.SHA256())
            )
            path = self.folder / f"{common_name.replace(' ', '-')}.p12"
            path.write_bytes(
                pkcs12.serialize_key_and_certificates(
                    common_name.encode(), key, cert, [self.cert], serialization.BestAvailableEncryption(PASSWORD.encode())
                )
            )
            self.p12[common_name] = path
        return self.p12[common_name]

    def sign(self, pdf: Path, out: Path, field: str, who: str, day: dt.date, *, hour: int = 11) -> Path:
        """``who`` signs ``field`` of ``pdf`` on ``day`` (an incremental update written to ``out``)."""
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import fields, signers

        signer = signers.SimpleSigner.load_pkcs12(str(self.person(who)), passphrase=PASSWORD.encode())
        when = dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.timezone.utc)

        class OnThatDay(signers.PdfSigner):
            def init_signing_session(self, pdf_out, existing_fields_only=False):
                session = super().init_signing_session(pdf_out, existing_fields_only)
                session.system_time = when
                return session

        meta = signers.PdfSignatureMetadata(field_name=field, subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256")
        data = Path(pdf).read_bytes()
        import io

        buffer = io.BytesIO()
        with stamp_style(who, when) as style:  # the look the project's « sign » gives
            OnThatDay(meta, signer=signer, stamp_style=style).sign_pdf(
                IncrementalPdfFileWriter(io.BytesIO(data), strict=False), output=buffer
            )
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_bytes(buffer.getvalue())
        return Path(out)
