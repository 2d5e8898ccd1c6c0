"""The typed data of a convention and of one of its years: the schema, apart from its loading.

The dataclasses below are bound to YAML by ``binder`` (which reports every problem at once with
file and line); ``model`` loads the years a dossier needs and runs ``rules``, which reads these
types as they are (the schema imports neither). Field docs (``doc=``) feed the ``variables``
command, so staff see what each value means.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import ClassVar, Literal

from num2words import num2words

from pipeline.binder import Problems, described, doc
from pipeline.convention import cycle
from pipeline.french import Heure, civilite_feminine, civilite_longue
from pipeline.yamlsource import LineDict

# --------------------------------------------------------------------------- the convention

A_REMPLACER = (
    "valeurs d'exemple encore à remplacer, par leur clé (« association.telephone », « banque.iban ») : "
    "une version définitive (--final) refuse chacune ; retirez la clé de la liste une fois la vraie "
    "valeur saisie"
)


@dataclass(frozen=True, kw_only=True)
class Personne:
    qualite: str = doc("titre de la fonction, tel qu'écrit dans les documents (« Président »), accordé à la civilité")
    civilite: str | None = doc("Madame ou Monsieur (Mme, M. : écrits en toutes lettres dans les documents)", None)
    prenom: str | None = doc("prénom", None)
    nom: str | None = doc("nom de famille, en capitales", None)
    organisme: str | None = doc("organisme de la personne", None)

    @described("civilité, prénom et nom (« Monsieur Pascal FRIQUET »), « … » si le nom manque")
    def nom_complet(self) -> str:
        """'Monsieur Pascal FRIQUET', or '…' where the data leaves the name blank: the civilité
        written out (« Mme » in the data is « Madame » in a letter)."""
        parts = [p for p in (civilite_longue(self.civilite), self.prenom, self.nom) if p]
        return " ".join(parts) if self.nom else "…"

    @described("prénom et nom (« Pascal FRIQUET »), « … » si le nom manque")
    def prenom_nom(self) -> str:
        parts = [p for p in (self.prenom, self.nom) if p]
        return " ".join(parts) if self.nom else "…"

    @described("nom sous une signature, vide si inconnu (à écrire à la main)")
    def signature_nom(self) -> str:
        """The name under a signature: left empty, to be written by hand, when unknown."""
        return " ".join(p for p in (self.prenom, self.nom) if p) if self.nom else ""

    @described("vrai si la personne est une femme (d'après la civilité)")
    def feminin(self) -> bool:
        return bool(civilite_feminine(self.civilite))

    @described("« sa » ou « son » (« représentée par sa Présidente »)")
    def possessif(self) -> str:
        """'sa Présidente' / 'son Président'."""
        return "sa" if self.feminin else "son"

    @described("« e » pour accorder au féminin (« habilité{{ …accord }} »)")
    def accord(self) -> str:
        """The 'e' of 'habilitée' when the person is a woman."""
        return "e" if self.feminin else ""

    @described("formule d'adresse (« Madame la Présidente »)")
    def appellation(self) -> str:
        """'Madame la Présidente', the form of address of a letter."""
        article = "la" if self.feminin else "le"
        civilite = civilite_longue(self.civilite) or ("Madame" if self.feminin else "Monsieur")
        return f"{civilite} {article} {self.qualite}"


@dataclass(frozen=True, kw_only=True)
class Partie:
    nom: str = doc("nom officiel (« Métropole Aix-Marseille-Provence »)")
    adresse: list[str] = doc("adresse, une ligne par élément")
    representant: Personne = doc("qui représente et signe pour la partie")
    titre_signature: list[str] = doc("lignes du bloc de signature (« La Présidente de la Métropole », …)")
    sigle: str | None = doc("nom court (« AR Hlm »)", None)
    forme: str | None = doc("forme juridique (« association loi 1901 »)", None)
    article: str = doc("article devant le nom court, pour les phrases (« la », « l' »)", "la")
    telephone: str | None = doc("téléphone de l'en-tête de lettre", None)
    courriel: str | None = doc("courriel de l'en-tête de lettre", None)
    siret: str | None = doc(
        "numéro SIRET (14 chiffres), dans l'en-tête de lettre : le comptable public identifie ainsi le bénéficiaire", None
    )
    rna: str | None = doc("numéro RNA d'une association (W suivi de 9 chiffres)", None)
    service: str | None = doc("service destinataire des courriers", None)
    directeur: Personne | None = doc("directeur ou directrice (membre du COPIL)", None)

    @described("sigle, ou le nom s'il n'y a pas de sigle")
    def nom_court(self) -> str:
        return self.sigle or self.nom

    @described("adresse sur une ligne")
    def adresse_ligne(self) -> str:
        return ", ".join(self.adresse)

    @described("le sigle précédé de son article (« l'AR Hlm »)")
    def designation_courte(self) -> str:
        """The short name with its article: 'l'AR Hlm' (the full designation when no sigle)."""
        return self._with_article(self.sigle or self.nom)

    @described("le nom précédé de son article (« la Métropole Aix-Marseille-Provence »)")
    def designation(self) -> str:
        """The name with its article, as a sentence writes it: 'la Métropole …', 'l'Association …'."""
        return self._with_article(self.nom)

    def _with_article(self, name: str) -> str:
        article = self.article.strip()
        return f"{article}{name}" if article.endswith(("'", "’")) else f"{article} {name}"


