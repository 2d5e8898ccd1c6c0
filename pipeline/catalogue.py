"""The documents a dossier is made of and who signs each: the engine's vocabulary of the yearly
cycle (a convention's own words — parties, pieces, committees — stay in its convention.yaml).

Kept free of imports so that the rules, the context and the checks can all read it.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DocumentSpec:
    key: str          # also the template's file name, without .docx
    title: str        # as in the sommaire and the bookmarks
    in_first_year_only_signed: bool = False
    signers: tuple[str, ...] = ()  # who signs it: each needs its signature('key', 'who') tag


DOCUMENTS = [
    DocumentSpec("convention", "La convention de partenariat", in_first_year_only_signed=True,
                 signers=("metropole", "association")),
    DocumentSpec("appel", "L'appel de participation", signers=("association",)),
    DocumentSpec("bordereau", "Le bordereau des pièces jointes"),
    DocumentSpec("bilan", "Le bilan de la mise en œuvre de la convention", signers=("association",)),
    DocumentSpec("bilan-final", "Le bilan final de la convention", signers=("association",)),
    DocumentSpec("pv-copil", "Le procès-verbal du comité de pilotage", signers=("metropole", "association")),
]
SPECS = {spec.key: spec for spec in DOCUMENTS}
SIGNERS = {"metropole": "la Métropole", "association": "l'association"}


def piece_label(libelle: str, year: int) -> str:
    """Article 3 says « l'année N-1 »: a year's documents name it (« l'année 2022 »)."""
    return libelle.replace("N-1", str(year - 1))
