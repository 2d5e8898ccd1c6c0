"""A document signed apart, as the dossier sees it: its state (to sign, signed, a copy, its
signed file missing, damaged), the words each state is said with, and what a signed original
must be before a dossier encloses it: intact, signed by everyone who signs it, the document
today's data describes, and signed within its window of dates.

This module owns the signed original's domain: ``pipeline.originals_status.examine`` reads the
file (the PDF craft is ``pdf.originals``'), and the build, ``check``, ``status`` and the
preview all read its ``OriginalStatus`` and word it from the table below.

A finding has a severity: a breach is a warning in a draft and an error with ``--final``; a
notice (a certificate whose name is not the expected signatory's) stays a warning, since a
delegate or a parapheur's certificate may legitimately sign.
"""

from __future__ import annotations

import datetime as dt
import enum
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from pipeline.convention.documents import Planned, Signatory, signatories, signature_day, signature_window
from pipeline.convention.model import DossierData
from pipeline.french import date_fr, de

if TYPE_CHECKING:
    from pyhanko.sign.diff_analysis import ModificationLevel

    from pipeline.pdf.originals import Signature

CHANGES = {
    "ANNOTATIONS": "une annotation ou un commentaire a été ajouté",
    "OTHER": "le fichier a été modifié (annotation, commentaire ou contenu ajouté)",
}


def _change(level: ModificationLevel | None) -> str:
    """What a later revision did, said from pyHanko's ``ModificationLevel``."""
    return CHANGES.get(level.name, "le fichier a été modifié") if level is not None else "le fichier a été modifié"


FINAL = " (erreur avec --final)"


class Severity(enum.Enum):
    """How grave a finding is."""

    ERROR = "error"  # an error, draft or not
    BREACH = "breach"  # a warning in a draft, an error with --final
    NOTICE = "notice"  # a warning, always


@dataclass(frozen=True)
class Finding:
    """One thing wrong with a signed original, in staff's words."""

    message: str
    severity: Severity

    def stops(self, *, final: bool) -> bool:
        """Whether it stops the build (or fails ``check``)."""
        return self.severity is Severity.ERROR or (self.severity is Severity.BREACH and final)

    def said(self, *, final: bool) -> str:
        """The message as a warning says it: a breach in a draft says it will be an error."""
        return self.message + (FINAL if self.severity is Severity.BREACH and not final else "")


def is_copy(planned: Planned, data: DossierData) -> bool:
    """A document signed once (the convention) after its first year: the same signed original,
    joined as a copy. The one place this rule is written."""
    return planned.spec.signed_once and not data.first


class Enclosure(enum.Enum):
    """What the dossier does with a document signed apart."""

    TO_SIGN = "to sign"  # not returned signed: shown to sign
    MISSING_COPY = "missing copy"  # signed once, its first year; its signed file not (or not intact) here
    SIGNED = "signed"  # its signed original is enclosed
    SIGNED_COPY = "signed copy"  # signed once: its signed file is joined again, as a copy
    DAMAGED = "damaged"  # returned unreadable or modified: not enclosed, shown to sign

    @property
    def enclosed(self) -> bool:
        """The dossier shows the signed file's pages and carries the file itself."""
        return self in (Enclosure.SIGNED, Enclosure.SIGNED_COPY)

    @property
    def copy(self) -> bool:
        return self in (Enclosure.MISSING_COPY, Enclosure.SIGNED_COPY)


def enclosure(planned: Planned, data: DossierData, *, received: bool, intact: bool) -> Enclosure:
    """A document's state from its signed original: ``received`` (found in ``signes/``) and
    ``intact`` (readable, every signature intact). A damaged copy is a missing one: what is
    missing is its signed file."""
    if is_copy(planned, data):
        return Enclosure.SIGNED_COPY if received and intact else Enclosure.MISSING_COPY
    if not received:
        return Enclosure.TO_SIGN
    return Enclosure.SIGNED if intact else Enclosure.DAMAGED


