"""A test PKI with its services, made by certomancer and answered on the loopback interface.

    root « AC Racine de test »                      CRL  /<arch>/crls/root/latest.crl
     ├─ interm « AC Signature de test »             CRL  /<arch>/crls/interm/latest.crl
     │    │                                         OCSP /<arch>/ocsp/interm
     │    ├─ interm-ocsp « Répondeur OCSP de test » (ocsp-signing, ocsp-nocheck)
     │    ├─ pascal « Pascal FRIQUET »              (digitalSignature, nonRepudiation)
     │    └─ sophie « Sophie EXEMPLE »
     └─ tsa « Autorité d'horodatage de test »       TSA  /<arch>/tsa/tsa (time_stamping, critical)

The services are a real aiohttp server (certomancer's ``AsyncIllusionist`` app) bound to
127.0.0.1 on a free port, run by an event loop in a background thread; certomancer's
``external-url-prefix`` is ``http://127.0.0.1:<port>``, so that the URLs written in the
certificates (CRL distribution points, OCSP in the AIA) and the TSA's URL all lead there:
the pipeline, run in another process, signs and fetches exactly as it does in real life,
with nothing patched. Nothing is ever sent anywhere but 127.0.0.1.

The server can be stopped (``offline()``) to check that a file verifies without any
network, then started again on the same port (the one the certificates name).

Keys are made at run time with ``cryptography`` (certomancer only loads them): EC P-256,
the TSA's included (certomancer's TSA signs with any key). Validity periods are counted
from today, so the PKI never expires. The TSA's clock runs ``TSA_CLOCK_OFFSET`` behind the
computer's: the time a timestamp gives is then told apart from the signer's own.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import errno
import os
import socket
import threading
from contextlib import contextmanager
from pathlib import Path

ARCH = "essai"
PASSWORD = "mot-de-passe-de-test"
KEY_LABELS = ("root", "interm", "interm-ocsp", "tsa", "pascal", "sophie")
SIGNERS = {"pascal": ("Pascal FRIQUET", "Pascal", "FRIQUET"), "sophie": ("Sophie EXEMPLE", "Sophie", "EXEMPLE")}
TSA_CLOCK_OFFSET = -dt.timedelta(hours=2, minutes=17)
LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """A port of 127.0.0.1 nothing listens on (the system's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def is_listening(port: int) -> bool:
    """Whether a TCP connection to 127.0.0.1:port is accepted (False: refused)."""
    try:
        with socket.create_connection((LOOPBACK, port), timeout=2):
            return True
    except ConnectionRefusedError:
        return False


def write_keys(folder: Path) -> None:
    """One EC P-256 key per certificate, unencrypted PKCS#8 PEM, as certomancer reads them."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    folder.mkdir(parents=True, exist_ok=True)
    for label in KEY_LABELS:
        key = ec.generate_private_key(ec.SECP256R1())
        (folder / f"{label}.key.pem").write_bytes(
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        )


def config(url_prefix: str, key_dir: Path, now: dt.datetime) -> dict:
    """certomancer's configuration (what a certomancer.yml holds), as a dict."""
    day = now.astimezone(dt.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)

    def stamp(when: dt.datetime) -> str:
        return when.strftime("%Y-%m-%dT%H:%M:%S+0000")

    ca = {"valid-from": stamp(day - dt.timedelta(days=365)), "valid-to": stamp(day + dt.timedelta(days=3650))}
    person = {"valid-from": stamp(day - dt.timedelta(days=30)), "valid-to": stamp(day + dt.timedelta(days=730))}
    entities = {
        "root": {"common-name": "AC Racine de test"},
        "interm": {"common-name": "AC Signature de test"},
        "interm-ocsp": {"common-name": "Répondeur OCSP de test"},
        "tsa": {"common-name": "Autorité d'horodatage de test"},
    }
    for label, (cn, given, surname) in SIGNERS.items():
        entities[label] = {"common-name": cn, "given-name": given, "surname": surname}
    certs = {
        "root": {
            "subject": "root",
            "issuer": "root",
            "validity": ca,
            "profiles": [{"id": "simple-ca", "params": {"crl-repo": "root"}}],
        },
        "interm": {
            "issuer": "root",
            "validity": ca,
            "profiles": [{"id": "simple-ca", "params": {"max-path-len": 0, "crl-repo": "interm", "ocsp-service": "interm"}}],
        },
        "interm-ocsp": {"issuer": "interm", "validity": person, "profiles": ["ocsp-responder"]},
        "tsa": {
            "issuer": "root",
            "validity": ca,
            "extensions": [
                {"id": "key_usage", "critical": True, "smart-value": {"schema": "key-usage", "params": ["digital_signature"]}},
                {"id": "extended_key_usage", "critical": True, "value": ["time_stamping"]},
            ],
        },
        "pascal": {"issuer": "interm", "validity": person, "profiles": ["digsig-commitment"]},
        "sophie": {"template": "pascal", "subject": "sophie", "subject-key": "sophie"},
    }
    services = {
        "ocsp": {"interm": {"for-issuer": "interm", "responder-cert": "interm-ocsp", "signing-key": "interm-ocsp"}},
        "crl-repo": {
            "root": {"for-issuer": "root", "signing-key": "root", "simulated-update-schedule": "P7D"},
            "interm": {"for-issuer": "interm", "signing-key": "interm", "simulated-update-schedule": "P1D"},
        },
        "time-stamping": {"tsa": {"signing-key": "tsa", "signing-cert": "tsa"}},
    }
    return {
        "external-url-prefix": url_prefix,
        "keysets": {
            ARCH: {"path-prefix": os.fspath(key_dir), "keys": {label: {"path": f"{label}.key.pem"} for label in KEY_LABELS}}
        },
        "pki-architectures": {
            ARCH: {
                "keyset": ARCH,
                "entity-defaults": {"country-name": "FR", "organization-name": "PKI de test"},
                "entities": entities,
                "certs": certs,
                "services": services,
            }
        },
    }


class LoopbackPki:
    """The PKI, its files (``root.pem``, ``<label>.p12``) in ``folder``, and its services served on
    127.0.0.1:``port`` from a background thread. ``requests`` lists (method, path) of what the
    server answered, for a test to see what the pipeline asked for."""

    __test__ = False

    def __init__(self, folder: Path, port: int | None = None):
        from certomancer.registry import CertomancerConfig

        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        write_keys(self.folder / "keys")
        cfg = config(f"http://{LOOPBACK}:{self.port}", self.folder / "keys", dt.datetime.now(dt.timezone.utc))
        self.arch = CertomancerConfig(cfg, key_search_dir=os.fspath(self.folder)).get_pki_arch(ARCH)
        self.requests: list[tuple[str, str]] = []
        self.root_pem = self._write_pem("root")
        self.p12 = {label: self._write_pkcs12(label) for label in SIGNERS}
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="pki-loopback", daemon=True)
        self._thread.start()
        self._runner = None

    # -- what the certificates name ------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def tsa_url(self) -> str:
        from certomancer.registry import ServiceLabel

        return self.arch.service_registry.get_tsa_info(ServiceLabel("tsa")).url

    @property
    def ocsp_url(self) -> str:
        from certomancer.registry import ServiceLabel

        return self.arch.service_registry.get_ocsp_info(ServiceLabel("interm")).url

    def crl_url(self, repo: str) -> str:
        from certomancer.registry import ServiceLabel

        return self.arch.service_registry.get_crl_repo_info(ServiceLabel(repo)).latest_external_url

    def cert(self, label: str):
        """The certificate (asn1crypto), as pyHanko reads it."""
        from certomancer.registry import CertLabel

        return self.arch.get_cert(CertLabel(label))

    # -- files the staff have: the authority's certificate, each signer's .p12 ------------
    def _write_pem(self, label: str) -> Path:
        from asn1crypto import pem

        path = self.folder / f"{label}.pem"
        path.write_bytes(pem.armor("CERTIFICATE", self.cert(label).dump()))
        return path

    def _write_pkcs12(self, label: str) -> Path:
        """Key, certificate and chain (intermediate, root), protected by PASSWORD."""
        from certomancer.registry import KeyLabel
        from cryptography import x509
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.serialization import pkcs12

        key = serialization.load_der_private_key(self.arch.key_set.get_private_key(KeyLabel(label)).dump(), None)
        cert = x509.load_der_x509_certificate(self.cert(label).dump())
        chain = [x509.load_der_x509_certificate(self.cert(ca).dump()) for ca in ("interm", "root")]
        path = self.folder / f"{label}.p12"
        path.write_bytes(
            pkcs12.serialize_key_and_certificates(
                label.encode(), key, cert, chain, serialization.BestAvailableEncryption(PASSWORD.encode())
            )
        )
        return path

    # -- the server ---------------------------------------------------------------------
    def _app(self):
        import aiohttp.web
        from asn1crypto import tsp
        from certomancer.integrations.aiohttp_illusionist import AsyncIllusionist

        arch = self.arch

        class Illusionist(AsyncIllusionist):
            """certomancer's services, the TSA's clock running TSA_CLOCK_OFFSET behind."""

            def _make_tsa_handler(self, label):
                async def handle(request):
                    when = dt.datetime.now(dt.timezone.utc) + TSA_CLOCK_OFFSET
                    tsa = arch.service_registry.summon_timestamper(label, when)
                    response = tsa.request_tsa_response(tsp.TimeStampReq.load(await request.read()))
                    return aiohttp.web.Response(body=response.dump(), content_type="application/timestamp-reply")

                return handle

        @aiohttp.web.middleware
        async def record(request, handler):
            self.requests.append((request.method, request.path))
            return await handler(request)

        app = Illusionist(arch).build_app()
        app.middlewares.append(record)
        return app

    def _run(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=10)

    def start(self) -> None:
        """Serve on 127.0.0.1:port (the port the certificates name), when not serving already."""
        if self._runner is not None:
            return
        import aiohttp.web

        async def serve():
            runner = aiohttp.web.AppRunner(self._app(), access_log=None, handle_signals=False)
            await runner.setup()
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((LOOPBACK, self.port))
            except OSError as exc:
                sock.close()
                await runner.cleanup()
                if exc.errno == errno.EADDRINUSE:
                    raise RuntimeError(f"le port {self.port} de la PKI de test est pris par un autre programme") from exc
                raise
            await aiohttp.web.SockSite(runner, sock).start()
            return runner

        self._runner = self._run(serve())

    def stop(self) -> None:
        """Stop serving: a connection to the port is then refused."""
        if self._runner is not None:
            runner, self._runner = self._runner, None
            self._run(runner.cleanup())

    @property
    def serving(self) -> bool:
        return self._runner is not None

    @contextmanager
    def offline(self):
        """The network gone, as it is years later: the server stopped (and checked to refuse
        connections), started again afterwards."""
        self.stop()
        if is_listening(self.port):
            raise RuntimeError(f"127.0.0.1:{self.port} répond encore, serveur arrêté")
        try:
            yield
        finally:
            self.start()

    def close(self) -> None:
        self.stop()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()
