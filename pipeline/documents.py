"""The catalogue of a year's documents, and the context their templates are filled with.

One context serves every template of a year, so that a variable means the same thing in
the letter, the bilan and the minutes; ``variables`` documents it for staff.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Callable

from pipeline import chart
from pipeline.model import Inputs

# what signature('doc', 'who') prints: replaced after filling by an empty Word bookmark, which
# LibreOffice exports as a named destination (page, position) and which nobody sees or copies
SIGNATURE_MARK = "§SIG:{}§"
MARK = re.compile(r"§SIG:([A-Za-z0-9_-]+)§")


@dataclass(frozen=True)
class DocumentSpec:
    key: str          # also the template's file name, without .docx
    title: str        # as in the sommaire and the bookmarks
    in_first_year_only_signed: bool = False
    signers: tuple[str, ...] = ()  # who signs it: each needs its signature('key', 'who') tag

    def output_stem(self, year: int) -> str:
        return f"{self.key}-{year}"


DOCUMENTS = [
    DocumentSpec("convention", "La convention de partenariat", in_first_year_only_signed=True,
                 signers=("metropole", "association")),
    DocumentSpec("appel", "L'appel de participation", signers=("association",)),
    DocumentSpec("bordereau", "Le bordereau des pièces jointes"),
    DocumentSpec("bilan", "Le bilan de la mise en œuvre", signers=("association",)),
    DocumentSpec("pv-copil", "Le procès-verbal du comité de pilotage", signers=("metropole", "association")),
]
SPECS = {spec.key: spec for spec in DOCUMENTS}
SIGNERS = {"metropole": "la Métropole", "association": "l'association"}


@dataclass(frozen=True)
class SignatureSpot:
    """Who signs which document: the field name is '<document>-<who>'."""

    document: str
    who: str

    @property
    def field_name(self) -> str:
        return f"{self.document}-{self.who}"

    @property
    def mark(self) -> str:
        return SIGNATURE_MARK.format(self.field_name)


def signature_problems(key: str, spots: list[SignatureSpot]) -> list[str]:
    """What is wrong with the signature tags a filled template called: one missing (the
    dossier would have no field there), or one naming another document or an unknown signer."""
    spec = SPECS.get(key)
    if spec is None:
        return []
    problems = []
    for spot in spots:
        if spot.document == key and spot.who in spec.signers:
            continue
        if spec.signers:
            fix = "écrivez " + " ou ".join(f"signature('{key}', '{who}')" for who in spec.signers)
        else:
            fix = "personne ne signe ce document : retirez-la"
        problems.append(f"la balise {{{{ signature('{spot.document}', '{spot.who}') }}}} ne convient pas à ce document "
                        f"— {fix}")
    for spot in sorted({s for s in spots if spots.count(s) > 1}, key=lambda s: s.field_name):
        problems.append(f"la balise {{{{ signature('{spot.document}', '{spot.who}') }}}} apparaît "
                        f"{spots.count(spot)} fois : un seul bloc de signature par signataire, retirez les autres")
    called = {spot.who for spot in spots}  # a tag naming another document is reported above
    for who in spec.signers:
        if who not in called:
            problems.append(f"la balise {{{{ signature('{key}', '{who}') }}}} manque : sans elle, le dossier n'a pas "
                            f"de champ de signature pour {SIGNERS.get(who, who)} ; remettez-la dans le bloc de "
                            f"signature, seule dans un paragraphe en style « Marque de signature »")
    return problems


def bookmark_name(field_name: str) -> str:
    """The bookmark of a signature block: letters only, as Word and LibreOffice both keep them
    ('pv-copil-metropole' → 'SignaturePvCopilMetropole')."""
    return "Signature" + "".join(part.capitalize() for part in re.split(r"[-_]", field_name))


def signature_bookmarks(document) -> None:
    """Replace each signature mark of a filled document by an empty bookmark at the same place."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    body = document.element.body
    ids = [int(b.get(qn("w:id"))) for b in body.iter(qn("w:bookmarkStart")) if (b.get(qn("w:id")) or "").isdigit()]
    next_id = max(ids, default=0) + 1
    for text in list(body.iter(qn("w:t"))):
        names = MARK.findall(text.text or "")
        if not names:
            continue
        text.text = MARK.sub("", text.text)
        run = text.getparent()
        for name in names:
            start, end = OxmlElement("w:bookmarkStart"), OxmlElement("w:bookmarkEnd")
            start.set(qn("w:id"), str(next_id))
            start.set(qn("w:name"), bookmark_name(name))
            end.set(qn("w:id"), str(next_id))
            run.addprevious(start)
            run.addprevious(end)
            next_id += 1


def document_date(key: str, inputs: Inputs) -> dt.date:
    """The date a document carries inside its PDF: the convention's is the same every year."""
    terms, year = inputs.convention.convention, inputs.year
    if key == "convention":
        return terms.date_signature or terms.date_debut
    if key == "pv-copil":
        return year.copil.date
    return year.appel.date


def signs_here(key: str, inputs: Inputs) -> bool:
    """Whether the document is signed in this year's dossier. One signed in the first year only
    (the convention) is the same document later (converted once for all years): a copy there,
    without signature fields."""
    spec = SPECS.get(key)
    if spec is not None and spec.in_first_year_only_signed:
        return inputs.year.annee == inputs.convention.convention.annees[0]
    return True


