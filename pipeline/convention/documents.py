"""A dossier's documents (its plan, from the catalogue), their dates and properties, and what
the dossier says of itself (cover, metadata, signature labels).

What their templates are filled with is ``context``'s.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pipeline.convention.catalogue import SPECS, DocumentSpec
from pipeline.convention.model import Inputs
from pipeline.french import date_fr

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


def plan(inputs: Inputs) -> list[Planned]:
    """The documents of a dossier, in order. Year N: the convention, the call of N and its
    bordereau, the bilan of N-1 (none the first year), the minutes of the COPIL of N. The
    closing dossier: the bilan of the last year, the final bilan, the closing COPIL's minutes."""
    terms, year = inputs.convention.convention, inputs.year
    n = year.annee
    reported = inputs.bilan_year
    copil = Planned(SPECS["pv-copil"], f"pv-copil-{n}",
                    f"Le procès-verbal du comité de pilotage {'de clôture ' if inputs.closing else ''}"
                    f"du {date_fr(year.copil.date)}", year.copil.date)
    bilan = [Planned(SPECS["bilan"], f"bilan-{reported.annee}",
                     f"Le bilan {reported.annee} de la mise en œuvre de la convention", reported.bilan.date)] \
        if reported is not None else []
    if inputs.closing:
        final = Planned(SPECS["bilan-final"], f"bilan-final-{terms.periode}",
                        f"Le bilan final de la convention {terms.periode}", year.bilan_final.date)
        return [*bilan, final, copil]
    return [
        Planned(SPECS["convention"], f"convention-{n}", SPECS["convention"].title,
                terms.date_signature or terms.date_debut),
        Planned(SPECS["appel"], f"appel-{n}", f"L'appel de participation {n}", year.appel.date),
        Planned(SPECS["bordereau"], f"bordereau-{n}", f"Le bordereau des pièces jointes à l'appel {n}", year.appel.date),
        *bilan,
        copil,
    ]


def dossier_date(inputs: Inputs) -> dt.date:
    """The dossier's own date: the letter that sends it, or the closing COPIL (its last document)."""
    return max(p.date for p in plan(inputs))


@dataclass(frozen=True)
class Wording:
    """What the dossier says of itself: its cover, its PDF metadata and its page-number label."""

    title: str
    subject: str
    keywords: list[str]
    cover_lines: list[str]
    number_label: str
    draft_mark: str | None


def dossier_wording(inputs: Inputs, *, final: bool) -> Wording:
    """The dossier's cover and metadata, as a French administration titles it: the year's
    dossier (call, bordereau, bilan, minutes), or the closing one (bilans and closing COPIL)."""
    conv, year = inputs.convention, inputs.year
    terms = conv.convention
    parties = f"{conv.metropole.nom} et {conv.association.nom_court}"
    if inputs.closing:
        what = f"Dossier de clôture de la convention {terms.periode}"
        subject = (f"Bilan {terms.annees[-1]}, bilan final {terms.periode} et procès-verbal du comité de pilotage "
                   f"de clôture – {parties}")
        last_line = f"Comité de pilotage de clôture du {date_fr(year.copil.date)}"
        label = f"Dossier de clôture {terms.periode}"
    else:
        what = f"Dossier de l'année {year.annee}"
        subject = (f"Appel de participation {year.annee}, bordereau, bilan et procès-verbal du comité de pilotage – "
                   f"{parties}")
        last_line = f"Appel de participation {year.annee} – {year.appel.reference} du {date_fr(year.appel.date)}"
        label = f"Dossier {year.annee}"
    example = year.donnees_exemple or any(y.donnees_exemple for y in inputs.reported.values())
    return Wording(
        title=f"{what} – {terms.titre}",
        subject=subject,
        keywords=[terms.titre, str(year.annee), conv.metropole.nom, conv.association.nom_court,
                  *(["bilan final", "clôture"] if inputs.closing else ["appel de participation"]),
                  "bilan", "comité de pilotage"],
        cover_lines=[terms.titre, what, "entre", conv.metropole.designation, "et",
                     conv.association.designation, "", last_line],
        number_label=label,
        draft_mark=None if final else ("PROJET – données d'exemple, version de travail" if example
                                       else "PROJET – version de travail"),
    )


def signature_label(who: str, planned: Planned, inputs: Inputs) -> str:
    """The label of an empty signature field: who signs, and what."""
    conv = inputs.convention
    name = {"metropole": conv.metropole.nom, "association": conv.association.nom_court}.get(who, who)
    return f"Signature – {name} – {planned.title}"


def issuer(key: str, inputs: Inputs) -> str:
    """Who issues a document (its author in the file's properties): the AR Hlm for what it
    writes, both parties for the convention and the minutes of their joint committee."""
    conv = inputs.convention
    if key in ("convention", "pv-copil"):
        return f"{conv.metropole.nom} et {conv.association.nom}"
    return conv.association.nom


def set_properties(document, key: str, planned: Planned, inputs: Inputs) -> None:
    """The file's properties tell what the document says of itself: its issuer as author,
    its own date as creation and modification date, its title (never the tool that made it)."""
    props = document.core_properties
    when = dt.datetime(planned.date.year, planned.date.month, planned.date.day, 12, 0, 0)
    props.author = props.last_modified_by = issuer(key, inputs)
    props.title = planned.title
    props.subject = inputs.convention.convention.titre
    props.created = props.modified = when
    props.revision = 1
    props.comments = ""
    props.keywords = ""
    props.category = ""


def signs_here(key: str, inputs: Inputs) -> bool:
    """Whether the document is signed in this dossier. One signed in the first year only (the
    convention) is the same document later (converted once for all years): a copy there,
    without signature fields."""
    spec = SPECS.get(key)
    if spec is not None and spec.in_first_year_only_signed:
        return inputs.first
    return True