@dataclass(frozen=True)
class OriginalStatus:
    """A document signed apart, examined once: its state, its signed file and what is wrong with it."""

    planned: Planned
    enclosure: Enclosure
    path: Path  # where its signed original is (or is to be) in ``signes/``
    shown: str  # that path as staff type it, in messages
    received: bool  # a file is there
    signatures: tuple[Signature, ...] = ()
    findings: tuple[Finding, ...] = ()  # what is wrong with the file (none when absent)
    difference: tuple[str, str] | None = None  # the first line where it and the rendering compared part ways
    unreadable: str | None = None  # why the file cannot be read

    def owed(self, data: DossierData, *, final: bool) -> tuple[Finding, ...]:
        """Its findings, and with ``--final`` the absence of a document still to sign (a breach:
        a final dossier encloses every signed original)."""
        if self.received or not final:
            return self.findings
        who = signers(self.planned, data)
        return (
            Finding(
                f"{self.shown} : absent — « {self.planned.title} » n'est pas encore revenu signé ; à faire "
                f"signer séparément par {who}, puis à déposer sous ce nom",
                Severity.BREACH,
            ),
        )


# what the dossier says of each state: the sommaire's and bookmarks' suffix, the phrase of the
# documents' context (« piece.signature »), the attachment's description; the margin mention is
# ``mention``'s (a copy's banner carries a date)
SUFFIX = {
    Enclosure.TO_SIGN: " (à signer séparément)",
    Enclosure.DAMAGED: " (à signer séparément)",
    Enclosure.MISSING_COPY: " (original signé manquant)",
    Enclosure.SIGNED: " (original signé joint)",  # « original », masculine whatever the document's gender
    Enclosure.SIGNED_COPY: " (fichier signé joint)",
}
PHRASE = {
    Enclosure.TO_SIGN: "à signer séparément par {who}",
    Enclosure.DAMAGED: "à signer séparément par {who}",
    Enclosure.MISSING_COPY: "original signé manquant, à joindre",
    Enclosure.SIGNED: "original signé électroniquement {signed_by}",
    Enclosure.SIGNED_COPY: "copie ; le fichier signé électroniquement {signed_by}, est joint pour vérification",
}
ATTACHMENT = {
    Enclosure.SIGNED: "original signé électroniquement",
    Enclosure.SIGNED_COPY: "fichier signé électroniquement, joint pour vérification (l'original a été "
    "transmis avec le premier appel)",
}
MENTION = {
    Enclosure.TO_SIGN: "Document à signer séparément par {who} – non signé à ce jour",
    Enclosure.DAMAGED: "Document à signer séparément par {who} – l'original reçu est abîmé ou modifié : non joint",
    Enclosure.SIGNED: "Signé électroniquement {signed_by} – original joint au présent fichier ({name})",
    Enclosure.SIGNED_COPY: "Copie de la convention signée électroniquement {signed_by} – original joint au "
    "présent fichier ({name})",
}


def signers(planned: Planned, data: DossierData) -> str:
    """« le Président de l'AR Hlm et la Vice-Présidente … »: who signs a document, as a phrase."""
    return " et ".join(s.title for s in signatories(planned, data))


def signed_by(status: OriginalStatus, data: DossierData, *, parties: bool = True) -> str:
    """« le 28 février 2022 par Martine EXEMPLE, pour la Métropole …, et Pascal FRIQUET, pour
    l'AR Hlm » (the day said once when they signed the same day, else after each name)."""
    conv = data.convention
    party_of = (
        {
            s.field: (conv.metropole if s.who == "metropole" else conv.association).designation_courte
            for s in signatories(status.planned, data)
        }
        if parties
        else {}
    )
    days = {s.day for s in status.signatures}
    said = []
    for s in status.signatures:
        who = s.signer + (f", pour {party_of[s.field]}" if s.field in party_of else "")
        said.append(who + (f"{',' if parties else ''} le {date_fr(s.day)}" if len(days) > 1 and s.day else ""))
    names = (", et " if parties else " et ").join([", ".join(said[:-1]), said[-1]] if len(said) > 1 else said)
    return f"le {date_fr(next(iter(days)))} par {names}" if len(days) == 1 and None not in days else f"par {names}"