def make_signature(spots: list[SignatureSpot]) -> Callable[[str, str], str]:
    """The ``signature(document, who)`` function templates call where someone signs."""

    def signature(document: str, who: str) -> str:
        spot = SignatureSpot(str(document), str(who))
        spots.append(spot)  # every call, so that a block written twice is caught
        return spot.mark

    return signature


def piece_label(libelle: str, year: int) -> str:
    """Article 3 says « l'année N-1 »: a year's documents name it (« l'année 2022 »)."""
    return libelle.replace("N-1", str(year - 1))


def build_context(inputs: Inputs, *, projet: bool, pages: dict[str, int] | None = None) -> dict[str, Any]:
    """Everything the templates may use. ``pages``: dossier page of each piece, once known."""
    conv, year = inputs.convention, inputs.year
    terms = conv.convention
    modal_by_code = {m.code: (i, m) for i, m in enumerate(conv.modalites, 1)}

    def action_view(a):
        return {"date": a.date, "chantier": a.chantier, "modalite": a.modalite,
                "modalite_titre": modal_by_code[a.modalite][1].titre, "titre": a.titre,
                "partenaires": a.partenaires, "participants": a.participants, "resultat": a.resultat}

    actions = sorted(year.actions, key=lambda a: (a.date, a.titre))
    chantiers = []
    for i, c in enumerate(conv.chantiers, 1):
        chantiers.append({"numero": i, "code": c.code, "titre": c.titre, "axe": c.axe,
                          "actions": [action_view(a) for a in actions if a.chantier == c.code]})
    modalites = [{"numero": i, "code": m.code, "titre": m.titre} for i, m in enumerate(conv.modalites, 1)]

    lignes = []
    for c in chantiers:
        counts = [sum(1 for a in c["actions"] if a["modalite"] == m["code"]) for m in modalites]
        lignes.append({"titre": f"{c['numero']}. {c['titre']}", "nombres": counts, "total": sum(counts)})
    totaux = [sum(line["nombres"][j] for line in lignes) for j in range(len(modalites))]

    given = {p.code: p for p in year.pieces}
    pieces = []
    for spec in conv.pieces_requises:
        piece = given.get(spec.code)
        fournie = spec.document is not None or bool(piece and piece.fichier)
        pieces.append({
            "code": spec.code, "libelle": piece_label(spec.libelle, year.annee), "fournie": fournie,
            "titre": piece.titre if piece else None,
            "note": (piece.note if piece else None) or ("document établi par la chaîne de production" if spec.document else None),
            "page": (pages or {}).get(spec.code),
            "fichier": piece.fichier if piece else None,
            "document": spec.document,
        })

    def rythme(instance):
        return {"tenues": sum(1 for r in year.reunions if r.instance == instance.sigle),
                "minimum": instance.reunions_min_par_an}

    by_role = {p.role: p for p in year.copil.presents if p.role}
    roles_seen = {p.role for p in year.copil.presents + year.copil.excuses if p.role}

    def copresident(role: str, fallback):
        person = by_role.get(role)
        if person:
            return {"nom": person.nom, "qualite": person.qualite, "organisme": person.organisme}
        return {"nom": "", "qualite": fallback[0], "organisme": fallback[1]}

    code_to_chantier = {c["code"]: c for c in chantiers}
    return {
        "annee": year.annee,
        "projet": projet,
        "donnees_exemple": year.donnees_exemple,
        "convention": terms_view(terms),
        "metropole": conv.metropole,
        "association": conv.association,
        "destinataire": {"appellation": conv.metropole.representant.appellation,
                         "appellation_adresse": conv.metropole.representant.appellation},
        "appel": year.appel,
        "banque": year.banque,
        "periode": {"debut": dt.date(year.annee, 1, 1), "fin": dt.date(year.annee, 12, 31)},
        "chantiers": chantiers,
        "chantiers_actifs": sum(1 for c in chantiers if c["actions"]),
        "modalites": modalites,
        "actions": [action_view(a) for a in actions],
        "tableau": {"lignes": lignes, "totaux": totaux, "total": sum(totaux)},
        "reunions": sorted(year.reunions, key=lambda r: r.date),
        "rythme": {"copil": rythme(conv.copil), "cotech": rythme(conv.cotech)},
        "copil_sigle": conv.copil.sigle,
        "cotech_sigle": conv.cotech.sigle,
        "copil": year.copil,
        "programme": [{"numero": code_to_chantier[p.chantier]["numero"],
                       "titre": code_to_chantier[p.chantier]["titre"], "actions": p.actions}
                      for p in year.copil.programme],
        "composition_manquante": [m.libelle for m in conv.copil.membres if m.role not in roles_seen],
        "copresidents": {
            "metropole": copresident("vp_habitat", (conv.copil.membres[0].libelle if conv.copil.membres else "", conv.metropole.nom)),
            "association": copresident("president_arhlm", (conv.association.representant.qualite, conv.association.nom)),
        },
        "finances": {"montant_appele": year.finances.montant_appele, "montant_recu": year.finances.montant_recu,
                     "date_reception": year.finances.date_reception,
                     "reste": year.finances.montant_appele - year.finances.montant_recu},
        "pieces": pieces,
        "pieces_manquantes": [p for p in pieces if not p["fournie"]],
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
    rows = [(line["titre"], line["nombres"]) for line in context["tableau"]["lignes"]]
    legend = [f"{m['numero']}. {m['titre']}" for m in context["modalites"]]
    return {"graphique": (chart.stacked_bars(rows, legend), 16.0)}
