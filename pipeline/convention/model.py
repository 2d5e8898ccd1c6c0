"""A convention's data loaded from ``inputs/``: the years a dossier needs, read, bound to the
schema (``schema``) and checked by ``rules``, every problem of every file at once.

The schema's types are re-exported here, so that ``model.DossierData`` reads as it always has.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from pipeline.binder import Problems, bind
from pipeline.convention import crf, cycle, rules, sheet
from pipeline.convention.schema import (  # noqa: F401 (re-exported: the loader's records are the schema's)
    Action,
    Annee,
    Appel,
    Banque,
    Chantier,
    CompteRenduFinancier,
    Convention,
    Copil,
    Deliberation,
    DossierData,
    Etabli,
    Finances,
    Instance,
    JoursSignature,
    LigneCRF,
    Membre,
    Modalite,
    Participant,
    Partie,
    Personne,
    Piece,
    PieceRequise,
    ProchaineReunion,
    ProgrammeChantier,
    Reunion,
    Termes,
    Transmission,
    YearFile,
)
from pipeline.errors import InputError
from pipeline.yamlsource import LineDict, line_of, load_yaml


def convention_years(convention_dir: Path) -> list[int]:
    """The years of the convention's period, read from convention.yaml alone."""
    return load_convention(convention_dir)[0].convention.annees


def dossier_years(convention_dir: Path) -> list[int]:
    """Every dossier the convention has data for: each year of the period, then the closing one."""
    candidates = cycle.dossier_years(convention_years(convention_dir))
    return [y for y in candidates if (Path(convention_dir) / str(y) / "year.yaml").is_file()]


def load_convention(convention_dir: Path) -> tuple[Convention, LineDict]:
    display = _display(convention_dir / "convention.yaml")
    raw = load_yaml(convention_dir / "convention.yaml", display)
    problems = Problems(display)
    conv = bind(Convention, raw, "", raw.line, problems)
    if conv is not None and not problems.items:
        _check_convention(conv, raw, problems)
        conv = _dated_at_last_signature(conv, raw, problems)
    if problems.items:
        raise InputError(problems.items)
    return conv, raw


def _dated_at_last_signature(conv: Convention, raw: LineDict, problems: Problems) -> Convention:
    """A convention signed in turn is dated, and concluded, at its last signature: given each
    party's day, its date is the later one (written, it must be that one)."""
    terms = conv.convention
    if terms.signatures is None:
        return conv
    days = {"metropole": terms.signatures.metropole, "association": terms.signatures.association}
    last = max(days.values())
    if terms.date_signature is None:
        return dataclasses.replace(conv, convention=dataclasses.replace(terms, date_signature=last))
    if terms.date_signature != last:
        who = max(days, key=lambda k: days[k])
        problems.add(
            line_of(raw, "convention.date_signature"),
            "convention.date_signature",
            f"la convention est datée de sa dernière signature, le {last.isoformat()} (signatures.{who}), "
            f"pas le {terms.date_signature.isoformat()} : écrivez « date_signature: {last.isoformat()} », ou "
            "retirez la ligne (elle se déduit des signatures)",
        )
    return conv


def convention_findings(convention_dir: Path, *, final: bool = False) -> tuple[list[str], list[str]]:
    """The problems and warnings of convention.yaml on its own, for a convention with no year yet
    (just created: its « À COMPLÉTER » are said before any dossier is loaded)."""
    conv, raw = load_convention(convention_dir)
    display = _display(convention_dir / "convention.yaml")
    conv_file = YearFile(
        annee=0, folder=convention_dir, raw=raw, data=None, problems=Problems(display), warnings=Problems(display)
    )
    rules.check_convention(conv, conv_file, {}, final=final)
    return conv_file.problems.items, conv_file.warnings.items


def read_year(convention_dir: Path, year: int) -> YearFile:
    """One year's file, parsed and typed, its problems kept (not raised) for the rules to add to."""
    folder = Path(convention_dir) / str(year)
    year_file = folder / "year.yaml"
    display = _display(year_file)
    problems, warnings = Problems(display), Problems(display)
    raw = load_yaml(year_file, display)
    data = bind(Annee, raw, "", raw.line, problems)
    return YearFile(
        annee=year, folder=folder, raw=raw, data=data if not problems.items else None, problems=problems, warnings=warnings
    )


