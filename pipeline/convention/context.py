"""What the templates of one dossier are filled with, each variable described once, here.

One context serves every template of a year, so that a variable means the same thing in
the letter, the bilan and the minutes. Every field carries its French description
(``doc()``, as the schema's fields in model.py do): ``python -m pipeline variables`` lists
them for the juriste with their values, and ``check`` knows from them which names exist.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from num2words import num2words

from pipeline.binder import doc
from pipeline.convention import crf, cycle, model, signed
from pipeline.convention.catalogue import (
    CRF_PIECES,
    crf_piece_label,
    given_in_order,
    piece_label,
    piece_title,
    pieces_given,
)
from pipeline.convention.documents import minutes_signer, plan
from pipeline.french import date_fr, de


@dataclass(frozen=True)
class Rythme:
    """One committee's meetings in a year, against article 4."""

    nom: str = doc("nom du comité")
    sigle: str = doc("sigle du comité (COPIL, COTECH…)")
    minimum: int = doc("réunions par an au minimum (article 4)")
    regle: str = doc("la règle comme la convention l'écrit (« annuellement », « au moins deux fois par an »)")
    tenues: int = doc("réunions tenues dans l'année")


@dataclass(frozen=True)
class Finances:
    """The year's participation, as known on the bilan's date."""

    montant_annuel: Decimal = doc("participation annuelle prévue par la convention")
    montant_appele: Decimal = doc("montant appelé pour l'année (0 s'il n'y a pas eu d'appel)")
    date_appel: dt.date | None = doc("date de la lettre d'appel")
    montant_recu: Decimal = doc("montant reçu à la date du bilan")
    date_reception: dt.date | None = doc("date de réception (vide si non reçue à la date du bilan)")
    en_attente: Decimal = doc("reste à recevoir (appelé moins reçu)")


@dataclass(frozen=True)
class Bilan:
    """What the bilan of one year reports."""

    annee: int = doc("l'année dont c'est le bilan")
    date: dt.date | None = doc("date à laquelle le bilan est établi")
    lieu: str | None = doc("lieu où il est établi")
    periode: dict[str, dt.date] = doc("periode.debut et periode.fin : le 1er janvier et le 31 décembre de l'année")
    chantiers: list[dict[str, Any]] = doc("par chantier : numero, code, titre, axe, actions")
    chantiers_actifs: int = doc("nombre de chantiers qui ont eu au moins une action")
    modalites: list[dict[str, Any]] = doc("modalités d'action : numero, code, titre")
    actions: list[dict[str, Any]] = doc(
        "actions de l'année par date : date, chantier, modalite, modalite_titre, titre, partenaires, participants, resultat"
    )
    tableau: dict[str, Any] = doc("actions par chantier et modalité : lignes (numero, titre, nombres, total), totaux, total")
    reunions: list[model.Reunion] = doc("réunions tenues dans l'année, par date")
    rythme: dict[str, Rythme] = doc("réunions tenues et règle de l'article 4 : rythme.copil, rythme.cotech")
    finances: Finances = doc("participation de l'année : appelée le …, reçue le … ou en attente")


@dataclass(frozen=True)
class BilanFinal:
    """The final bilan: every year of the period side by side, and the totals."""

    annees: list[int] = doc("les années de la convention")
    bilans: list[Bilan] = doc("le bilan de chaque année, dans l'ordre")
    chantiers: list[dict[str, Any]] = doc("par chantier : numero, titre, par_annee (nombre d'actions), total")
    actions_par_annee: list[int] = doc("nombre d'actions de chaque année")
    actions_total: int = doc("nombre d'actions sur toute la convention")
    chantiers_actifs: int = doc("nombre de chantiers qui ont eu au moins une action sur la convention")
    appele_total: Decimal = doc("total des participations appelées")
    recu_total: Decimal = doc("total des participations reçues à la date du bilan final")
    en_attente_total: Decimal = doc("total restant à recevoir")
    prevu_total: Decimal = doc("total prévu par la convention (participation annuelle × années)")
    date: dt.date = doc("date à laquelle le bilan final est établi")
    lieu: str = doc("lieu où il est établi")


@dataclass(frozen=True)
class LigneCompte:
    """One heading of the compte rendu financier: forecast, actual, and the gap."""

    code: str = doc("code de la rubrique (« achats », « personnel », « participation »…)")
    libelle: str = doc("intitulé de la rubrique, comme le cerfa n° 15059 l'écrit (« 64 – Charges de personnel … »)")
    prevu: Decimal = doc("montant prévu au budget de l'action")
    realise: Decimal = doc("montant réalisé")
    ecart: Decimal = doc("écart en euros : réalisé moins prévu")
    ecart_part: Decimal | None = doc(
        "écart rapporté au prévu (0,125 pour 12,5 % : filtre pourcentage) ; vide si rien n'était prévu"
    )
    significatif: bool = doc("écart que l'annexe doit expliquer (plus de 15 % et plus de 500 €)")
    explication: str | None = doc("l'explication de l'écart donnée par l'association")


