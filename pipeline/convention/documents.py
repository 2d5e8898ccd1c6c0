"""A dossier's documents (its plan, from the catalogue), their dates and properties, and what
the dossier says of itself (cover, metadata, signature labels).

What their templates are filled with is ``context``'s.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pipeline.convention import crf
from pipeline.convention.catalogue import SPECS, DocumentSpec
from pipeline.convention.model import DossierData
from pipeline.french import date_fr, de, minuscule


@dataclass(frozen=True)
class Planned:
    """One document of one dossier: its template, its file name, its title and its own date."""

    spec: DocumentSpec
    stem: str
    title: str
    date: dt.date

    @property
    def key(self) -> str:
        return self.spec.key

    @property
    def own_title(self) -> str:
        """The title the document's file carries: a document signed once (the convention) is the
        same whether a dossier joins it as the original or as a copy (converted once for every year)."""
        return self.spec.title if self.spec.signed_once else self.title


def plan(data: DossierData) -> list[Planned]:
    """The documents of a dossier, in order. Year N: the convention, the call of N and its
    bordereau, the bilan of N-1 (none the first year), the minutes of the COPIL of N. The
    closing dossier: the bilan of the last year, the final bilan, the closing COPIL's minutes.
    The sending of a year's compte rendu financier: the CRF and its covering letter."""
    if data.sending:
        return sending_plan(data)
    terms, year = data.convention.convention, data.year
    n = year.annee
    reported = data.bilan_year
    committee = minuscule(data.convention.copil.nom)  # the convention's own name (« comité stratégique »)
    copil = Planned(
        SPECS["pv-copil"],
        f"pv-copil-{n}",
        f"Le procès-verbal du {committee} {'de clôture ' if data.closing else ''}du {date_fr(year.copil.date)}",
        year.copil.date,
    )
    bilan = []
    if reported is not None:
        assert reported.bilan is not None  # a reported year without its bilan is an error (rules._reported)
        bilan.append(
            Planned(
                SPECS["bilan"],
                f"bilan-{reported.annee}",
                f"Le bilan {reported.annee} de la mise en œuvre de la convention",
                reported.bilan.date,
            )
        )
    enclosed_crf = crf_planned(data)
    if data.closing:
        assert year.bilan_final is not None  # the closing year without it is an error (rules._closing)
        final = Planned(
            SPECS["bilan-final"],
            f"bilan-final-{terms.periode}",
            f"Le bilan final de la convention {terms.periode}",
            year.bilan_final.date,
        )
        # the letter that sends the closing dossier comes first, as the call does in a year's
        letter = (
            [
                Planned(
                    SPECS["transmission"],
                    f"transmission-{n}",
                    "La lettre de transmission du dossier de clôture",
                    year.transmission.date,
                )
            ]
            if year.transmission is not None
            else []
        )
        return [*letter, *bilan, final, *enclosed_crf, copil]
    # one convention for the whole period, signed once: the first year encloses the signed
    # original, the later years a copy of it (unless convention.yaml says the Métropole needs none)
    title = (
        SPECS["convention"].title
        if data.first
        else "La copie de la convention de partenariat signée"
        + (f" le {date_fr(terms.date_signature)}" if terms.date_signature else "")
    )
    convention = (
        [Planned(SPECS["convention"], "convention", title, terms.date_signature or terms.date_debut)]
        if data.first or terms.copie_jointe
        else []
    )
    assert year.appel is not None  # a year of the period without its call is an error (rules._call)
    return [
        *convention,
        Planned(SPECS["appel"], f"appel-{n}", f"L'appel de participation {n}", year.appel.date),
        Planned(SPECS["bordereau"], f"bordereau-{n}", f"Le bordereau des pièces jointes à l'appel {n}", year.appel.date),
        *bilan,
        *enclosed_crf,
        copil,
    ]


def crf_planned(data: DossierData) -> list[Planned]:
    """The compte rendu financier the dossier encloses (``crf.enclosed``: that of N-2, drawn up
    by the letter's date), or none."""
    year = crf.enclosed(data)
    if year is None or year.crf is None:  # enclosed() returns a year with its crf
        return []
    return [
        Planned(SPECS["crf"], f"crf-{year.annee}", f"Le compte rendu financier de la participation {year.annee}", year.crf.date)
    ]


# what a year's sending holds (``sending_plan``): its CRF, which a later dossier encloses too, and
# the letter that sends it, which no dossier holds
SENDING = ("crf", "lettre-crf")


def sending_plan(data: DossierData) -> list[Planned]:
    """The compte rendu financier N sent on its own by 30 June N+1, once the accounts of N are
    approved: the CRF (the same document, same file name, that the dossier N+2 or the closing one
    encloses once signed) and the letter that sends it, dated ``crf.transmis_le`` (none while the
    data does not say when it leaves)."""
    year = data.year
    n, block = year.annee, year.crf
    assert block is not None  # a sending without its crf is refused on loading (model.load_sending)
    found = [Planned(SPECS["crf"], f"crf-{n}", f"Le compte rendu financier de la participation {n}", block.date)]
    if block.transmis_le is not None:
        found.append(
            Planned(SPECS["lettre-crf"], f"lettre-crf-{n}", f"La lettre d'envoi du compte rendu financier {n}", block.transmis_le)
        )
    return found


