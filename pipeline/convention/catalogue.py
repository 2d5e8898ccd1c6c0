"""The documents a dossier is made of and who signs each: the engine's vocabulary of the yearly
cycle (a convention's own words — parties, pieces, committees — stay in its convention.yaml).

Kept free of imports so that the rules, the context and the checks can all read it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DocumentSpec:
    key: str  # also the template's file name, without .docx
    title: str  # as in the sommaire and the bookmarks
    signers: tuple[str, ...] = ()  # who signs it: each needs its signature('key', 'who') tag
    # signed inside the dossier it sends (the call letter, the last signature); every other
    # signed document is signed on its own date, as its own file, and enclosed signed
    signed_in_dossier: bool = False
    # its words are an approved text, reproduced as signed: the engine's typography leaves it alone
    approved_text: bool = False
    # it reports on a year other than its dossier's (the bilan of N-1): its headings name that year
    reports_year: bool = False
    # it lists the dossier's pieces with the page each starts on (the bordereau): filled last, once
    # the length of every other part is known, its own included
    lists_pieces: bool = False
    # its template shows the chart of the year's actions (the bilan): filled with the image
    has_chart: bool = False
    # each convention has its own text (the convention): never taken from the shared templates
    own_text: bool = False
    # signed once for the whole period (the convention): the later years join a copy of the first
    # year's signed original, the same document converted once for every year
    signed_once: bool = False
    # the committee's minutes: each party's signatory is the member whose role carries signe_pour
    # (the template's « signataires »), not the party's representative; staff may call it by the
    # committee's own name (« pv-costrat » where convention.yaml calls its COPIL the COSTRAT)
    minutes: bool = False
    # a letter: signed on the day it is dated, never before nor after
    letter: bool = False
    # the tag that prints the document's own date, as « python -m pipeline variables » lists it
    date_tag: str | None = None


DOCUMENTS = [
    DocumentSpec(
        "convention",
        "La convention de partenariat",
        signers=("metropole", "association"),
        approved_text=True,
        own_text=True,
        signed_once=True,
        date_tag="convention.date_signature",
    ),
    DocumentSpec(
        "appel", "L'appel de participation", signers=("association",), signed_in_dossier=True, letter=True, date_tag="appel.date"
    ),
    DocumentSpec("bordereau", "Le bordereau des pièces jointes", lists_pieces=True, date_tag="appel.date"),
    DocumentSpec(
        "bilan",
        "Le bilan de la mise en œuvre de la convention",
        signers=("association",),
        reports_year=True,
        has_chart=True,
        date_tag="bilan.date",
    ),
    DocumentSpec("bilan-final", "Le bilan final de la convention", signers=("association",), date_tag="bilan_final.date"),
    DocumentSpec(
        "pv-copil",
        "Le procès-verbal du comité de pilotage",
        signers=("metropole", "association"),
        minutes=True,
        date_tag="copil.date",
    ),
    # the compte rendu financier of the participation N-2 (loi du 12 avril 2000, art. 10): signed
    # apart by the association once its accounts are approved, enclosed by the next letter
    DocumentSpec("crf", "Le compte rendu financier de la participation", signers=("association",), date_tag="crf.date"),
    DocumentSpec(
        "transmission",
        "La lettre de transmission du dossier de clôture",
        signers=("association",),
        signed_in_dossier=True,
        letter=True,
        date_tag="transmission.date",
    ),
    # the letter that sends the compte rendu financier N to the Métropole by 30 June N+1, signed
    # apart with it: the two make the CRF's own sending (``make crf``), no dossier around them
    DocumentSpec(
        "lettre-crf",
        "La lettre d'envoi du compte rendu financier",
        signers=("association",),
        letter=True,
        date_tag="crf.transmis_le",
    ),
]
SPECS = {spec.key: spec for spec in DOCUMENTS}
SIGNERS = {"metropole": "la Métropole", "association": "l'association"}


def signed_apart(key: str) -> bool:
    """Whether a document is signed on its own, before the dossier that encloses it."""
    spec = SPECS.get(key)
    return spec is not None and bool(spec.signers) and not spec.signed_in_dossier


def lists_pieces(key: str) -> bool:
    """Whether a dossier part (a document, or a piece « piece:code ») is the list of the pieces,
    filled last with their dossier pages."""
    spec = SPECS.get(key)
    return spec is not None and spec.lists_pieces


def pieces_given(conv, pieces: list) -> list[tuple]:
    """Article 3's pieces in its order, each with what the year provides for it (None: nothing)."""
    return given_in_order(conv.pieces_requises, pieces)