@dataclass(frozen=True)
class PieceEnvoi:
    """One piece the sending of a compte rendu financier encloses (cerfa n° 15059)."""

    code: str = doc("comptes, rapport_cac ou rapport_activite")
    nom: str = doc(
        "son titre, sinon ce que le cerfa demande (« les comptes annuels de l'exercice 2024, approuvés "
        "par l'assemblée générale le 12 juin 2025 »)"
    )
    mention: str = doc(
        "comme la phrase de la lettre la nomme (« les comptes de l'exercice 2024 approuvés par l'assemblée générale »)"
    )
    fichier: str = doc("son fichier, dans pieces/ de l'année")
    specimen: bool = doc("le fichier n'est qu'un spécimen (une version définitive le refuse)")


@dataclass(frozen=True)
class CompteRendu:
    """The compte rendu financier of one year's participation (arrêté du 11 octobre 2006)."""

    annee: int = doc("l'année de la participation dont il rend compte")
    date: dt.date = doc("date à laquelle il est établi et signé")
    lieu: str = doc("lieu où il est établi")
    comptes_approuves_le: dt.date = doc("date d'approbation des comptes de l'année par l'assemblée générale")
    echeance: dt.date = doc("date limite de transmission : le 30 juin de l'année suivante")
    transmis_le: dt.date | None = doc("date à laquelle il est déposé auprès de la Métropole : celle de sa lettre d'envoi")
    reference: str | None = doc("référence de sa lettre d'envoi (« N/Réf. »), si les données la donnent")
    derniere_annee: bool = doc(
        "vrai pour le compte rendu de la dernière année de la convention (aucun dossier ne le joindra plus)"
    )
    periode: dict[str, dt.date] = doc("periode.debut et periode.fin : l'exercice dont il rend compte")
    charges_directes: list[LigneCompte] = doc("charges directes affectées à l'action (60 à 68, engagements)")
    charges_indirectes: list[LigneCompte] = doc("charges indirectes réparties affectées à l'action")
    produits: list[LigneCompte] = doc("ressources affectées à l'action, par nature (la participation parmi elles)")
    total_charges: LigneCompte = doc("total des charges : prevu, realise, ecart, ecart_part")
    total_produits: LigneCompte = doc("total des produits : prevu, realise, ecart, ecart_part")
    participation: LigneCompte = doc("la ligne de la participation de la Métropole")
    participation_part: Decimal | None = doc("part de la participation dans les ressources réalisées (filtre pourcentage)")
    ecarts: list[LigneCompte] = doc("annexe : les lignes dont l'écart est significatif, avec leur explication")
    autres_explications: list[LigneCompte] = doc("annexe : les autres lignes dont l'association explique l'écart")
    commentaire: str | None = doc("annexe : ce que l'association dit de l'emploi de la participation")
    regle_repartition: str | None = doc("annexe : la règle de répartition des charges indirectes et de personnel")
    seuil_part: Decimal = doc("écart significatif au-delà de cette part du prévu (0,15)")
    seuil_montant: Decimal = doc("… et au-delà de ce montant (500 €)")
    pieces: list[PieceEnvoi] = doc(
        "ce que sa lettre d'envoi joint avec lui, dans l'ordre du cerfa (comptes approuvés, "
        "rapport du commissaire aux comptes, rapport d'activité) : code, nom, fichier, "
        "specimen ; une pièce sans fichier n'y est pas"
    )


@dataclass(frozen=True)
class SuiviCompteRendu:
    """Where the compte rendu financier of one year stands, on the date of the dossier's letter."""

    annee: int = doc("l'année de la participation")
    etat: str = doc("« joint » (au dossier), « manquant » (dû avant la lettre, non reçu) ou « a_venir » (dû après)")
    echeance: dt.date = doc("date limite : le 30 juin de l'année suivante")
    date: dt.date | None = doc("date à laquelle il a été établi et signé, s'il est joint")
    comptes_approuves_le: dt.date | None = doc("date d'approbation des comptes dont il rend compte, s'il est joint")
    transmis_le: dt.date | None = doc("date à laquelle il a été déposé auprès de la Métropole, si les données la disent")
    page: int | None = doc("sa première page dans le dossier, s'il est joint")
    signature: str | None = doc("son état de signature, s'il est joint")