def dossier_date(data: DossierData) -> dt.date:
    """The dossier's own date: the letter that sends it, or the closing COPIL (its last document)."""
    return max(p.date for p in plan(data))


@dataclass(frozen=True)
class Wording:
    """What the dossier says of itself: its cover, its PDF metadata and its page-number label."""

    title: str
    subject: str
    keywords: list[str]
    cover_lines: list[str]
    number_label: str
    draft_mark: str | None


def dossier_wording(data: DossierData, *, final: bool) -> Wording:
    """The dossier's cover and metadata, as a French administration titles it: the year's
    dossier (call, bordereau, bilan, minutes), or the closing one (bilans and closing COPIL)."""
    conv, year = data.convention, data.year
    terms = conv.convention
    parties = f"{conv.metropole.nom} et {conv.association.nom_court}"
    committee = minuscule(conv.copil.nom)
    keys = [d.key for d in plan(data)]
    bilan_year = data.bilan_year if "bilan" in keys else None
    crf_year = data.crf_year if "crf" in keys else None
    crf_part = [f"compte rendu financier {crf_year.annee}"] if crf_year is not None else []
    if data.closing:
        what = f"Dossier de clôture de la convention {terms.periode}"
        parts = (
            (["lettre de transmission"] if "transmission" in keys else [])
            + [f"bilan {terms.annees[-1]}", f"bilan final {terms.periode}"]
            + crf_part
            + [f"procès-verbal du {committee} de clôture"]
        )
        last_line = (
            f"Lettre de transmission – {year.transmission.reference} du {date_fr(year.transmission.date)}"
            if year.transmission is not None
            else f"{conv.copil.nom} de clôture du {date_fr(year.copil.date)}"
        )
        label = f"Dossier de clôture {terms.periode}"
    else:
        what = f"Dossier de l'année {year.annee}"
        parts = (
            [f"appel de participation {year.annee}", "bordereau"]
            + ([f"bilan {bilan_year.annee}"] if bilan_year is not None else [])
            + crf_part
            + [f"procès-verbal du {committee}"]
            + (["convention de partenariat" if data.first else "copie de la convention signée"] if "convention" in keys else [])
        )
        assert year.appel is not None  # a year of the period without its call is an error (rules._call)
        last_line = f"Appel de participation {year.annee} – {year.appel.reference} du {date_fr(year.appel.date)}"
        label = f"Dossier {year.annee}"
    subject = ", ".join(parts[:-1]) + " et " + parts[-1]
    subject = subject[0].upper() + subject[1:] + f" – {parties}"
    example = year.donnees_exemple or any(y.donnees_exemple for y in data.reported.values())
    return Wording(
        title=f"Dossier de clôture – {terms.titre}" if data.closing else f"{what} – {terms.titre}",
        subject=subject,
        keywords=[
            terms.titre,
            str(year.annee),
            conv.metropole.nom,
            conv.association.nom_court,
            *(["bilan final", "clôture"] if data.closing else ["appel de participation"]),
            *(["bilan"] if "bilan" in keys else []),
            committee,
        ],
        cover_lines=[terms.titre, what, "entre", conv.metropole.designation, "et", conv.association.designation, "", last_line],
        number_label=label,
        draft_mark=None
        if final
        else ("PROJET – données d'exemple, version de travail" if example else "PROJET – version de travail"),
    )


def signature_label(who: str, planned: Planned, data: DossierData) -> str:
    """The label of an empty signature field: who signs, and what."""
    conv = data.convention
    name = {"metropole": conv.metropole.nom, "association": conv.association.nom_court}.get(who, who)
    return f"Signature – {name} – {planned.own_title}"


def issuer(key: str, data: DossierData) -> str:
    """Who issues a document (its author in the file's properties): the AR Hlm for what it
    writes, both parties for the convention and the minutes of their joint committee."""
    conv = data.convention
    if key in ("convention", "pv-copil"):
        return f"{conv.metropole.nom} et {conv.association.nom}"
    return conv.association.nom


def set_properties(document, key: str, planned: Planned, data: DossierData) -> None:
    """The file's properties tell what the document says of itself: its issuer as author,
    its own date as creation and modification date, its title (never the tool that made it)."""
    props = document.core_properties
    when = dt.datetime(planned.date.year, planned.date.month, planned.date.day, 0, 0, 0)  # before any signature that day
    props.author = props.last_modified_by = issuer(key, data)
    props.title = planned.own_title
    props.subject = data.convention.convention.titre
    props.created = props.modified = when
    props.revision = 1
    props.comments = ""
    props.keywords = ""
    props.category = ""