@dataclass(frozen=True, kw_only=True)
class Chantier:
    code: str = doc("code court, repris par les actions (« PLH »)")
    axe: str = doc("axe de travail de l'article 1")
    titre: str = doc("intitulé court du chantier")


@dataclass(frozen=True, kw_only=True)
class Modalite:
    code: str = doc("code court, repris par les actions (« ANIMATION »)")
    titre: str = doc("intitulé de la modalité d'intervention (article 2)")


@dataclass(frozen=True, kw_only=True)
class PieceRequise:
    code: str = doc("code court, repris par les pièces de l'année (« rib »)")
    libelle: str = doc("intitulé de la pièce tel que l'article 3 la demande")
    document: str | None = doc("document produit par la chaîne qui tient lieu de cette pièce (« bilan »)", None)


@dataclass(frozen=True, kw_only=True)
class Membre:
    role: str = doc("code du rôle (« vp_habitat »)")
    libelle: str = doc("libellé du rôle tel que l'article 4 le nomme")
    signe_pour: Literal["metropole", "association"] | None = doc(
        "partie pour laquelle ce membre signe le procès-verbal (metropole ou association)", None
    )


@dataclass(frozen=True, kw_only=True)
class Instance:
    nom: str = doc("nom de l'instance (« Comité de pilotage »)")
    sigle: str = doc("sigle (« COPIL »)")
    reunions_min_par_an: int = doc("nombre minimal de réunions par an (article 4)")
    membres: list[Membre] = doc("composition prévue par l'article 4", factory=list)


@dataclass(frozen=True, kw_only=True)
class Deliberation:
    numero: str | None = doc("numéro de la délibération (laissé en blanc : « … »)", None)
    date: dt.date | None = doc("date de la délibération", None)
    organe: str = doc("organe qui délibère", "Conseil de la Métropole")


@dataclass(frozen=True, kw_only=True)
class JoursSignature:
    """The day each party signs the convention, when they sign it in turn."""

    metropole: dt.date = doc("jour où la Métropole signe (sa Présidente, ou son délégataire)")
    association: dt.date = doc("jour où l'association signe (son Président)")