@dataclass(frozen=True)
class PieceRow:
    """One piece article 3 asks for, as the letter and the bordereau list it."""

    code: str = doc("code de la pièce dans convention.yaml (pieces_requises)")
    libelle: str = doc("ce que l'article 3 demande, pour l'année (« les comptes de l'année 2022 »)")
    titre: str | None = doc("le titre de la pièce fournie, s'il y en a un")
    nom: str = doc("son titre, sinon son libellé : comme la lettre et le sommaire la nomment")
    note: str | None = doc("la remarque des données sur cette pièce")
    page: int | None = doc("sa première page dans le dossier")
    fichier: str | None = doc("son fichier dans pieces/, s'il y en a un")
    document: str | None = doc("le document du dossier qui la constitue (le bilan), s'il y en a un")
    specimen: bool = doc("la pièce jointe n'est qu'un spécimen")
    sans_objet: str | None = doc("pourquoi elle est sans objet cette année (« sans objet : première année … »)")
    signature: str | None = doc("pour un document signé à part : son état (« à signer séparément par … »)")
    fournie: bool = doc("fournie pour de bon : jointe, ni spécimen ni sans objet, et signée si elle se signe à part")
    jointe: bool = doc("jointe au dossier (même en spécimen)")


@dataclass
class Context:
    """Everything the templates of one dossier may use."""

    annee: int = doc("l'année du dossier (celle de l'appel et du COPIL ; l'année qui suit la convention pour la clôture)")
    projet: bool = doc("vrai pour une version de travail (marque PROJET), faux avec --final")
    donnees_exemple: bool = doc("vrai si les données du dossier sont des exemples")
    premiere_annee: bool = doc("vrai dans le dossier de la première année (pas encore de bilan à joindre)")
    cloture: bool = doc("vrai dans le dossier de clôture (bilan final, COPIL de clôture, pas d'appel)")
    convention: model.Termes = doc("les termes de la convention (titre, période, montant…)")
    metropole: model.Partie = doc("la Métropole (nom, designation, adresse, representant, titre_signature…)")
    association: model.Partie = doc("l'association (nom, sigle, designation, designation_courte, adresse, representant…)")
    destinataire: dict[str, Any] = doc(
        "formule d'adresse de la lettre : appellation (« Madame la Présidente »), "
        "adresse (« Madame la Présidente de la Métropole Aix-Marseille-Provence »), "
        "lignes (la même en deux lignes, pour le bloc d'adresse)"
    )
    appel: model.Appel | None = doc(
        "la lettre d'appel de l'année (date, reference, lieu, montant, dossier_suivi_par) ; vide à la clôture"
    )
    transmission: model.Transmission | None = doc(
        "dossier de clôture : la lettre qui le transmet (date, reference, lieu, dossier_suivi_par)"
    )
    banque: model.Banque | None = doc(
        "coordonnées bancaires (titulaire, domiciliation, iban, iban_groupes, bic) ; vide à la clôture"
    )
    dates: dict[str, dt.date] = doc(
        "la date propre de chaque document du dossier : dates['convention'], "
        "dates['appel'], dates['bordereau'], dates['bilan'], dates['bilan-final'], "
        "dates['crf'], dates['pv-copil'], dates['transmission']"
    )
    bilan: Bilan | None = doc(
        "le bilan joint au dossier, celui de l'année précédente (vide la première année) : "
        "annee, date, lieu, periode, chantiers, chantiers_actifs, modalites, actions, tableau, "
        "reunions, rythme, finances"
    )
    cloture_decidee_le: dt.date | None = doc(
        "dossier de clôture seulement : la date du dernier COPIL de la convention, "
        "dont le relevé de décisions fonde le bilan final et le COPIL de clôture "
        "(la convention, échue, n'en dit rien)"
    )
    bilan_final: BilanFinal | None = doc(
        "dossier de clôture seulement : annees, bilans (un par année), chantiers "
        "(par_annee, total), actions_par_annee, actions_total, appele_total, "
        "recu_total, en_attente_total, prevu_total, date, lieu"
    )
    instances: dict[str, dict[str, Any]] = doc(
        "les comités de l'article 4 : instances.copil / instances.cotech → nom, sigle, minimum"
    )
    copil: model.Copil = doc(
        "le COPIL de l'année : date, lieu, heure, presents, excuses, examen_bilan, programme, "
        "decisions, questions_diverses, prochaines_reunions"
    )
    ordre_du_jour: list[dict[str, Any]] = doc("l'ordre du jour que le procès-verbal suit point par point : numero, sujet, titre")
    programme: list[dict[str, Any]] = doc("programme de travail par chantier : numero, titre, actions")
    composition_manquante: list[str] = doc("membres prévus par l'article 4 absents de la liste")
    signataires: dict[str, dict[str, str]] = doc(
        "qui signe le procès-verbal : signataires.metropole / .association "
        "→ pour, qualite, titre (« la Vice-Présidente déléguée … »), nom"
    )
    seance: dict[str, str] = doc(
        "la tenue du COPIL : seance.president, seance.secretaire (« Mme Sophie EXEMPLE, "
        "Vice-Présidente … »), vides si les données ne les disent pas"
    )
    sigles: dict[str, str] = doc(
        "chaque sigle de comité écrit en toutes lettres : sigles['COPIL'], sigles['COTECH'] → « comité technique (COTECH) »"
    )
    pieces: list[PieceRow] = doc(
        "pièces de l'article 3 : libelle, nom (titre ou libellé), fournie, specimen, "
        "signature (pour un document signé à part : son état), "
        "sans_objet, titre, note, page (dans le dossier)"
    )
    pieces_manquantes: list[PieceRow] = doc("pièces demandées mais pas encore fournies (absentes ou spécimens)")
    pieces_absentes: list[PieceRow] = doc("pièces ni jointes ni sans objet : elles suivront")
    pieces_article3: list[str] = doc(
        "les pièces de l'article 3 jointes, dans l'ordre du bordereau (le bilan à sa place ; spécimens à part)"
    )
    pieces_jointes: list[str] = doc("ce que la lettre joint, dans l'ordre du dossier (documents puis pièces, spécimens à part)")
    autres_documents: list[dict[str, Any]] = doc(
        "les documents joints au dossier hors article 3 (convention, "
        "procès-verbal…), dans l'ordre du dossier : titre, page, signature"
    )
    pieces_apres_cloture: list[str] = doc(
        "dossier de clôture : les pièces de l'article 3 qui portent sur l'année "
        "écoulée (« les comptes de l'année 2024 »), qu'aucun appel ne joindra plus"
    )
    crf: CompteRendu | None = doc(
        "le compte rendu financier joint au dossier (celui de l'année N-2 ; à la clôture, "
        "de l'avant-dernière année), ou celui qu'envoie sa lettre d'envoi (make crf) : "
        "annee, date, lieu, comptes_approuves_le, echeance, transmis_le, reference, "
        "charges_directes, charges_indirectes, produits, total_charges, total_produits, "
        "participation, ecarts, commentaire, regle_repartition, pieces (ce que sa lettre d'envoi "
        "joint avec lui)"
    )
    comptes_rendus: list[SuiviCompteRendu] = doc(
        "les comptes rendus financiers dont parle le dossier : celui qu'il "
        "joint (ou qui manque) et celui qu'il annonce, avec annee, etat "
        "(joint, manquant, a_venir), echeance, date, page"
    )
    dus_apres_cloture: list[dict[str, Any]] = doc(
        "dossier de clôture : ce que l'association doit encore après son "
        "dernier appel (article L. 1611-4 du CGCT, article 10 de la loi du 12 "
        "avril 2000) : quoi (« les comptes de l'année 2024 »), echeance (la "
        "date limite : le 30 juin de l'année qui suit la dernière), quand (« au plus "
        "tard le 30 juin 2025, une fois les comptes 2024 approuvés »)"
    )
    pieces_specimens: list[str] = doc("pièces jointes à titre de spécimen, les définitives à suivre")
    signatures: dict[str, str] = doc(
        "l'état de chaque document signé à part joint au dossier, par document : "
        "signatures['bilan'] → « original signé par Pascal FRIQUET le 20 février 2023 » "
        "ou « à signer séparément par le Président de l'AR Hlm »"
    )
    signature: Any = doc(
        "signature('document', 'qui') : marque la place d'une signature (champ de signature du "
        "PDF) ; qui : 'metropole' ou 'association'",
        None,
    )
    graphique: Any = doc("le graphique du bilan (image)", "")

    def variables(self) -> dict[str, Any]:
        """The template variables by name, as docxtpl takes them (records stay records)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


def build_context(
    data: model.DossierData,
    *,
    projet: bool,
    pages: dict[str, int] | None = None,
    signatures: dict[str, signed.OriginalStatus] | None = None,
) -> Context:
    """The context of one dossier's templates. ``pages``: dossier page of each piece;
    ``signatures``: the state of each document signed apart (its original as read in signes/),
    which the context says in words (``signed.phrase``)."""
    conv, year = data.convention, data.year
    terms = conv.convention
    reported = data.bilan_year
    documents = plan(data)
    bilan = None
    if reported is not None:
        assert reported.bilan is not None  # a reported year without its bilan is an error (rules._reported)
        bilan = bilan_view(conv, reported, until=reported.bilan.date)
    final = None
    if data.closing:
        assert year.bilan_final is not None  # the closing year without it is an error (rules._closing)
        final = final_view(
            conv, [data.reported[y] for y in terms.annees], until=year.bilan_final.date, established=year.bilan_final
        )
    states = signatures or {}
    phrases = {key: signed.phrase(state, data) for key, state in states.items()}
    enclosed = data.crf_year if "crf" in {d.key for d in documents} else None
    pieces = _pieces(data, bilan, pages, states)
    programme_by_code = {c.code: (i, c) for i, c in enumerate(conv.chantiers, 1)}
    return Context(
        annee=year.annee,
        projet=projet,
        donnees_exemple=year.donnees_exemple or any(y.donnees_exemple for y in data.reported.values()),
        premiere_annee=data.first,
        cloture=data.closing,
        convention=terms,
        metropole=conv.metropole,
        association=conv.association,
        destinataire={
            "appellation": conv.metropole.representant.appellation,
            "adresse": f"{conv.metropole.representant.appellation} {de(conv.metropole.designation)}",
            # the address block breaks before « de la Métropole … », never inside its name
            "lignes": [conv.metropole.representant.appellation, de(conv.metropole.designation)],
        },
        appel=year.appel,
        transmission=year.transmission,
        banque=year.banque,
        dates={d.key: d.date for d in documents},
        bilan=bilan,
        bilan_final=final,
        cloture_decidee_le=data.reported[terms.annees[-1]].copil.date if data.closing else None,
        instances={
            "copil": {"nom": conv.copil.nom, "sigle": conv.copil.sigle, "minimum": conv.copil.reunions_min_par_an},
            "cotech": {"nom": conv.cotech.nom, "sigle": conv.cotech.sigle, "minimum": conv.cotech.reunions_min_par_an},
        },
        copil=year.copil,
        ordre_du_jour=agenda(data),
        programme=[
            {"numero": programme_by_code[p.chantier][0], "titre": programme_by_code[p.chantier][1].titre, "actions": p.actions}
            for p in year.copil.programme
        ],
        composition_manquante=[
            m.libelle for m in conv.copil.membres if m.role not in {p.role for p in year.copil.presents + year.copil.excuses}
        ],
        signataires=_signataires(data),
        seance=_seance(data),
        sigles={i.sigle: f"{i.nom[0].lower()}{i.nom[1:]} ({i.sigle})" for i in (conv.copil, conv.cotech)},
        pieces=pieces,
        signatures=phrases,
        pieces_manquantes=[p for p in pieces if not p.fournie and not p.sans_objet],
        pieces_absentes=[p for p in pieces if not p.jointe and not p.sans_objet],
        pieces_jointes=_joined(data, documents, pieces),
        pieces_article3=_joined(data, documents, pieces, bordereau=False, others_too=False),
        pieces_specimens=[p.nom for p in pieces if p.jointe and p.specimen],
        pieces_apres_cloture=[piece_label(spec.libelle, year.annee) for spec in conv.pieces_requises if "N-1" in spec.libelle]
        if data.closing
        else [],
        crf=crf_view(conv, enclosed) if enclosed is not None else None,
        comptes_rendus=_comptes_rendus(data, pages, phrases),
        dus_apres_cloture=_owed_after_closing(data),
        autres_documents=[
            {"titre": d.title, "page": (pages or {}).get(f"document:{d.key}"), "signature": phrases.get(d.key)}
            for d in others(data)
        ],
    )


def _joined(
    data: model.DossierData, documents: list, pieces: list[PieceRow], *, bordereau: bool = True, others_too: bool = True
) -> list[str]:
    """What the letter joins, in the dossier's order: the bordereau, article 3's pieces (the bilan
    among them, at its place; specimens apart), then the other documents."""
    by_key = {d.key: d for d in documents}
    joined = [by_key["bordereau"].title] if "bordereau" in by_key and bordereau else []
    joined += [by_key[p.document].title if p.document in by_key else p.nom for p in pieces if p.jointe and not p.specimen]
    return joined + ([d.title for d in others(data)] if others_too else [])


def others(data: model.DossierData) -> list:
    """The documents a dossier joins beyond article 3's pieces, in the dossier's order: not the
    letter and its bordereau, nor a document that stands for a piece (the bilan)."""
    as_pieces = {spec.document for spec in data.convention.pieces_requises if spec.document} if not data.closing else set()
    return [d for d in plan(data) if not d.spec.signed_in_dossier and d.key != "bordereau" and d.key not in as_pieces]


def _pieces(
    data: model.DossierData, bilan: Bilan | None, pages: dict[str, int] | None, states: dict[str, signed.OriginalStatus]
) -> list[PieceRow]:
    """Article 3's pieces as the letter and the bordereau list them (none at the closing)."""
    conv, year = data.convention, data.year
    pieces = []
    for spec, piece in pieces_given(conv, year.pieces) if not data.closing else []:
        titre, sans_objet = (piece.titre if piece else None), None
        if spec.document == "bilan":
            if bilan is None:
                sans_objet = "sans objet : première année d'exécution de la convention"
            else:
                titre = f"Bilan {bilan.annee} établi par {conv.association.designation_courte} le {date_fr(bilan.date)}"
        specimen = bool(piece and piece.specimen)
        state = states.get(spec.document) if spec.document else None
        jointe = sans_objet is None and (spec.document is not None or bool(piece and piece.fichier))
        pieces.append(
            PieceRow(
                code=spec.code,
                libelle=piece_label(spec.libelle, year.annee),
                titre=titre,
                nom=piece_title(spec, piece, year.annee),
                note=piece.note if piece else None,
                page=(pages or {}).get(spec.code),
                fichier=piece.fichier if piece else None,
                document=spec.document,
                specimen=specimen,
                sans_objet=sans_objet,
                signature=signed.phrase(state, data) if state is not None else None,
                # a document signed apart counts once its signed original is enclosed
                fournie=jointe and not specimen and (state is None or state.enclosure.enclosed),
                jointe=jointe,
            )
        )
    return pieces


