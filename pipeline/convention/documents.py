"""A dossier's documents (its plan, from the catalogue) and the context their templates are filled with.

One context serves every template of a year, so that a variable means the same thing in
the letter, the bilan and the minutes; ``variables`` documents it for staff.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pipeline.convention.catalogue import SPECS, DocumentSpec, piece_label, piece_title
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


def regle(minimum: int) -> str:
    """Article 4's rhythm as the convention words it: « annuellement », « au moins deux fois par an »."""
    from num2words import num2words

    return "annuellement" if minimum == 1 else f"au moins {num2words(minimum, lang='fr')} fois par an"


def agenda(inputs: Inputs) -> list[dict[str, Any]]:
    """The COPIL's ordre du jour, which its minutes follow item by item: the cycle decides it
    (no bilan to examine the first year, no programme at the closing COPIL)."""
    terms, n = inputs.convention.convention, inputs.year.annee
    points = [("accueil", "Accueil et adoption de l'ordre du jour")]
    if inputs.bilan_year is not None:
        points.append(("bilan", f"Examen du bilan {inputs.bilan_year.annee}"))
    if inputs.closing:
        points.append(("bilan_final", f"Examen du bilan final de la convention {terms.periode}"))
    else:
        points.append(("programme", f"Programme de travail {n} par chantier"))
    points.append(("divers", "Questions diverses et calendrier"))
    return [{"numero": i, "sujet": sujet, "titre": titre} for i, (sujet, titre) in enumerate(points, 1)]


def bilan_view(conv, data, *, until: dt.date) -> dict[str, Any]:
    """What the bilan of one year reports: its actions by chantier and modalité, its meetings
    against article 4, and its participation, called and received as known on ``until``."""
    modal_by_code = {m.code: m for m in conv.modalites}

    def action_view(a):
        return {"date": a.date, "chantier": a.chantier, "modalite": a.modalite,
                "modalite_titre": modal_by_code[a.modalite].titre, "titre": a.titre,
                "partenaires": a.partenaires, "participants": a.participants, "resultat": a.resultat}

    actions = sorted(data.actions, key=lambda a: (a.date, a.titre))
    chantiers = [{"numero": i, "code": c.code, "titre": c.titre, "axe": c.axe,
                  "actions": [action_view(a) for a in actions if a.chantier == c.code]}
                 for i, c in enumerate(conv.chantiers, 1)]
    modalites = [{"numero": i, "code": m.code, "titre": m.titre} for i, m in enumerate(conv.modalites, 1)]
    lignes = []
    for c in chantiers:
        counts = [sum(1 for a in c["actions"] if a["modalite"] == m["code"]) for m in modalites]
        lignes.append({"numero": c["numero"], "titre": c["titre"], "nombres": counts, "total": sum(counts)})
    totaux = [sum(line["nombres"][j] for line in lignes) for j in range(len(modalites))]

    def rythme(instance):
        return {"nom": instance.nom, "sigle": instance.sigle, "minimum": instance.reunions_min_par_an,
                "regle": regle(instance.reunions_min_par_an),
                "tenues": sum(1 for r in data.reunions if r.instance == instance.sigle)}

    fin, appel = data.finances, data.appel
    received = fin is not None and fin.date_reception is not None and fin.date_reception <= until
    recu = fin.montant_recu if received else Decimal("0.00")
    appele = appel.montant if appel is not None else Decimal("0.00")
    return {
        "annee": data.annee,
        "date": data.bilan.date if data.bilan else None,
        "lieu": data.bilan.lieu if data.bilan else None,
        "periode": {"debut": dt.date(data.annee, 1, 1), "fin": dt.date(data.annee, 12, 31)},
        "chantiers": chantiers,
        "chantiers_actifs": sum(1 for c in chantiers if c["actions"]),
        "modalites": modalites,
        "actions": [action_view(a) for a in actions],
        "tableau": {"lignes": lignes, "totaux": totaux, "total": sum(totaux)},
        "reunions": sorted(data.reunions, key=lambda r: r.date),
        "rythme": {"copil": rythme(conv.copil), "cotech": rythme(conv.cotech)},
        "finances": {"montant_annuel": conv.convention.montant_annuel, "montant_appele": appele,
                     "date_appel": appel.date if appel else None,
                     "montant_recu": recu, "date_reception": fin.date_reception if received else None,
                     "en_attente": appele - recu},
    }


def final_view(conv, years: list, *, until: dt.date) -> dict[str, Any]:
    """The final bilan: every year of the period side by side, and the totals."""
    views = [bilan_view(conv, y, until=until) for y in years]
    chantiers = [{"numero": i, "titre": c.titre,
                  "par_annee": [len(v["chantiers"][i - 1]["actions"]) for v in views],
                  "total": sum(len(v["chantiers"][i - 1]["actions"]) for v in views)}
                 for i, c in enumerate(conv.chantiers, 1)]
    return {
        "annees": [v["annee"] for v in views],
        "bilans": views,
        "chantiers": chantiers,
        "actions_par_annee": [len(v["actions"]) for v in views],
        "actions_total": sum(len(v["actions"]) for v in views),
        "appele_total": sum((v["finances"]["montant_appele"] for v in views), Decimal("0.00")),
        "recu_total": sum((v["finances"]["montant_recu"] for v in views), Decimal("0.00")),
        "en_attente_total": sum((v["finances"]["en_attente"] for v in views), Decimal("0.00")),
        "prevu_total": conv.convention.montant_annuel * len(views),
    }