@dataclass(frozen=True, kw_only=True)
class Termes:
    titre: str = doc("titre de la convention")
    titre_court: str = doc("titre court (en-têtes, objet des courriers)")
    date_debut: dt.date = doc("date de prise d'effet")
    duree_annees: int = doc("durée en années")
    montant_annuel: Decimal = doc("participation annuelle en euros")
    lieu_signature: str = doc("lieu de signature (« Fait à … »)")
    date_signature: dt.date | None = doc(
        "date de la convention, celle de sa dernière signature (« Fait à …, le ») ; blanc tant qu'elle n'est pas fixée", None
    )
    signatures: JoursSignature | None = doc(
        "quand les parties signent à des jours différents : le jour de chacune "
        "(metropole, association) ; la convention est datée de la dernière, "
        "date_signature peut alors être omise",
        None,
    )
    deliberation: Deliberation = doc("délibération qui habilite la Présidente", factory=Deliberation)
    copie_jointe: bool = doc(
        "joindre aux dossiers des années suivantes une copie de la convention signée "
        "(faux : la Métropole détient l'original, la copie n'est pas jointe)",
        True,
    )

    def signee_le(self, partie: str) -> dt.date | None:
        """The day ``partie`` ('metropole' or 'association') signs: its own day when the data gives
        the parties' days, else the convention's date (both the same day)."""
        return getattr(self.signatures, partie) if self.signatures is not None else self.date_signature

    @described("liste des années de la convention")
    def annees(self) -> list[int]:
        return cycle.period(self.date_debut.year, self.duree_annees)

    @described("période en texte (« 2022-2024 »)")
    def periode(self) -> str:
        return f"{self.annees[0]}-{self.annees[-1]}"

    @described("durée en lettres (« trois ans »)")
    def duree_lettres(self) -> str:
        return f"{num2words(self.duree_annees, lang='fr')} an{'s' if self.duree_annees > 1 else ''}"


@dataclass(frozen=True, kw_only=True)
class Convention:
    convention: Termes = doc("les termes de la convention")
    metropole: Partie = doc("la Métropole")
    association: Partie = doc("l'association (AR Hlm)")
    chantiers: list[Chantier] = doc("les 7 chantiers opérationnels (article 1)")
    modalites: list[Modalite] = doc("les 7 modalités d'intervention (article 2)")
    pieces_requises: list[PieceRequise] = doc("les pièces à joindre à l'appel (article 3)")
    copil: Instance = doc("le comité de pilotage (article 4)")
    cotech: Instance = doc("le comité technique (article 4)")
    a_remplacer: list[str] = doc(A_REMPLACER, factory=list)


# --------------------------------------------------------------------------- one year


@dataclass(frozen=True, kw_only=True)
class Banque:
    titulaire: str = doc("titulaire du compte (le nom de l'association)")
    domiciliation: str = doc("banque et agence")
    iban: str = doc("IBAN")
    bic: str = doc("BIC")

    @described("IBAN en groupes de quatre caractères")
    def iban_groupes(self) -> str:
        compact = self.iban.replace(" ", "")
        return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


@dataclass(frozen=True, kw_only=True)
class Appel:
    date: dt.date = doc("date de la lettre d'appel")
    reference: str = doc("référence de la lettre (« N/Réf. »)")
    lieu: str = doc("lieu d'envoi de la lettre (« Marseille, le … »)")
    montant: Decimal = doc("montant appelé (égal à la participation annuelle)")
    dossier_suivi_par: str | None = doc("personne qui suit le dossier", None)
    engagement: str | None = doc(
        "numéro d'engagement de la participation que la Métropole a communiqué, s'il est "
        "connu : la lettre le donne en « V/Réf. » (le service qui prépare le mandat s'y "
        "retrouve)",
        None,
    )


@dataclass(frozen=True, kw_only=True)
class Transmission:
    date: dt.date = doc("date de la lettre qui transmet le dossier de clôture (après le COPIL de clôture)")
    reference: str = doc("référence de la lettre (« N/Réf. »)")
    lieu: str = doc("lieu d'envoi de la lettre (« Marseille, le … »)")
    dossier_suivi_par: str | None = doc("personne qui suit le dossier", None)