def _comptes_rendus(data: model.DossierData, pages: dict[str, int] | None, signatures: dict[str, str]) -> list[SuiviCompteRendu]:
    """Each compte rendu financier the dossier speaks of, where it stands on the letter's date."""
    return [
        SuiviCompteRendu(
            annee=o.annee,
            etat=o.state,
            echeance=o.due,
            date=o.established.date if o.established else None,
            comptes_approuves_le=o.established.comptes_approuves_le if o.established else None,
            transmis_le=o.established.transmis_le if o.established else None,
            page=(pages or {}).get("document:crf") if o.state == "joint" else None,
            signature=signatures.get("crf") if o.state == "joint" else None,
        )
        for o in crf.owed(data)
    ]


def _owed_after_closing(data: model.DossierData) -> list[dict[str, Any]]:
    """What the association still owes once no call follows: the last year's pieces article 3 asks
    for with a call (its accounts, its activity report: once approved by the general assembly, which
    approves the accounts within six months of the year's end, so by 30 June), and the compte rendu
    financier of its participation (by 30 June), each with when it is due, in words. The letter
    names the assembly only once held by its own date: it cannot report what follows it."""
    if not data.closing:
        return []
    year, sent = data.year.annee, crf.letter_date(data)
    last = data.reported.get(year - 1)
    approved = last.crf.comptes_approuves_le if last is not None and last.crf is not None else None
    if approved is not None and sent is not None and approved > sent:
        approved = None  # an assembly after the letter: the letter cannot report it
    due = cycle.crf_due(year - 1)
    owed = []
    for spec in data.convention.pieces_requises:
        if "N-1" in spec.libelle:
            label = piece_label(spec.libelle, year)
            whose = "leur" if label.lower().startswith("les ") else "son"
            if sent is not None and due < sent:
                when = f"dans les meilleurs délais (échéance du {date_fr(due)} dépassée)"
            elif approved is not None:  # held by the letter's date: the piece waits only to be sent
                when = f"au plus tard le {date_fr(due)} (approbation par l'assemblée générale du {date_fr(approved)})"
            else:
                when = f"dès {whose} approbation par l'assemblée générale de l'association, et au plus tard le {date_fr(due)}"
            owed.append({"quoi": label, "echeance": due, "code": spec.code, "quand": when})
    for o in crf.owed(data):
        if o.state == "joint":
            continue
        late = sent is not None and o.due < sent
        owed.append(
            {
                "quoi": f"le compte rendu financier de la participation {o.annee}",
                "echeance": o.due,
                "code": "crf",
                "quand": (
                    f"qui était dû au plus tard le {date_fr(o.due)} : il suivra dès que possible"
                    if late
                    else f"au plus tard le {date_fr(o.due)}, une fois les comptes {o.annee} approuvés"
                ),
            }
        )
    return owed


