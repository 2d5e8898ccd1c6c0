"""The reference of what templates may use: each variable, its type, meaning and value.

Model fields carry their own French description (``doc=`` in model.py); the computed
variables of documents.build_context are described here, next to nothing else.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

from pipeline.french import FILTER_HELP

COMPUTED = {
    "annee": "l'année du dossier (celle de l'appel et du COPIL ; l'année qui suit la convention pour la clôture)",
    "projet": "vrai pour une version de travail (marque PROJET), faux avec --final",
    "donnees_exemple": "vrai si les données du dossier sont des exemples",
    "premiere_annee": "vrai dans le dossier de la première année (pas encore de bilan à joindre)",
    "cloture": "vrai dans le dossier de clôture (bilan final, COPIL de clôture, pas d'appel)",
    "convention": "les termes de la convention (titre, période, montant…)",
    "convention.titre": "titre de la convention",
    "convention.titre_court": "titre court (en-têtes)",
    "convention.date_debut": "date de prise d'effet",
    "convention.duree_annees": "durée en années (nombre)",
    "convention.duree_lettres": "durée en lettres (« trois ans »)",
    "convention.montant_annuel": "participation annuelle (montant)",
    "convention.lieu_signature": "lieu de signature",
    "convention.date_signature": "date de signature (vide tant que non signée)",
    "convention.deliberation": "délibération : numero, date, organe",
    "convention.periode": "période en texte (« 2022-2024 »)",
    "convention.annees": "liste des années",
    "metropole": "la Métropole (nom, designation, adresse, representant, titre_signature…)",
    "association": "l'association (nom, sigle, designation, designation_courte, adresse, representant…)",
    "destinataire": "formule d'adresse de la lettre : appellation (« Madame la Présidente »)",
    "appel": "la lettre d'appel de l'année (date, reference, lieu, montant, dossier_suivi_par) ; vide à la clôture",
    "banque": "coordonnées bancaires (titulaire, domiciliation, iban, iban_groupes, bic) ; vide à la clôture",
    "dates": "la date propre de chaque document du dossier : dates['appel'], dates['pv-copil']…",
    "bilan": "le bilan joint au dossier, celui de l'année précédente (vide la première année) : annee, date, "
             "lieu, periode, chantiers, chantiers_actifs, modalites, actions, tableau, reunions, rythme, finances",
    "bilan.rythme": "réunions tenues et règle de l'article 4 : rythme.copil / rythme.cotech → nom, sigle, "
                    "tenues, minimum, regle (« annuellement », « au moins deux fois par an »)",
    "bilan.finances": "participation de l'année du bilan : montant_annuel, montant_appele, date_appel, "
                      "montant_recu, date_reception (vide si non reçue à la date du bilan), en_attente",
    "bilan_final": "dossier de clôture seulement : annees, bilans (un par année), chantiers (par_annee, total), "
                   "actions_par_annee, actions_total, appele_total, recu_total, en_attente_total, prevu_total, date, lieu",
    "instances": "les comités de l'article 4 : instances.copil / instances.cotech → nom, sigle, minimum",
    "copil": "le COPIL de l'année : date, lieu, heure, presents, excuses, examen_bilan, programme, decisions, "
             "questions_diverses, prochaines_reunions",
    "ordre_du_jour": "l'ordre du jour que le procès-verbal suit point par point : numero, sujet, titre",
    "programme": "programme de travail par chantier : numero, titre, actions",
    "composition_manquante": "membres prévus par l'article 4 absents de la liste",
    "signataires": "qui signe le procès-verbal : signataires.metropole / .association → pour, qualite, nom",
    "pieces": "pièces de l'article 3 : libelle, nom (titre ou libellé), fournie, specimen, sans_objet, titre, note, page (dans le dossier)",
    "pieces_manquantes": "pièces demandées mais pas encore fournies (absentes ou spécimens)",
    "pieces_jointes": "ce que la lettre joint, dans l'ordre du dossier (documents puis pièces, spécimens à part)",
    "pieces_specimens": "pièces jointes à titre de spécimen, les définitives à suivre",
    "pieces_absentes": "pièces ni jointes ni sans objet : elles suivront",
    "signature": "signature('document', 'qui') : marque la place d'une signature (champ de signature du PDF) ; "
                 "qui : 'metropole' ou 'association'",
    "graphique": "le graphique du bilan (image)",
}


PROPERTIES = {
    "nom_complet": "civilité, prénom et nom (« Monsieur Pascal FRIQUET »), « … » si le nom manque",
    "prenom_nom": "prénom et nom (« Pascal FRIQUET »)",
    "signature_nom": "nom sous une signature, vide si inconnu (à écrire à la main)",
    "feminin": "vrai si la personne est une femme (d'après la civilité)",
    "possessif": "« sa » ou « son » (« représentée par sa Présidente »)",
    "accord": "« e » pour accorder au féminin (« habilité{{ …accord }} »)",
    "appellation": "formule d'adresse (« Madame la Présidente »)",
    "nom_court": "sigle, ou le nom s'il n'y a pas de sigle",
    "adresse_ligne": "adresse sur une ligne",
    "designation": "le nom précédé de son article (« la Métropole Aix-Marseille-Provence »)",
    "designation_courte": "le sigle précédé de son article (« l'AR Hlm »)",
    "iban_groupes": "IBAN en groupes de quatre caractères",
    "annees": "liste des années de la convention",
    "periode": "période en texte (« 2022-2024 »)",
}


def type_name(value: Any) -> str:
    if value is None:
        return "vide"
    if isinstance(value, bool):
        return "oui/non"
    if isinstance(value, int):
        return "nombre"
    if isinstance(value, Decimal):
        return "montant"
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, str):
        return "texte"
    if isinstance(value, (list, tuple)):
        return "liste"
    if callable(value):
        return "fonction"
    return "rubrique"


def preview(value: Any) -> str:
    if value is None:
        return "(non renseigné)"
    if dataclasses.is_dataclass(value) or isinstance(value, dict):
        return ""
    if isinstance(value, list):
        return f"{len(value)} élément(s)"
    if callable(value):
        return ""
    text = str(value)
    return text if len(text) <= 60 else text[:59] + "…"


def rows(context: dict[str, Any], only: set[str] | None = None) -> list[tuple[str, str, str, str]]:
    """(name, type, meaning, value) for every variable, with the fields of model records."""
    result = []
    for name in sorted(context):
        if only is not None and name not in only:
            continue
        value = context[name]
        result.append((name, type_name(value), COMPUTED.get(name, ""), preview(value)))
        result.extend(_fields(name, value, depth=1))
    return result


def _fields(prefix: str, value: Any, depth: int) -> list[tuple[str, str, str, str]]:
    out = []
    if dataclasses.is_dataclass(value) and depth <= 2:
        for f in dataclasses.fields(value):
            sub = getattr(value, f.name)
            name = f"{prefix}.{f.name}"
            out.append((name, type_name(sub), f.metadata.get("doc", ""), preview(sub)))
            out.extend(_fields(name, sub, depth + 1))
        for attr, member in sorted(vars(type(value)).items()):
            if isinstance(member, property):  # computed forms: nom_complet, iban_groupes…
                sub = getattr(value, attr)
                meaning = PROPERTIES.get(attr, "forme calculée")
                out.append((f"{prefix}.{attr}", type_name(sub), meaning, preview(sub)))
    elif isinstance(value, dict) and depth <= 2:
        for key, sub in value.items():
            name = f"{prefix}.{key}"
            out.append((name, type_name(sub), COMPUTED.get(name, ""), preview(sub)))
            out.extend(_fields(name, sub, depth + 1))
    return out


def filter_rows() -> list[tuple[str, str]]:
    return sorted(FILTER_HELP.items())