def _actions_from_sheet(conv: Convention, f: YearFile) -> None:
    """A year's actions may come from its spreadsheet instead of the YAML list, not from both."""
    path = sheet.find(f.folder)
    if path is None:
        return
    display = _display(path)
    if f.raw is not None and "actions" in f.raw:
        f.problems.add(
            f.raw.lines.get("actions"),
            "actions",
            f"les actions sont à la fois ici et dans {display} : gardez le tableur et retirez "
            "« actions: » de year.yaml (ou effacez le tableur)",
        )
        return
    rows, problems = sheet.read_actions(path, display, conv, f.annee)
    f.problems.items.extend(problems)
    if f.data is not None and not problems:
        f.data = dataclasses.replace(f.data, actions=[Action(**row) for row in rows])


def _crf_from_sheet(conv: Convention, f: YearFile) -> None:
    """A year's compte rendu financier takes its figures from its spreadsheet (or from
    « crf: lignes: » in year.yaml, not from both); a spreadsheet kept before the CRF is drawn up
    is read all the same, so that a bad cell is said at once."""
    path = crf.find(f.folder)
    if path is None:
        return
    display = _display(path)
    block = f.raw.get("crf") if f.raw is not None else None
    if isinstance(block, dict) and "lignes" in block and f.raw is not None:
        f.problems.add(
            line_of(f.raw, "crf.lignes"),
            "crf.lignes",
            f"les chiffres du compte rendu financier sont à la fois ici et dans {display} : gardez le "
            "tableur et retirez « lignes: » de year.yaml (ou effacez le tableur)",
        )
        return
    rows, problems = crf.read_figures(path, display, conv)
    f.problems.items.extend(problems)
    if f.data is not None and f.data.crf is not None and not problems:
        f.data = dataclasses.replace(f.data, crf=dataclasses.replace(f.data.crf, lignes=[LigneCRF(**r) for r in rows]))


def load(convention_dir: Path, year: int, *, final: bool = False) -> DossierData:
    """Load and check one dossier's data; raise InputError listing every problem of every file."""
    convention_dir = Path(convention_dir)
    if not (convention_dir / "convention.yaml").is_file():
        raise InputError(
            f"{_display(convention_dir)}: pas de convention.yaml dans ce dossier",
            hint="indiquez avec --inputs le dossier d'une convention (il contient convention.yaml)",
        )
    conv, conv_raw = load_convention(convention_dir)
    period = conv.convention.annees
    if year not in cycle.dossier_years(period):
        raise InputError(
            f"l'année {year} est hors de la convention {conv.convention.titre} ({conv.convention.periode})",
            hint=f"choisissez une année parmi {', '.join(map(str, period))}, ou {cycle.closing_year(period)} pour "
            "le dossier de clôture",
        )
    files: dict[int, YearFile] = {}
    for y in cycle.years_read(year, period):
        if not (convention_dir / str(y) / "year.yaml").is_file():
            why = (
                "le dossier de l'année"
                if y == year
                else f"le dossier {year}, qui rend compte de {y} (bilan ou compte rendu financier), a besoin des données de"
            )
            raise InputError(
                f"{_display(convention_dir / str(y))}: {why} {y} n'existe pas ou n'a pas de year.yaml",
                hint=f"créez-le avec « make new-year YEAR={y} CONVENTION={convention_dir.name} » (il reprend l'année "
                "précédente et dit quoi compléter)",
            )
        files[y] = read_year(convention_dir, y)
        _actions_from_sheet(conv, files[y])
        _crf_from_sheet(conv, files[y])
    after = cycle.next_year(year, period)
    following = None
    if after is not None and (convention_dir / str(after) / "year.yaml").is_file():
        try:  # only to compare the meetings announced with those held: its own check reports its problems
            following = read_year(convention_dir, after).data
        except InputError:
            pass
    display = _display(convention_dir / "convention.yaml")
    conv_file = YearFile(
        annee=0, folder=convention_dir, raw=conv_raw, data=None, problems=Problems(display), warnings=Problems(display)
    )
    if all(f.data is not None for f in files.values()):
        rules.check_dossier(conv, files, year, following, convention_dir, conv_file, final=final)
    every = [conv_file, *files.values()]
    problems = [item for f in every for item in f.problems.items]
    if problems:
        raise InputError(sorted(problems, key=_place))
    warnings = [item for f in every for item in f.warnings.items]
    data = files[year].data
    assert data is not None  # a year that did not load has its problems raised above
    return DossierData(
        convention_dir=convention_dir,
        convention=conv,
        year=data,
        year_dir=files[year].folder,
        reported={y: f.data for y, f in files.items() if y != year and f.data is not None},
        warnings=warnings,
        first_call=_first_call(convention_dir, period[0], files),
    )