def crf_view(conv: model.Convention, data: model.Annee) -> CompteRendu:
    """The compte rendu financier of one year: the cerfa's table, its totals, its annex."""

    def line(code: str, libelle: str, prevu: Decimal, realise: Decimal, explication: str | None = None) -> LigneCompte:
        ecart, share = crf.gap(prevu, realise)
        return LigneCompte(
            code=code,
            libelle=libelle,
            prevu=prevu,
            realise=realise,
            ecart=ecart,
            ecart_part=share,
            significatif=crf.significant(prevu, realise),
            explication=explication,
        )

    block = data.crf
    assert block is not None  # only a year whose crf is drawn up has its compte rendu (documents.plan)
    given = {item.rubrique: item for item in block.lignes}
    # every heading of the cerfa that the association filled, in its order; the participation always
    rows = [
        line(r.code, crf.label(r, conv), given[r.code].prevu, given[r.code].realise, given[r.code].explication)
        if r.code in given
        else line(r.code, crf.label(r, conv), Decimal("0.00"), Decimal("0.00"))
        for r in crf.RUBRIQUES
        if r.code in given or r.code == crf.PARTICIPATION
    ]
    sections = {key: [row for row in rows if crf.BY_CODE[row.code].section == key] for key in crf.SECTIONS}
    sums = crf.totals([model.LigneCRF(rubrique=r.code, prevu=r.prevu, realise=r.realise) for r in rows])
    participation = next(row for row in rows if row.code == crf.PARTICIPATION)
    produits = sums["produits"][1]
    return CompteRendu(
        annee=data.annee,
        date=block.date,
        lieu=block.lieu,
        comptes_approuves_le=block.comptes_approuves_le,
        echeance=crf_due(data.annee),
        transmis_le=block.transmis_le,
        reference=block.reference,
        derniere_annee=data.annee == conv.convention.annees[-1],
        periode={"debut": dt.date(data.annee, 1, 1), "fin": dt.date(data.annee, 12, 31)},
        charges_directes=sections[crf.CHARGES_DIRECTES],
        charges_indirectes=sections[crf.CHARGES_INDIRECTES],
        produits=sections[crf.PRODUITS],
        total_charges=line("total_charges", "Total des charges", *sums["charges"]),
        total_produits=line("total_produits", "Total des produits", *sums["produits"]),
        participation=participation,
        participation_part=(participation.realise / produits) if produits else None,
        ecarts=[row for row in rows if row.significatif],
        autres_explications=[row for row in rows if not row.significatif and row.explication],
        commentaire=block.commentaire,
        regle_repartition=block.regle_repartition,
        seuil_part=crf.GAP_SHARE,
        seuil_montant=crf.GAP_AMOUNT,
        pieces=_crf_pieces(data.annee, block),
    )


