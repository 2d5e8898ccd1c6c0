"""Does convention.yaml say what the convention's own text says?

The approved text (templates/convention.docx) is written by the juriste and convention.yaml by
staff: a text copied from another convention, or data copied from another year, can disagree
with it. What can be compared without understanding French is: how many chantiers the text
counts, the pieces article 3 lists, and the amounts it states. A disagreement is a warning:
the text is the authority, but only a person can tell which side is wrong.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import docx

NUMBERS = {
    "un": 1,
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "six": 6,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
    "dix": 10,
    "onze": 11,
    "douze": 12,
}
# words too common in a list of pieces to tell one piece from another
COMMON = {
    "avec",
    "dans",
    "pour",
    "leur",
    "leurs",
    "mise",
    "œuvre",
    "oeuvre",
    "année",
    "l'année",
    "présente",
    "convention",
    "l'association",
    "association",
    "documents",
    "document",
    "suivants",
    "chaque",
}
SPACES = "[ \u00a0\u202f]"
GROUPS = "[ \u00a0\u202f.]"  # « 20 000 », « 20.000 »: how a French text groups thousands
AMOUNT = re.compile(rf"(?<![\d,.])(\d{{1,3}}(?:{GROUPS}?\d{{3}})*(?:,\d{{2}})?){SPACES}?(?:€|euros?\b)")


def paragraphs(path: Path) -> list[tuple[str, bool]]:
    """The text's paragraphs, body and tables, each with whether it is an item of a list."""
    document = docx.Document(str(path))
    found = [(p.text, _listed(p)) for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                found += [(p.text, _listed(p)) for p in cell.paragraphs]
    return found


def _listed(paragraph) -> bool:
    ppr = paragraph._p.pPr
    return (ppr is not None and ppr.numPr is not None) or "list" in paragraph.style.name.lower()


def article(found: list[tuple[str, bool]], number: int) -> list[tuple[str, bool]]:
    """The paragraphs of article ``number``, from its heading to the next article's."""
    start = next((i for i, (text, _) in enumerate(found) if re.match(rf"\s*article\s+{number}\b", text, re.I)), None)
    if start is None:
        return []
    end = next((i for i in range(start + 1, len(found)) if re.match(r"\s*article\s+\d", found[i][0], re.I)), len(found))
    return found[start + 1 : end]


def _words(text: str) -> set[str]:
    """The words that tell a piece apart: four letters or more, or an acronym (« RIB »)."""
    words = re.findall(r"[\w'’-]+", text.replace("’", "'"))
    return {w.lower() for w in words if (len(w) >= 4 or (len(w) >= 2 and w.isupper())) and w.lower() not in COMMON}


def disagreements(conv, path: Path) -> list[str]:
    """What the text at ``path`` says otherwise than ``conv`` (convention.yaml), in staff words."""
    found = paragraphs(path)
    plain = [(text, listed) for text, listed in found if "{" not in text]  # a tag follows the data by itself
    said = []
    counts = {_count(m.group(1)) for text, _ in plain for m in re.finditer(r"\b(\d+|\w+)\s+chantiers\b", text, re.I)}
    for count in sorted(c for c in counts if c is not None and c != len(conv.chantiers)):
        said.append(
            f"le texte compte {count} chantiers, convention.yaml en liste {len(conv.chantiers)} "
            "(chantiers) : corrigez l'un ou l'autre"
        )
    items = [text for text, listed in article(plain, 3) if listed and text.strip()]
    if items:
        for piece in conv.pieces_requises:
            if not any(_words(piece.libelle) & _words(item) for item in items):
                said.append(
                    f"la pièce « {piece.libelle} » (pieces_requises) n'est pas dans la liste de l'article 3 "
                    "du texte : retirez-la de convention.yaml, ou demandez au juriste si le texte l'oublie"
                )
        for item in items:
            if not any(_words(piece.libelle) & _words(item) for piece in conv.pieces_requises):
                said.append(
                    f"l'article 3 du texte demande « {item.strip()} », qu'aucune pièce de pieces_requises "
                    "ne nomme : ajoutez-la à convention.yaml"
                )
    amounts = {_amount(m.group(1)) for text, _ in article(plain, 3) for m in AMOUNT.finditer(text)}
    for amount in sorted(a for a in amounts if a != conv.convention.montant_annuel):
        said.append(
            f"l'article 3 du texte parle de {amount} €, convention.yaml d'une participation annuelle de "
            f"{conv.convention.montant_annuel} € (convention.montant_annuel) : corrigez l'un ou l'autre"
        )
    return said


def _count(word: str) -> int | None:
    return int(word) if word.isdigit() else NUMBERS.get(word.lower())


def _amount(text: str) -> Decimal:
    return Decimal(re.sub(GROUPS, "", text).replace(",", ".")).quantize(Decimal("0.01"))