def load_sending(convention_dir: Path, year: int, *, final: bool = False) -> DossierData:
    """The sending of the compte rendu financier of ``year`` (with its letter), read from that
    year's folder alone: it does not wait for the dossier of N+2, nor for the closing one, which
    enclose it later. Raise InputError, every problem listed, as ``load`` does."""
    convention_dir = Path(convention_dir)
    if not (convention_dir / "convention.yaml").is_file():
        raise InputError(
            f"{_display(convention_dir)}: pas de convention.yaml dans ce dossier",
            hint="indiquez avec --inputs le dossier d'une convention (il contient convention.yaml)",
        )
    conv, conv_raw = load_convention(convention_dir)
    period = conv.convention.annees
    if year not in period:
        raise InputError(
            f"l'année {year} n'a pas de participation dans la convention {conv.convention.titre} "
            f"({conv.convention.periode}) : pas de compte rendu financier {year}",
            hint=f"choisissez une année parmi {', '.join(map(str, period))}",
        )
    folder = convention_dir / str(year)
    if not (folder / "year.yaml").is_file():
        raise InputError(
            f"{_display(folder)}: le dossier de l'année {year} n'existe pas ou n'a pas de year.yaml",
            hint=f"créez-le avec « make new-year YEAR={year} CONVENTION={convention_dir.name} »",
        )
    f = read_year(convention_dir, year)
    _actions_from_sheet(conv, f)
    _crf_from_sheet(conv, f)
    if f.data is not None and f.data.crf is None:
        f.problems.add(
            None,
            "crf",
            f"le compte rendu financier {year} n'est pas encore établi : ajoutez « crf: » "
            f"(date, lieu, comptes_approuves_le, transmis_le) une fois les comptes {year} "
            "approuvés, et ses chiffres dans compte-rendu-financier.xlsx, à côté de ce fichier",
        )
    display = _display(convention_dir / "convention.yaml")
    conv_file = YearFile(
        annee=0, folder=convention_dir, raw=conv_raw, data=None, problems=Problems(display), warnings=Problems(display)
    )
    if f.data is not None and not f.problems.items:
        rules.check_sending(conv, f, conv_file, final=final)
    problems = f.problems.items + conv_file.problems.items
    if problems:
        raise InputError(sorted(problems, key=_place))
    assert f.data is not None  # a year that did not load has its problems raised above
    return DossierData(
        convention_dir=convention_dir,
        convention=conv,
        year=f.data,
        year_dir=folder,
        reported={},
        warnings=conv_file.warnings.items + f.warnings.items,
        first_call=_first_call(convention_dir, period[0], {year: f}),
        sending=True,
    )


def crf_years(convention_dir: Path) -> list[int]:
    """The years of the period whose compte rendu financier is drawn up (a « crf: » in their
    year.yaml, read without checking): each has its sending (``make crf``)."""
    years = []
    for y in convention_years(convention_dir):
        raw = cycle.peek(Path(convention_dir) / str(y) / "year.yaml") or {}
        if isinstance(raw.get("crf"), dict):
            years.append(y)
    return years


def _first_call(convention_dir: Path, first: int, files: dict[int, YearFile]) -> dt.date | None:
    """The date of the convention's first call, which its signatures must precede (its own
    year's check reports a faulty file)."""
    f = files.get(first)
    if f is None and (convention_dir / str(first) / "year.yaml").is_file():
        try:
            f = read_year(convention_dir, first)
        except InputError:
            return None
    return f.data.appel.date if f is not None and f.data is not None and f.data.appel is not None else None


def _place(problem: str) -> tuple[str, int]:
    """Problems read file by file, line by line (« convention.yaml:13 » before « …:15 »)."""
    where = problem.split(": ", 1)[0]
    path, _, line = where.rpartition(":")
    return (path, int(line)) if line.isdigit() else (where, 0)


def _check_convention(conv: Convention, raw: LineDict, problems: Problems) -> None:
    for list_name in ("chantiers", "modalites", "pieces_requises"):
        seen: set[str] = set()
        for i, item in enumerate(getattr(conv, list_name)):
            if item.code in seen:
                problems.add(
                    line_of(raw, f"{list_name}[{i + 1}]"),
                    f"{list_name}[{i + 1}].code",
                    f"le code « {item.code} » est déjà utilisé : chaque code doit être unique",
                )
            seen.add(item.code)
    if conv.convention.duree_annees < 1:
        problems.add(line_of(raw, "convention.duree_annees"), "convention.duree_annees", "la durée doit être d'au moins un an")


def display(path: Path) -> str:
    """A path as staff would type it: relative to the current folder when possible."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


_display = display