def _crf_pieces(annee: int, block: model.CompteRenduFinancier) -> list[PieceEnvoi]:
    """The pieces that go with a year's compte rendu financier, in the cerfa's order, as given."""
    return [
        PieceEnvoi(
            code=spec.code,
            nom=crf_piece_label(spec, piece, annee, block.comptes_approuves_le),
            mention=spec.mention.format(n=annee),
            fichier=piece.fichier,
            specimen=piece.specimen,
        )
        for spec, piece in given_in_order(CRF_PIECES, block.pieces)
        if piece is not None and piece.fichier
    ]


def crf_due(year: int) -> dt.date:
    return cycle.crf_due(year)


def _signataires(data: model.DossierData) -> dict[str, dict[str, str]]:
    """Who signs the minutes for each party: the first member whose role carries ``signe_pour``."""
    conv = data.convention
    signataires = {}
    for who, party in (("metropole", conv.metropole), ("association", conv.association)):
        member, person = minutes_signer(data, who)
        if member is not None:
            signataires[who] = {
                "pour": party.designation,
                "qualite": person.qualite if person else member.libelle,
                "titre": person.titre if person else member.libelle,
                "nom": person.prenom_nom if person else "",
            }
    return signataires


def _seance(data: model.DossierData) -> dict[str, str]:
    """Who chaired the meeting and who kept its minutes, as the list of those present names them."""
    copil = data.year.copil
    people = {p.role: p for p in copil.presents if p.role}

    def named(role: str | None) -> str:
        person = people.get(role) if role else None
        return f"{person.nom_complet}, {person.qualite}, {person.organisme}" if person else ""

    return {"president": named(copil.presidence), "secretaire": named(copil.secretariat)}