def _words(template: str, status: OriginalStatus, data: DossierData, *, parties: bool = True) -> str:
    return template.format(
        who=signers(status.planned, data),
        name=status.path.name,
        signed_by=signed_by(status, data, parties=parties) if status.enclosure.enclosed and "{signed_by}" in template else "",
    )


def suffix(status: OriginalStatus) -> str:
    """What the sommaire and the bookmarks add to a document signed apart."""
    return SUFFIX[status.enclosure]


def phrase(status: OriginalStatus, data: DossierData) -> str:
    """What the documents say of a document signed apart (``piece.signature``)."""
    return _words(PHRASE[status.enclosure], status, data)


def attachment(status: OriginalStatus, data: DossierData) -> tuple[str, str] | None:
    """The description and subject of the signed file the dossier carries (None: it carries none)."""
    what = ATTACHMENT.get(status.enclosure)
    if what is None:
        return None
    return f"{status.planned.title} – {what}", f"signé {signed_by(status, data, parties=False)}"


def mention(status: OriginalStatus, data: DossierData) -> tuple[str, str | None]:
    """The line in the margin of each page of a document signed apart, and a copy's banner."""
    if status.enclosure is Enclosure.MISSING_COPY:  # signed the first year: its signed file is what is missing
        signed = data.convention.convention.date_signature
        said = f"Copie de la convention signée le {date_fr(signed)}" if signed else "Copie de la convention signée"
        return f"{said} – fichier signé non joint à ce jour", (
            f"COPIE – convention signée le {date_fr(signed)}" if signed else "COPIE"
        )
    text = _words(MENTION[status.enclosure], status, data)
    if status.enclosure is Enclosure.SIGNED_COPY:
        days = sorted(s.day for s in status.signatures if s.day)
        return text, (f"COPIE – convention signée le {date_fr(days[-1])}" if days else "COPIE")
    return text, None


def findings(
    planned: Planned,
    data: DossierData,
    shown: str,
    signatures: list[Signature],
    difference: tuple[str, str] | None,
    *,
    compared: str = "ne correspond plus aux données",
) -> list[Finding]:
    """Every problem of one signed original (``shown``: its path as staff type it), given its
    signatures (``pdf.originals.Signature``) and the first line where it differs from today's
    rendering of the data (None: the same text); ``compared``: how a difference is said (the
    dossier kept signed differs from the last build's, not from the data)."""
    found: list[Finding] = []

    def breach(message: str) -> None:
        found.append(Finding(f"{shown} : {message}", Severity.BREACH))

    if not signatures:
        breach("aucune signature dans ce fichier — déposez ici le PDF une fois signé")
        return found
    for s in signatures:
        if not s.intact:
            breach(
                f"la signature de {s.signer} n'est plus intacte : le document a été modifié après elle, ou le "
                "fichier est abîmé — redemandez l'original signé"
            )
        elif s.changed_after:
            breach(
                f"après la signature de {s.signer}, {_change(s.modification_level)} : "
                "seules d'autres signatures peuvent s'ajouter — redemandez l'original signé, sans annotation"
            )
        if s.intact and not s.trusted:
            breach(
                f"signature de {s.signer} non vérifiable : certificat émis par « {s.issuer} », qui n'est pas une "
                f"autorité de confiance de la convention — si c'est bien l'autorité du signataire, déposez son "
                f"certificat (.pem, .crt) dans {data.convention_dir.name}/autorites/ ; sinon, redemandez l'original "
                "signé avec un certificat reconnu"
            )
    expected = signatories(planned, data)
    for who in expected:
        mine = _signature_of(who, signatures)
        if mine is None:
            name = f" ({who.name})" if who.name else ""
            breach(f"la signature {de(who.title)}{name} manque — faites-le signer dans le champ « {who.field} »")
        elif who.name and mine.field == who.field and _plain(who.name) not in _plain(mine.signer):
            found.append(
                Finding(
                    f"{shown} : le champ « {who.field} » est signé par {mine.signer}, alors que les "
                    f"données nomment {who.name} ({who.title}) — vérifiez la délégation de signature",
                    Severity.NOTICE,
                )
            )
        elif not who.name:
            found.append(
                Finding(
                    f"{shown} : le champ « {who.field} » est signé par {mine.signer}, que rien ne "
                    f"permet de vérifier : les données ne nomment pas {who.title} — ajoutez son nom "
                    f"(prenom, nom) dans les données",
                    Severity.NOTICE,
                )
            )
    if difference is not None and "PROJET" in difference[0]:
        breach(
            "le document signé est une version de travail (marque PROJET) : faites signer le document publié "
            "une fois ses données réelles (sans marque PROJET), puis remplacez ce fichier"
        )
    elif difference is not None:
        signed, today = difference
        breach(
            f"{compared} : le document signé porte « {signed or '(rien)'} » où les données "
            f"d'aujourd'hui donnent « {today or '(rien)'} » — si la donnée est juste, faites signer le document "
            "reconstruit ; sinon, corrigez la donnée"
        )
    fields = {who.field: who.who for who in expected}
    for s in signatures:
        if s.day is None:
            breach(f"la signature de {s.signer} ne porte pas de date")
            continue
        message = out_of_window(planned, data, s.signer, s.day, fields.get(s.field))
        if message is not None:
            breach(message)
    return found