def not_ready_to_sign(planned: Planned, data: DossierData) -> str | None:
    """Why a document signed apart cannot be signed yet (None: it can, and is rendered without
    the PROJET mark even in a draft dossier): its blanks unfilled, or its data an example."""
    terms = data.convention.convention
    if planned.key == "convention":
        blanks = [
            what
            for what, value in (
                ("le numéro de la délibération", terms.deliberation.numero),
                ("la date de la délibération", terms.deliberation.date),
                ("la date de signature", terms.date_signature),
            )
            if value is None
        ]
        return f"{', '.join(blanks)} en blanc dans convention.yaml" if blanks else None
    if planned.key == "bilan":
        years = [data.bilan_year] if data.bilan_year is not None else []
    elif planned.key == "crf":
        years = [data.crf_year] if data.crf_year is not None else []
    elif planned.key == "bilan-final":
        years = [data.reported[y] for y in terms.annees if y in data.reported] + [data.year]
    else:
        years = [data.year]
    example = [str(y.annee) for y in years if y.donnees_exemple]
    return f"données d'exemple ({', '.join(example)})" if example else None


@dataclass(frozen=True)
class Signatory:
    """Who must sign a document signed apart: the party, the field under their block, and the
    person as the data names them (None when it does not)."""

    who: str  # 'metropole' or 'association'
    field: str  # the signature field: '<document>-<who>'
    title: str  # « le Président de l'AR Hlm »
    name: str | None  # « Pascal FRIQUET »


def signatories(planned: Planned, data: DossierData) -> list[Signatory]:
    """Who signs a document: the parties' representatives for the convention, the association's
    for its bilans, the members whose role carries ``signe_pour`` for the minutes."""
    conv = data.convention
    found = []
    for who in planned.spec.signers:
        party = conv.metropole if who == "metropole" else conv.association
        representant = party.representant
        title = f"{'la' if representant.feminin else 'le'} {representant.qualite} de {party.designation_courte}"
        name = representant.prenom_nom if representant.nom else None
        if planned.key == "pv-copil":
            member, person = minutes_signer(data, who)
            if person is not None:  # as the minutes name them: « le Président de l'AR Hlm »
                title = person.titre
                if party.nom_court not in person.qualite and party.nom not in person.qualite:
                    title += f" {de(party.designation_courte)}"
            elif member is not None:
                title = member.libelle
            name = person.prenom_nom if person else None
        found.append(Signatory(who, f"{planned.key}-{who}", title, name))
    return found


def minutes_signer(data: DossierData, who: str) -> tuple:
    """Who signs the minutes for a party: the first member of the committee whose role carries
    ``signe_pour``, and the person present in that role (None for either when there is none)."""
    member = next((m for m in data.convention.copil.membres if m.signe_pour == who), None)
    people = {p.role: p for p in data.year.copil.presents if p.role}
    return member, people.get(member.role) if member else None


def signature_window(planned: Planned, data: DossierData) -> tuple[dt.date | None, dt.date | None, str]:
    """When a document may be signed: not before its own date, and before what relies on it —
    the convention before the first call, a bilan before the committee that examines it, the
    minutes before the letter they go with; a letter on its own date."""
    year, sigle = data.year, data.convention.copil.sigle
    if planned.spec.letter:  # a letter is signed on the day it is dated (a dossier's, last of all)
        return planned.date, planned.date, "la date de la lettre"
    if data.sending:  # the compte rendu financier, before the letter that sends it
        assert year.crf is not None  # a sending without its crf is refused on loading (model.load_sending)
        sent = year.crf.transmis_le
        return planned.date, sent, f"la lettre d'envoi du {date_fr(sent)}" if sent else ""
    if planned.key == "convention":  # each party, in turn, between its deliberation and the first call
        terms = data.convention.convention
        return (
            terms.deliberation.date,
            data.first_call,
            "le premier appel de participation" + (f" du {date_fr(data.first_call)}" if data.first_call else ""),
        )
    if planned.key in ("bilan", "bilan-final"):
        return planned.date, year.copil.date, f"le {sigle} du {date_fr(year.copil.date)} qui l'examine"
    if year.appel is not None:
        return planned.date, year.appel.date, f"l'appel de participation du {date_fr(year.appel.date)}"
    if year.transmission is not None:
        return planned.date, year.transmission.date, f"la lettre de transmission du {date_fr(year.transmission.date)}"
    return planned.date, None, ""


def signature_day(planned: Planned, data: DossierData, who: str) -> dt.date | None:
    """The day the data gives a party's signature of a document signed once by both (the
    convention, dated at its last signature; each party's own day when they sign in turn);
    None for other documents, or while the data leaves it blank."""
    if planned.key != "convention" or who not in ("metropole", "association"):
        return None
    return data.convention.convention.signee_le(who)
