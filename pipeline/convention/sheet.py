"""A year's actions from the spreadsheet the chargée de mission keeps (actions.xlsx, .ods or
.csv in the year's folder), read as French office software writes it.

Columns by their French headers (Date, Chantier, Modalité, Action, Partenaires, Participants,
Résultat); a date as a real date cell or as « 15/03/2023 »; a chantier or modalité by its code
or its title; CSV separated by « ; », in UTF-8 (with or without BOM) or Windows-1252; blank
rows skipped. Every problem is reported at once, with the file, the row and the column.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from pathlib import Path

from python_calamine import CalamineWorkbook

from pipeline.french import suggestion

# more people at one action than this is a typing slip (a date or an amount in the wrong column)
MOST_PARTICIPANTS = 100_000

NAMES = ("actions.xlsx", "actions.xls", "actions.ods", "actions.csv")
COLUMNS = ["Date", "Chantier", "Modalité", "Action", "Partenaires", "Participants", "Résultat"]
REQUIRED = ("Date", "Chantier", "Modalité", "Action")


def find(folder: Path) -> Path | None:
    """The year's actions sheet, if it keeps one."""
    found = [folder / name for name in NAMES if (folder / name).is_file()]
    return found[0] if found else None


def _plain(text) -> str:
    text = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode()
    return re.sub(r"\s+", " ", text).strip().casefold()


def rows(path: Path) -> list[list]:
    """The sheet's rows as Python values (dates stay dates)."""
    if path.suffix.lower() == ".csv":
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1252")
        sample = text[:2000]
        delimiter = ";" if sample.count(";") >= sample.count(",") else ","
        return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter)]

    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()


def table_of(path: Path, display: str, columns) -> tuple[list[list], list[str]]:
    """(rows, problems) of a sheet staff keep: a file no reader opens, or an empty one, is one
    line saying so and which columns its first row must name (the actions' sheet, the CRF's)."""
    try:
        table = rows(path)
    except Exception as exc:  # any reader failure is the file's, said plainly
        return [], [f"{display} : tableur illisible ({exc.__class__.__name__}) — enregistrez-le à nouveau en .xlsx, .ods ou .csv"]
    if not table:
        return [], [f"{display} : le tableur est vide — la première ligne doit nommer les colonnes ({', '.join(columns)})"]
    return table, []


def read_actions(path: Path, display: str, conv, year: int) -> tuple[list[dict], list[str]]:
    """(actions, problems): the valid rows, each with the fields of a model Action, and a line
    per problem."""
    problems: list[str] = []
    table, unreadable = table_of(path, display, COLUMNS)
    if unreadable:
        return [], unreadable
    header = {_plain(name): i for i, name in enumerate(table[0]) if str(name or "").strip()}
    where: dict[str, int] = {}
    for column in COLUMNS:
        if _plain(column) in header:
            where[column] = header[_plain(column)]
    missing = [c for c in REQUIRED if c not in where]
    if missing:
        return [], [
            f"{display}, ligne 1 : colonne{'s' if len(missing) > 1 else ''} « {' », « '.join(missing)} » "
            f"absente{'s' if len(missing) > 1 else ''} — la première ligne doit nommer : {', '.join(COLUMNS)}"
        ]
    chantiers = _lookup(conv.chantiers)
    modalites = _lookup(conv.modalites)
    actions = []
    for number, row in enumerate(table[1:], 2):
        cells = {c: (row[i] if i < len(row) else None) for c, i in where.items()}
        if all(str(v if v is not None else "").strip() == "" for v in cells.values()):
            continue  # a blank row (the end of the sheet, or a spacer)
        bad = len(problems)

        def problem(column: str, message: str, number: int = number) -> None:  # this row's number, bound now
            problems.append(f"{display}, ligne {number}, colonne « {column} » : {message}")

        day = _date(cells["Date"])
        if day is None:
            problem("Date", f"« {cells['Date']} » n'est pas une date — écrivez-la comme 15/03/{year}")
        elif day.year != year:
            problem("Date", f"le {day:%d/%m/%Y} n'est pas dans l'année {year}")
        chantier = _code(cells["Chantier"], chantiers, "chantier", lambda m: problem("Chantier", m))
        modalite = _code(cells["Modalité"], modalites, "modalité", lambda m: problem("Modalité", m))
        title = str(cells["Action"] or "").strip()
        if not title:
            problem("Action", "l'intitulé de l'action manque")
        participants = None
        value = cells.get("Participants")
        if value not in (None, ""):
            try:  # « 1e400 » is infinite, « nan » no number: each a problem of its cell, not a crash
                participants = int(float(str(value).replace(",", ".").strip()))
                if participants < 0 or participants != float(str(value).replace(",", ".").strip()):
                    raise ValueError
            except (ValueError, OverflowError):
                problem("Participants", f"« {value} » n'est pas un nombre de personnes")
            else:
                if participants > MOST_PARTICIPANTS:
                    problem(
                        "Participants",
                        f"{participants} personnes pour une action : nombre invraisemblable "
                        f"(au plus {MOST_PARTICIPANTS}) — vérifiez la cellule",
                    )
        if len(problems) > bad:
            continue
        partners = [p.strip() for p in re.split(r"[;\n]", str(cells.get("Partenaires") or "")) if p.strip()]
        result = str(cells.get("Résultat") or "").strip() or None
        actions.append(
            {
                "date": day,
                "chantier": chantier,
                "modalite": modalite,
                "titre": title,
                "partenaires": partners,
                "participants": participants,
                "resultat": result,
            }
        )
    return actions, problems


def _lookup(items) -> dict[str, str]:
    """Code or title (accents, case and spaces aside) → code."""
    found = {}
    for item in items:
        found[_plain(item.code)] = item.code
        found[_plain(item.titre)] = item.code
    return found


def _code(value, known: dict[str, str], what: str, problem) -> str | None:
    text = str(value or "").strip()
    if not text:
        problem(f"le {what} manque")
        return None
    code = known.get(_plain(text))
    if code is None:
        codes = sorted(set(known.values()))
        tip = suggestion(text.upper(), codes, f"codes permis : {', '.join(codes)}", cutoff=0.5)
        problem(f"« {text} » inconnu — {tip}")
    return code


def _date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d/%m/%y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None
