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
    "annee": "l'année du dossier",
    "projet": "vrai pour une version de travail (marque PROJET), faux avec --final",
    "donnees_exemple": "vrai si les données de l'année sont des exemples",
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
    "metropole": "la Métropole (nom, adresse, representant, titre_signature…)",
    "association": "l'association (nom, sigle, adresse, representant…)",
    "destinataire": "formules d'adresse de la lettre : appellation (« Madame la Présidente »)",
    "appel": "la lettre d'appel (date, reference, lieu, montant, dossier_suivi_par)",
    "banque": "coordonnées bancaires (titulaire, domiciliation, iban, iban_groupes, bic)",
    "periode": "période du bilan : debut, fin (dates)",
    "chantiers": "liste des chantiers : numero, code, titre, axe, actions (liste)",
    "chantiers_actifs": "nombre de chantiers ayant au moins une action",
    "modalites": "liste des modalités : numero, code, titre",
    "actions": "liste des actions : date, chantier, modalite, modalite_titre, titre, partenaires, participants, resultat",
    "tableau": "tableau chantier × modalité : lignes (titre, nombres, total), totaux, total",
    "reunions": "réunions tenues : instance, date, lieu, objet",
    "rythme": "réunions tenues et minimum prévu : rythme.copil / rythme.cotech → tenues, minimum",
    "copil_sigle": "sigle du comité de pilotage (« COPIL »)",
    "cotech_sigle": "sigle du comité technique (« COTECH »)",
    "copil": "le COPIL de l'année : date, lieu, heure, presents, excuses, ordre_du_jour, examen_bilan, decisions…",
    "programme": "programme de travail par chantier : numero, titre, actions",
    "composition_manquante": "membres prévus par l'article 4 absents de la liste",
    "copresidents": "co-présidents du COPIL : copresidents.metropole / .association → nom, qualite, organisme",
    "finances": "partie financière : montant_appele, montant_recu, date_reception, reste",
    "pieces": "pièces de l'article 3 : libelle, fournie, titre, note, page (dans le dossier)",
    "pieces_manquantes": "pièces demandées mais non fournies",
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
