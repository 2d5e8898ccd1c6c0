"""What a filled document must say of itself, read after a trial fill by ``check``.

Every variable of a template may exist and the document still be wrong: a bilan titled with the
call's year, minutes signed on the call's date, a first-year bordereau calling the bilan missing.
These rules read the filled Word file against the dossier's plan (each document's own date, the
year a bilan reports), for the shipped templates and a convention's own alike. A value printed as
a structure (« {'numero': 1, …} ») is refused earlier, as it is printed (``render``).
"""
from __future__ import annotations

import re
from pathlib import Path

from pipeline.convention import catalogue, documents, model
from pipeline.french import date_fr

_DAY = r"(\d{1,2}(?:er)? \S+ \d{4})"
# « Fait à Marseille, le 14 mars 2023 », « Établi à Marseille, le 28 mars 2023. », and a letter's
# date line, alone in its paragraph: « Marseille, le 28 mars 2023 »
_SIGNED_ON = [re.compile(rf"\b(?:Fait|Établi|Établie) à [^,\n]{{1,60}}, le {_DAY}"),
              re.compile(rf"^[^,\n]{{1,40}}, le {_DAY}$")]
_YEAR = re.compile(r"(?<![\d-])(\d{4})(?![\d-])")


def problems(template: Path, filled: Path, data: model.DossierData) -> list[str]:
    """What is wrong in ``filled``, the template ``template`` filled with the dossier ``data``."""
    import docx

    key = template.stem
    planned = next((d for d in documents.plan(data) if d.key == key), None)
    if planned is None:
        return []
    document = docx.Document(filled)
    paragraphs = _paragraphs(document)
    found = []
    own = _plain(date_fr(planned.date))
    for text in paragraphs:
        for said in (day for pattern in _SIGNED_ON for day in pattern.findall(_plain(text))):
            if said != own:
                found.append(f"paragraphe « {_short(text)} » : ce document est daté du {own} (sa date propre), "
                             f"pas du {said} — utilisez la date de ce document (dates['{key}'])")
    if planned.spec.reports_year and data.bilan_year is not None:
        year = str(data.bilan_year.annee)
        for p in document.paragraphs:
            if p.style is not None and p.style.name.startswith(("Heading", "Title", "Titre")):
                for other in set(_YEAR.findall(p.text)) - {year}:
                    found.append(f"titre « {_short(p.text)} » : ce bilan rend compte de {year}, pas de {other} — "
                                 "utilisez {{ bilan.annee }}")
    if planned.spec.lists_pieces and data.first:  # no year before the first: nothing to report on
        label = next((p.libelle for p in data.convention.pieces_requises
                      if p.document in catalogue.SPECS and catalogue.SPECS[p.document].reports_year), None)
        for row in _rows(document):
            if label and _plain(label)[:25].casefold() in row.casefold() and "sans objet" not in row.casefold():
                found.append(f"ligne « {_short(row)} » : la première année, le bilan est « sans objet », "
                             "pas manquant — écrivez {{ piece.sans_objet }} quand il est donné")
    return [f"modèle {template.name} ({p}) (données {data.year.annee})" for p in dict.fromkeys(found)]


def _paragraphs(document) -> list[str]:
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            texts += [cell.text for cell in row.cells]
    return texts


def _rows(document) -> list[str]:
    return [" | ".join(dict.fromkeys(cell.text for cell in row.cells)) for table in document.tables for row in table.rows]


def _plain(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def _short(text: str) -> str:
    text = _plain(text)
    return text if len(text) <= 80 else text[:79] + "…"