def given_in_order(required: list, pieces: list) -> list[tuple]:
    """Each piece asked for (a call's article 3, a CRF's cerfa), in its order, with what the data
    provides for it (None: nothing)."""
    given = {p.code: p for p in pieces}
    return [(spec, given.get(spec.code)) for spec in required]


@dataclass(frozen=True)
class CrfPiece:
    """A piece that goes with the compte rendu financier N: the cerfa n° 15059's notice says it
    « doit être accompagné du dernier rapport annuel d'activité et des comptes approuvés du
    dernier exercice clos » (the law's words, the same for every convention)."""

    code: str
    libelle: str  # {n}: the year; {approuves}: the general assembly's day, in words
    mention: str  # as the letter's sentence names it, whatever its own title
    required: bool  # the commissaire aux comptes' report only where the association has one


CRF_PIECES = [
    CrfPiece(
        "comptes",
        "les comptes annuels de l'exercice {n}, approuvés par l'assemblée générale le {approuves}",
        "les comptes de l'exercice {n} approuvés par l'assemblée générale",
        required=True,
    ),
    CrfPiece(
        "rapport_cac",
        "le rapport du commissaire aux comptes sur les comptes de l'exercice {n}",
        "le rapport du commissaire aux comptes",
        required=False,
    ),
    CrfPiece("rapport_activite", "le rapport d'activité de l'année {n}", "le rapport d'activité de l'année {n}", required=True),
]


def crf_piece_label(spec: CrfPiece, piece, year: int, approved) -> str:
    """How the sending's letter names a piece: its own title, else what the cerfa asks for."""
    # lazy: french loads num2words (~80 ms); catalogue is on --help's path
    from pipeline.french import date_fr

    return (piece.titre if piece is not None and piece.titre else None) or spec.libelle.format(
        n=year, approuves=date_fr(approved)
    )


def piece_title(spec, piece, year: int) -> str:
    """How a provided piece is named in the letter and the sommaire: its own title, else what
    article 3 asks for."""
    return (piece.titre if piece is not None else None) or piece_label(spec.libelle, year)


def piece_label(libelle: str, year: int) -> str:
    """Article 3 says « l'année N-1 »: a year's documents name it (« l'année 2022 »)."""
    return libelle.replace("N-1", str(year - 1))


def signature_problems(key: str, spots: list) -> list[str]:
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
        problems.append(f"la balise {{{{ signature('{spot.document}', '{spot.who}') }}}} ne convient pas à ce document — {fix}")
    for spot in sorted({s for s in spots if spots.count(s) > 1}, key=lambda s: s.field_name):
        problems.append(
            f"la balise {{{{ signature('{spot.document}', '{spot.who}') }}}} apparaît "
            f"{spots.count(spot)} fois : un seul bloc de signature par signataire, retirez les autres"
        )
    called = {spot.who for spot in spots}  # a tag naming another document is reported above
    for who in spec.signers:
        if who not in called:
            problems.append(
                f"la balise {{{{ signature('{key}', '{who}') }}}} manque : sans elle, le dossier n'a pas "
                f"de champ de signature pour {SIGNERS.get(who, who)} ; remettez-la dans le bloc de "
                f"signature, seule dans un paragraphe en style « Marque de signature »"
            )
    return problems