def build_context(inputs: Inputs, *, projet: bool, pages: dict[str, int] | None = None) -> dict[str, Any]:
    """Everything the templates of one dossier may use. ``pages``: dossier page of each piece."""
    conv, year = inputs.convention, inputs.year
    terms = conv.convention
    reported = inputs.bilan_year
    documents = plan(inputs)
    dated = {d.key: d.date for d in documents}
    bilan = bilan_view(conv, reported, until=reported.bilan.date) if reported is not None else None
    final = None
    if inputs.closing:
        final = final_view(conv, [inputs.reported[y] for y in terms.annees], until=year.bilan_final.date)
        final.update(date=year.bilan_final.date, lieu=year.bilan_final.lieu)

    given = {p.code: p for p in year.pieces}
    pieces = []
    for spec in conv.pieces_requises if not inputs.closing else []:
        piece = given.get(spec.code)
        label = piece_label(spec.libelle, year.annee)
        row = {"code": spec.code, "libelle": label, "titre": piece.titre if piece else None,
               "nom": piece_title(spec, piece, year.annee),
               "note": piece.note if piece else None, "page": (pages or {}).get(spec.code),
               "fichier": piece.fichier if piece else None, "document": spec.document,
               "specimen": bool(piece and piece.specimen), "sans_objet": None}
        if spec.document == "bilan":
            if bilan is None:
                row["sans_objet"] = "sans objet : première année d'exécution de la convention"
            else:
                row["titre"] = f"Bilan {bilan['annee']} établi par {conv.association.designation_courte} " \
                               f"le {date_fr(bilan['date'])}"
        row["fournie"] = row["sans_objet"] is None and not row["specimen"] and \
            (spec.document is not None or bool(piece and piece.fichier))
        row["jointe"] = row["sans_objet"] is None and (spec.document is not None or bool(piece and piece.fichier))
        pieces.append(row)

    people = {p.role: p for p in year.copil.presents if p.role}
    signataires = {}
    for member in conv.copil.membres:
        if member.signe_pour and member.signe_pour not in signataires:
            person = people.get(member.role)
            party = conv.metropole if member.signe_pour == "metropole" else conv.association
            signataires[member.signe_pour] = {
                "pour": party.designation,
                "qualite": person.qualite if person else member.libelle,
                "nom": person.prenom_nom if person else ""}
    programme_by_code = {c.code: (i, c) for i, c in enumerate(conv.chantiers, 1)}
    return {
        "annee": year.annee,
        "projet": projet,
        "donnees_exemple": year.donnees_exemple or any(y.donnees_exemple for y in inputs.reported.values()),
        "premiere_annee": inputs.first,
        "cloture": inputs.closing,
        "convention": terms_view(terms),
        "metropole": conv.metropole,
        "association": conv.association,
        "destinataire": {"appellation": conv.metropole.representant.appellation},
        "appel": year.appel,
        "banque": year.banque,
        "dates": dated,
        "bilan": bilan,
        "bilan_final": final,
        "instances": {"copil": {"nom": conv.copil.nom, "sigle": conv.copil.sigle,
                                "minimum": conv.copil.reunions_min_par_an},
                      "cotech": {"nom": conv.cotech.nom, "sigle": conv.cotech.sigle,
                                 "minimum": conv.cotech.reunions_min_par_an}},
        "copil": year.copil,
        "ordre_du_jour": agenda(inputs),
        "programme": [{"numero": programme_by_code[p.chantier][0], "titre": programme_by_code[p.chantier][1].titre,
                       "actions": p.actions} for p in year.copil.programme],
        "composition_manquante": [m.libelle for m in conv.copil.membres
                                  if m.role not in {p.role for p in year.copil.presents + year.copil.excuses}],
        "signataires": signataires,
        "pieces": pieces,
        "pieces_manquantes": [p for p in pieces if not p["fournie"] and not p["sans_objet"]],
        "pieces_absentes": [p for p in pieces if not p["jointe"] and not p["sans_objet"]],
        "pieces_jointes": [d.title for d in documents if d.key != "appel"] +
                          [p["nom"] for p in pieces if p["jointe"] and not p["document"] and not p["specimen"]],
        "pieces_specimens": [p["nom"] for p in pieces if p["jointe"] and p["specimen"]],
    }


def terms_view(terms) -> dict[str, Any]:
    from num2words import num2words

    years = terms.duree_annees
    return {
        "titre": terms.titre, "titre_court": terms.titre_court, "date_debut": terms.date_debut,
        "duree_annees": years,
        "duree_lettres": f"{num2words(years, lang='fr')} an{'s' if years > 1 else ''}",
        "montant_annuel": terms.montant_annuel, "lieu_signature": terms.lieu_signature,
        "date_signature": terms.date_signature, "deliberation": terms.deliberation,
        "periode": terms.periode, "annees": terms.annees,
    }


def images(context: dict[str, Any]) -> dict[str, tuple[bytes, float]]:
    """Pictures inserted by templates: the bilan's chart, 16 cm wide."""
    from pipeline.pdf import chart  # drawn only when a bilan is filled

    bilan = context.get("bilan")
    if not bilan:
        return {}
    rows = [(f"{line['numero']}. {line['titre']}", line["nombres"]) for line in bilan["tableau"]["lignes"]]
    legend = [f"{m['numero']}. {m['titre']}" for m in bilan["modalites"]]
    return {"graphique": (chart.stacked_bars(rows, legend), 16.0)}