def regle(minimum: int) -> str:
    """Article 4's rhythm as the convention words it: « annuellement », « au moins deux fois par an »."""
    return "annuellement" if minimum == 1 else f"au moins {num2words(minimum, lang='fr')} fois par an"


def agenda(data: model.DossierData) -> list[dict[str, Any]]:
    """The COPIL's ordre du jour, which its minutes follow item by item: the cycle decides it
    (no bilan to examine the first year, no programme at the closing COPIL)."""
    terms, n = data.convention.convention, data.year.annee
    points = [("accueil", "Accueil et adoption de l'ordre du jour")]
    if data.bilan_year is not None:
        points.append(("bilan", f"Examen du bilan {data.bilan_year.annee}"))
    if data.closing:
        points.append(("bilan_final", f"Examen du bilan final de la convention {terms.periode}"))
    else:
        points.append(("programme", f"Programme de travail {n} par chantier"))
    points.append(("divers", "Questions diverses et calendrier"))
    return [{"numero": i, "sujet": sujet, "titre": titre} for i, (sujet, titre) in enumerate(points, 1)]


def bilan_view(conv: model.Convention, data: model.Annee, *, until: dt.date) -> Bilan:
    """What the bilan of one year reports: its actions by chantier and modalité, its meetings
    against article 4, and its participation, called and received as known on ``until``."""
    modal_by_code = {m.code: m for m in conv.modalites}

    def action_view(a: model.Action) -> dict[str, Any]:
        return {
            "date": a.date,
            "chantier": a.chantier,
            "modalite": a.modalite,
            "modalite_titre": modal_by_code[a.modalite].titre,
            "titre": a.titre,
            "partenaires": a.partenaires,
            "participants": a.participants,
            "resultat": a.resultat,
        }

    actions = sorted(data.actions, key=lambda a: (a.date, a.titre))
    chantiers: list[dict[str, Any]] = [
        {
            "numero": i,
            "code": c.code,
            "titre": c.titre,
            "axe": c.axe,
            "actions": [action_view(a) for a in actions if a.chantier == c.code],
        }
        for i, c in enumerate(conv.chantiers, 1)
    ]
    modalites = [{"numero": i, "code": m.code, "titre": m.titre} for i, m in enumerate(conv.modalites, 1)]
    lignes: list[dict[str, Any]] = []
    for c in chantiers:
        counts = [sum(1 for a in c["actions"] if a["modalite"] == m["code"]) for m in modalites]
        lignes.append({"numero": c["numero"], "titre": c["titre"], "nombres": counts, "total": sum(counts)})
    totaux = [sum(line["nombres"][j] for line in lignes) for j in range(len(modalites))]

    def rythme(instance: model.Instance) -> Rythme:
        return Rythme(
            nom=instance.nom,
            sigle=instance.sigle,
            minimum=instance.reunions_min_par_an,
            regle=regle(instance.reunions_min_par_an),
            tenues=sum(1 for r in data.reunions if r.instance == instance.sigle),
        )

    fin, appel = data.finances, data.appel
    received = fin.date_reception if fin is not None and fin.date_reception is not None and fin.date_reception <= until else None
    recu = fin.montant_recu if fin is not None and received is not None else Decimal("0.00")
    appele = appel.montant if appel is not None else Decimal("0.00")
    return Bilan(
        annee=data.annee,
        date=data.bilan.date if data.bilan else None,
        lieu=data.bilan.lieu if data.bilan else None,
        periode={"debut": dt.date(data.annee, 1, 1), "fin": dt.date(data.annee, 12, 31)},
        chantiers=chantiers,
        chantiers_actifs=sum(1 for c in chantiers if c["actions"]),
        modalites=modalites,
        actions=[action_view(a) for a in actions],
        tableau={"lignes": lignes, "totaux": totaux, "total": sum(totaux)},
        reunions=sorted(data.reunions, key=lambda r: r.date),
        rythme={"copil": rythme(conv.copil), "cotech": rythme(conv.cotech)},
        finances=Finances(
            montant_annuel=conv.convention.montant_annuel,
            montant_appele=appele,
            date_appel=appel.date if appel else None,
            montant_recu=recu,
            date_reception=received,
            en_attente=appele - recu,
        ),
    )