@dataclass(frozen=True, kw_only=True)
class Action:
    date: dt.date = doc("date de l'action")
    chantier: str = doc("code du chantier (voir convention.yaml)")
    modalite: str = doc("code de la modalité d'intervention")
    titre: str = doc("intitulé de l'action")
    partenaires: list[str] = doc("partenaires associés", factory=list)
    participants: int | None = doc("nombre de participants", None)
    resultat: str | None = doc("résultat ou suite donnée", None)


@dataclass(frozen=True, kw_only=True)
class Reunion:
    instance: str = doc("sigle du comité, tel que convention.yaml le donne (« COPIL » ou « COTECH »)")
    date: dt.date = doc("date de la réunion")
    lieu: str | None = doc("lieu", None)
    objet: str | None = doc("objet ou points principaux", None)


@dataclass(frozen=True, kw_only=True)
class Participant:
    civilite: str | None = doc("Mme ou M.", None)
    prenom: str | None = doc("prénom", None)
    nom: str = doc("nom de famille, en capitales")
    qualite: str = doc("fonction, accordée à la civilité (« Directrice », « Vice-Président délégué … »)")
    organisme: str = doc("organisme")
    role: str | None = doc("rôle de l'article 4 qu'il ou elle tient (« vp_habitat »)", None)

    @described("civilité, prénom et nom (« Mme Sophie EXEMPLE »), pour la liste des présents")
    def nom_complet(self) -> str:
        """'Mme Sophie EXEMPLE', for the list of those present."""
        return " ".join(p for p in (self.civilite, self.prenom, self.nom) if p)

    @described("prénom et nom, sous une signature (sans civilité)")
    def prenom_nom(self) -> str:
        """'Sophie EXEMPLE', under a signature (French usage writes no civilité there)."""
        return " ".join(p for p in (self.prenom, self.nom) if p)

    @described("vrai si la personne est une femme (d'après la civilité)")
    def feminin(self) -> bool:
        return bool(civilite_feminine(self.civilite))

    @described("la fonction précédée de son article (« la Vice-Présidente déléguée … »)")
    def titre(self) -> str:
        return f"{'la' if self.feminin else 'le'} {self.qualite}"


@dataclass(frozen=True, kw_only=True)
class ProgrammeChantier:
    chantier: str = doc("code du chantier")
    actions: list[str] = doc("actions prévues pour l'année")


@dataclass(frozen=True, kw_only=True)
class ProchaineReunion:
    instance: str = doc("sigle du comité, tel que convention.yaml le donne (« COPIL » ou « COTECH »)")
    date: dt.date = doc("date prévue")
    lieu: str | None = doc("lieu prévu", None)


@dataclass(frozen=True, kw_only=True)
class Copil:
    date: dt.date = doc("date du COPIL (jour de la réunion, date du procès-verbal)")
    lieu: str = doc("lieu du COPIL")
    heure: Heure | None = doc("heure de début (« 10 h 00 » ; 10:00 et 10h00 s'écrivent « 10 h 00 »)", None)
    heure_fin: Heure | None = doc("heure à laquelle la séance est levée (« 12 h 00 »)", None)
    presidence: str | None = doc("rôle (article 4) du membre présent qui préside la séance (« vp_habitat »)", None)
    secretariat: str | None = doc("rôle du membre présent qui tient le procès-verbal (« directeur_arhlm »)", None)
    presents: list[Participant] = doc("membres présents", factory=list)
    excuses: list[Participant] = doc("membres excusés", factory=list)
    examen_bilan: str = doc("ce que le COPIL retient du bilan de l'année précédente (vide la première année)", "")
    examen_bilan_final: str = doc("COPIL de clôture : ce qu'il retient du bilan final de la convention", "")
    programme: list[ProgrammeChantier] = doc("programme de travail de l'année, par chantier", factory=list)
    decisions: list[str] = doc("relevé de décisions", factory=list)
    questions_diverses: str = doc("ce qui a été dit aux questions diverses", "")
    prochaines_reunions: list[ProchaineReunion] = doc("réunions annoncées (elles doivent se tenir à ces dates)", factory=list)

    retired_keys: ClassVar[dict[str, str]] = {
        "ordre_du_jour": "l'ordre du jour est maintenant établi d'après les données (variable ordre_du_jour des "
        "modèles) : retirez cette clé"
    }


