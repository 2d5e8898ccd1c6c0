"""The signed originals of a dossier, found in ``signes/``, read once and examined: the one
door through which the build, ``check``, ``status`` and the preview learn the state of a
document signed apart (``convention.signed.OriginalStatus``).

Each caller gives what the signed text is compared with: the build its fresh rendering,
``check`` and ``status`` the document the last build published (when it is today's), the
preview nothing. The state and its words are the convention's (``convention.signed``); the
reading of the PDF is ``pdf.originals``'.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from pypdf import PdfReader

from pipeline import places
from pipeline.convention import catalogue, documents, model, signed
from pipeline.errors import InputError, SignatureError
from pipeline.pdf import assemble, originals

if TYPE_CHECKING:
    from asn1crypto import x509

# what a signed original's text is compared with: an open reader, a path or the PDF's bytes
Rendered = PdfReader | Path | bytes
# which one, for each document signed apart (None: not compared)
Rendering = Callable[[documents.Planned], Rendered | None]


def _not_compared(planned: documents.Planned) -> Rendered | None:
    return None


@dataclass
class Original:
    """A signed original from ``signes/``, read once: enclosed unchanged, its signatures checked."""

    path: Path
    shown: str  # its path as staff type it, in messages
    data: bytes = b""
    reader: PdfReader | None = None
    signatures: list[originals.Signature] = field(default_factory=list)
    unreadable: str | None = None  # why it cannot be enclosed

    @property
    def signed(self) -> bool:
        """Readable and signed: a file without a signature (the published PDF deposited as it
        was) is a document still to sign, never an original."""
        return self.reader is not None and bool(self.signatures)

    @property
    def intact(self) -> bool:
        """Signed, and every signature intact: the dossier may enclose it."""
        return self.signed and all(s.intact for s in self.signatures)


def returned(data: model.DossierData, plan: list[documents.Planned]) -> dict[str, Original]:
    """The signed originals found in ``signes/`` for the documents of ``plan`` signed apart, not read yet."""
    found = {}
    for d in plan:
        path = places.signed_original(data.convention_dir, d.stem)
        if catalogue.signed_apart(d.key) and path.is_file():
            found[d.key] = Original(path, model.display(path))
    return found


def trusted(convention_dir: Path) -> list[x509.Certificate]:
    """The authorities the convention trusts (``autorites/``): a signature whose certificate does
    not chain to one of them is « non vérifiable »."""
    return originals.authorities(places.authorities_folder(convention_dir))


def read_original(original: Original, trust: list[x509.Certificate] | None = None) -> Original:
    """A signed original opened and its signatures validated against the authorities ``trust``;
    one that cannot be read is not enclosed (the dossier shows the document to sign instead) and
    says why."""
    try:
        places.confined(original.path, original.path.parent.parent, "document signé")
        original.data = original.path.read_bytes()  # read once: what is enclosed is what was checked
        original.reader = assemble.open_pdf(io.BytesIO(original.data), original.shown)
        original.signatures = originals.read_signatures(original.data, original.shown, trust)
    except (SignatureError, InputError, OSError) as exc:
        original.reader, original.unreadable = None, str(exc)
    return original


def read_originals(data: model.DossierData, plan: list[documents.Planned]) -> dict[str, Original]:
    """The signed originals of ``plan``, found and read, their signatures checked against the
    convention's authorities."""
    found = returned(data, plan)
    trust = trusted(data.convention_dir) if found else []
    return {key: read_original(original, trust) for key, original in found.items()}


def examine(
    planned: documents.Planned, data: model.DossierData, original: Original | None, rendered: Rendered | None = None
) -> signed.OriginalStatus:
    """One document signed apart: its state, and what is wrong with its signed original (read
    already, None when absent), its text compared with ``rendered`` (an open reader, a path or
    bytes: the build's fresh rendering, the published document; None: not compared)."""
    path = original.path if original is not None else places.signed_original(data.convention_dir, planned.stem)
    unsigned = original is not None and original.reader is not None and not original.signed
    state = signed.enclosure(
        planned, data, received=original is not None and not unsigned, intact=original is not None and original.intact
    )
    if original is None:
        return signed.OriginalStatus(planned, state, path, model.display(path), received=False)
    if original.reader is None:
        why = original.unreadable or f"{original.shown} : illisible"
        return signed.OriginalStatus(
            planned,
            state,
            path,
            original.shown,
            received=True,
            findings=(signed.Finding(why, signed.Severity.BREACH),),
            unreadable=why,
        )
    difference = originals.compare(original.reader, rendered) if rendered is not None else None
    return signed.OriginalStatus(
        planned,
        state,
        path,
        original.shown,
        received=True,
        signatures=tuple(original.signatures),
        findings=tuple(signed.findings(planned, data, original.shown, original.signatures, difference)),
        difference=difference,
    )


def statuses(
    data: model.DossierData, plan: list[documents.Planned], found: dict[str, Original], rendered: Rendering = _not_compared
) -> dict[str, signed.OriginalStatus]:
    """Every document of ``plan`` signed apart, examined (``found``: its originals, read;
    ``rendered``: what each one's text is compared with, by its planned document)."""
    return {d.key: examine(d, data, found.get(d.key), rendered(d)) for d in plan if catalogue.signed_apart(d.key)}


def of_year(
    data: model.DossierData, plan: list[documents.Planned] | None = None, rendered: Rendering = _not_compared
) -> dict[str, signed.OriginalStatus]:
    """A dossier's documents signed apart, their originals found, read and examined: what
    ``check``, ``status`` and the preview ask."""
    plan = documents.plan(data) if plan is None else plan
    return statuses(data, plan, read_originals(data, plan), rendered)


def published(built: Path | None) -> Rendering:
    """What ``check`` and ``status`` compare a signed original with: the document the last
    build published in ``built``, when there is one."""

    def document(planned: documents.Planned) -> Path | None:
        pdf = built / f"{planned.stem}.pdf" if built is not None else None
        return pdf if pdf is not None and pdf.is_file() else None

    return document