def final_view(conv: model.Convention, years: list[model.Annee], *, until: dt.date, established: model.Etabli) -> BilanFinal:
    """The final bilan: every year of the period side by side, and the totals."""
    views = [bilan_view(conv, y, until=until) for y in years]
    chantiers = [
        {
            "numero": i,
            "titre": c.titre,
            "par_annee": [len(v.chantiers[i - 1]["actions"]) for v in views],
            "total": sum(len(v.chantiers[i - 1]["actions"]) for v in views),
        }
        for i, c in enumerate(conv.chantiers, 1)
    ]
    return BilanFinal(
        annees=[v.annee for v in views],
        bilans=views,
        chantiers=chantiers,
        actions_par_annee=[len(v.actions) for v in views],
        actions_total=sum(len(v.actions) for v in views),
        chantiers_actifs=sum(1 for c in chantiers if c["total"]),
        appele_total=sum((v.finances.montant_appele for v in views), Decimal("0.00")),
        recu_total=sum((v.finances.montant_recu for v in views), Decimal("0.00")),
        en_attente_total=sum((v.finances.en_attente for v in views), Decimal("0.00")),
        prevu_total=conv.convention.montant_annuel * len(views),
        date=established.date,
        lieu=established.lieu,
    )


def images(context: Context) -> dict[str, tuple[bytes, float]]:
    """Pictures inserted by templates: the bilan's chart, 16 cm wide."""
    from pipeline.convention import chart  # drawn only when a bilan is filled: import pipeline.convention loads no Pillow

    bilan = context.bilan
    if not bilan:
        return {}
    rows = [(f"{line['numero']}. {line['titre']}", line["nombres"]) for line in bilan.tableau["lignes"]]
    legend = [f"{m['numero']}. {m['titre']}" for m in bilan.modalites]
    return {"graphique": (chart.stacked_bars(rows, legend), 16.0)}