@dataclass(frozen=True, kw_only=True)
class Finances:
    montant_recu: Decimal = doc("participation de l'année reçue (0 tant que rien n'est reçu)")
    date_reception: dt.date | None = doc("date du versement reçu", None)

    retired_keys: ClassVar[dict[str, str]] = {
        "montant_appele": "le montant appelé est celui de la lettre d'appel (appel.montant) : retirez cette clé "
        "(montant_recu est ce qui a été reçu, pas ce qui a été appelé)"
    }


@dataclass(frozen=True, kw_only=True)
class Etabli:
    date: dt.date = doc("date à laquelle le document est établi et signé")
    lieu: str = doc("lieu de signature (« Fait à … »)")


@dataclass(frozen=True, kw_only=True)
class Piece:
    code: str = doc("code de la pièce requise (voir convention.yaml)")
    fichier: str | None = doc("chemin du PDF, relatif au dossier de l'année", None)
    titre: str | None = doc("intitulé précis de la pièce fournie", None)
    note: str | None = doc("remarque (« approuvés par l'assemblée générale du 12 juin 2022 »)", None)
    specimen: bool = doc("vrai si le fichier est un spécimen, pas la vraie pièce (refusé avec --final)", False)


@dataclass(frozen=True, kw_only=True)
class LigneCRF:
    rubrique: str = doc("code de la rubrique du compte rendu financier (« achats », « personnel », « participation »…)")
    prevu: Decimal = doc("montant prévu au budget de l'action, en euros")
    realise: Decimal = doc("montant réalisé, en euros")
    explication: str | None = doc("explication de l'écart entre prévu et réalisé (annexe du compte rendu)", None)


@dataclass(frozen=True, kw_only=True)
class CompteRenduFinancier:
    """The compte rendu financier of the year's participation (loi n° 2000-321, art. 10; arrêté
    du 11 octobre 2006): drawn up in the next year, once the year's accounts are approved."""

    date: dt.date = doc(
        "date à laquelle le compte rendu financier est établi et signé (au plus tard le 30 juin de l'année suivante)"
    )
    lieu: str = doc("lieu de signature (« Fait à … »)")
    comptes_approuves_le: dt.date = doc("date à laquelle l'assemblée générale a approuvé les comptes de l'année")
    lignes: list[LigneCRF] = doc(
        "les charges et produits de l'action, prévus et réalisés (d'ordinaire lus dans compte-rendu-financier.xlsx)", factory=list
    )
    commentaire: str | None = doc("annexe : ce que l'association veut dire de l'emploi de la participation", None)
    transmis_le: dt.date | None = doc(
        "date à laquelle il a été déposé auprès de la Métropole : au plus tard le 30 juin "
        "de l'année suivante (loi du 12 avril 2000, article 10), sans attendre l'appel "
        "qui en joint une copie",
        None,
    )
    reference: str | None = doc("référence de la lettre d'envoi du compte rendu financier (« N/Réf. »)", None)
    regle_repartition: str | None = doc(
        "annexe : la règle de répartition des charges indirectes et des charges de "
        "personnel affectées à l'action (« au prorata du temps passé par les "
        "salariés, relevé mensuel ; loyers et frais généraux au prorata… »), que le "
        "cerfa n° 15059 demande dès qu'il y en a",
        None,
    )
    pieces: list[Piece] = doc(
        "ce que la lettre d'envoi joint au compte rendu financier (cerfa n° 15059) : les comptes "
        "approuvés (code comptes), le rapport du commissaire aux comptes s'il y en a un "
        "(rapport_cac), le rapport d'activité (rapport_activite), chacun avec son fichier dans "
        "pieces/",
        factory=list,
    )