def out_of_window(planned: Planned, data: DossierData, signer: str, day: dt.date, who: str | None = None) -> str | None:
    """What is wrong with ``signer`` signing ``planned`` on ``day`` (None: nothing), for the party
    ``who`` signs for when known: a letter on its own date; a document not before its own date
    and before what relies on it; the convention between the délibération and the first call, on
    the day the data gives that party's signature (it is dated at its last one)."""
    earliest, latest, before_what = signature_window(planned, data)
    said = f"signé par {signer} le {date_fr(day)}"
    if planned.spec.letter and day != planned.date:
        return (
            f"{said}, et non le jour de sa date ({date_fr(planned.date)}) : une lettre se signe le jour où elle est "
            "datée — signez-la ce jour-là, ou corrigez sa date dans year.yaml, reconstruisez et signez à nouveau"
        )
    if earliest is not None and day < earliest:
        if planned.key == "convention":
            return (
                f"{said}, avant la délibération du {date_fr(earliest)} qui autorise la convention : chaque partie "
                "signe le texte approuvé, après la délibération"
            )
        return f"{said}, avant la date du document ({date_fr(earliest)}) : une signature ne peut pas précéder le document"
    if latest is not None and day > latest:
        return f"{said}, après {before_what} : il doit être signé au plus tard ce jour-là"
    expected = signature_day(planned, data, who) if who else None
    if expected is not None and day != expected:
        if data.convention.convention.signatures is not None:
            todo = f"si c'est la donnée qui est fausse, corrigez signatures.{who} ; sinon, faites signer à nouveau"
        else:
            todo = (
                "si les parties ont signé à des jours différents, donnez le jour de chacune sous « signatures: » "
                "(metropole, association) ; sinon, faites signer à nouveau"
            )
        key = f"signatures.{who}" if data.convention.convention.signatures is not None else "date_signature"
        return (
            f"{said}, quand convention.yaml date cette signature du {date_fr(expected)} ({key}) : la convention "
            f"est datée de sa dernière signature — {todo}"
        )
    return None


def _signature_of(who: Signatory, signatures: Sequence[Signature]) -> Signature | None:
    """The signature standing for a signatory: in their field, else one by their name (a
    parapheur may sign in a field of its own)."""
    for s in signatures:
        if s.field == who.field:
            return s
    if who.name:
        return next((s for s in signatures if _plain(who.name) in _plain(s.signer)), None)
    return None


def _plain(name: str) -> str:
    """A name compared without case or accents (« Sophie Exemple » is « SOPHIE EXEMPLE »)."""
    return "".join(c for c in unicodedata.normalize("NFD", name.casefold()) if not unicodedata.combining(c))