@dataclass(frozen=True, kw_only=True)
class Annee:
    """One year's folder. For a year of the period: its call (appel, banque, pieces), its COPIL,
    what happened during it (actions, reunions, finances) and, once drawn up early the next
    year, its bilan. For the year after the period: the closing COPIL and the final bilan."""

    annee: int = doc("l'année du dossier")
    donnees_exemple: bool = doc("vrai si les données sont des exemples, pas des faits", False)
    a_remplacer: list[str] = doc(A_REMPLACER, factory=list)
    appel: Appel | None = doc("la lettre d'appel de la participation de l'année", None)
    banque: Banque | None = doc("coordonnées bancaires (RIB) données dans l'appel", None)
    copil: Copil = doc("le COPIL de l'année : il examine le bilan de l'année précédente et adopte le programme")
    pieces: list[Piece] = doc("les pièces jointes à l'appel de l'année", factory=list)
    actions: list[Action] = doc("les actions menées pendant l'année (rapportées dans son bilan)", factory=list)
    reunions: list[Reunion] = doc("les COPIL et COTECH tenus pendant l'année", factory=list)
    finances: Finances | None = doc("la participation de l'année reçue (rapportée dans son bilan)", None)
    bilan: Etabli | None = doc("le bilan de l'année, établi au début de l'année suivante (date et lieu)", None)
    crf: CompteRenduFinancier | None = doc(
        "le compte rendu financier de la participation de l'année, établi l'année "
        "suivante après l'approbation des comptes (date, lieu, "
        "comptes_approuves_le)",
        None,
    )
    bilan_final: Etabli | None = doc("l'année de clôture seulement : le bilan final de la période (date et lieu)", None)
    transmission: Transmission | None = doc(
        "l'année de clôture seulement : la lettre qui transmet le dossier de clôture à la Métropole (date, reference, lieu)", None
    )


# --------------------------------------------------------------------------- as loaded


@dataclass
class YearFile:
    """One year's year.yaml as loaded: its data, its raw YAML (for lines) and its problems."""

    annee: int
    folder: Path
    raw: LineDict
    data: Annee | None  # None when it does not bind to the schema (its problems say why)
    problems: Problems
    warnings: Problems


@dataclass(frozen=True, kw_only=True)
class DossierData:
    """Everything one dossier needs: the convention, the dossier's year and the years it reports.

    The dossier of year N holds the call and the COPIL of N and the bilan of N-1 (none the
    first year); the closing dossier (the year after the period) holds the bilan of the last
    year and the final bilan of every year, with the closing COPIL."""

    convention_dir: Path
    convention: Convention
    year: Annee
    year_dir: Path
    reported: dict[int, Annee]
    warnings: list[str]
    first_call: dt.date | None = None  # the first year's call: the convention is signed before it
    # the sending of the year's own compte rendu financier (and its covering letter), signed and
    # sent apart by 30 June of the next year, before any dossier can enclose it (``model.load_sending``)
    sending: bool = False

    @property
    def closing(self) -> bool:
        return cycle.is_closing(self.year.annee, self.convention.convention.annees)

    @property
    def first(self) -> bool:
        return cycle.is_first(self.year.annee, self.convention.convention.annees)

    @property
    def bilan_year(self) -> Annee | None:
        """The year whose bilan this dossier holds: N-1, or the last year for the closing dossier."""
        reported = cycle.bilan_year(self.year.annee, self.convention.convention.annees)
        return self.reported.get(reported) if reported is not None else None

    @property
    def crf_year(self) -> Annee | None:
        """The year whose compte rendu financier this dossier may enclose: N-2 (``cycle.crf_year``);
        at the closing, the last year but one; the year's own in its sending."""
        if self.sending:
            return self.year
        period = self.convention.convention.annees
        reported = cycle.crf_year(self.year.annee, period)
        return self.reported.get(reported) if reported is not None else None
