"""The yearly cycle and the period, stated once: which dossiers a convention has, which years
each one reads, whose bilan it holds.

A convention covers ``period`` (e.g. 2022-2024). The dossier of a year N of the period sends
the call of N, with the minutes of the COPIL of N and the bilan of N-1, drawn up early in N
(the first year has none: no bilan of the convention exists yet). The closing dossier is that
of the year after the period: no call, the bilan of the last year, the final bilan of every
year and the closing COPIL. Beyond what it prints, a dossier glances at the next year (its
meetings are compared with those the minutes announced) and at the first year (its call bounds
the convention's signatures).

Pure functions on years, plus ``peek``: a file's values through the model's own YAML reader,
not bound to the schema, for the paths below the convention (choosing one, the files a build
reads) and for a year still incomplete; the real load (``model``) checks everything. It imports nothing of the project, so
``places`` and ``manifest``, below the convention in the floors, may ask it too.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path


def period(start: int, years: int) -> list[int]:
    """The years a convention covers: ``years`` calendar years from ``start``."""
    return list(range(start, start + years))


def closing_year(period: list[int]) -> int:
    """The year after the period: its dossier closes the convention (no call)."""
    return period[-1] + 1


def dossier_years(period: list[int]) -> list[int]:
    """Every dossier a convention has: each year of its period, then the closing one."""
    return [*period, closing_year(period)] if period else []


def is_first(year: int, period: list[int]) -> bool:
    """The first year: no bilan of the convention exists yet, and its signatures precede this call."""
    return year == period[0]


def is_closing(year: int, period: list[int]) -> bool:
    """The closing dossier's year (the year after the period): no call, the final bilan."""
    return year == closing_year(period)


def bilan_year(year: int, period: list[int]) -> int | None:
    """The year whose bilan the dossier of ``year`` holds: N-1, the last year for the closing
    dossier, none the first year."""
    if is_closing(year, period):
        return period[-1]
    return None if is_first(year, period) else year - 1


def crf_year(year: int, period: list[int]) -> int | None:
    """The year whose compte rendu financier the dossier of ``year`` encloses: N-2. The CRF of a
    year is due by 30 June of the next one, once its accounts are approved (June): after the call
    of N+1 (March), so the first letter that can send it is the call of N+2, or, for the last
    years, the closing dossier. None when N-2 is not a year of the period."""
    return year - 2 if year - 2 in period else None


def crf_enclosed_by(year: int, period: list[int]) -> int | None:
    """The dossier that encloses the compte rendu financier of ``year`` (N+2, the closing one for
    the last year but one); None for the last year, whose CRF only its own sending carries."""
    later = [y for y in dossier_years(period) if crf_year(y, period) == year]
    return later[0] if later else None


def crf_announced_year(year: int, period: list[int]) -> int | None:
    """The year whose compte rendu financier the dossier of ``year`` can only announce: N-1, due
    by 30 June of ``year``, after its letter."""
    return year - 1 if year - 1 in period else None


def crf_due(year: int) -> dt.date:
    """When the compte rendu financier of the participation of ``year`` is due: within six months
    of the end of that year (loi n° 2000-321 du 12 avril 2000, art. 10; arrêté du 11 octobre 2006)."""
    return dt.date(year + 1, 6, 30)


def next_year(year: int, period: list[int]) -> int | None:
    """The year after ``year`` if it has a dossier (the minutes of N announce meetings held in N+1)."""
    return year + 1 if year + 1 <= closing_year(period) else None


def years_read(year: int, period: list[int], *, with_next: bool = False) -> list[int]:
    """The years whose data the dossier of ``year`` (of the period, or the closing one) prints:
    its own first, then the years it reports (N-1, and N-2 whose compte rendu financier it
    encloses; every year of the period when closing).

    ``with_next``: also the years it only glances at, the next one and the first one — every
    year folder a build reads, so the whole of what makes its dossier stale."""
    reported = (
        period if is_closing(year, period) else [y for y in [bilan_year(year, period), crf_year(year, period)] if y is not None]
    )
    years = [year, *reported]
    if with_next:
        years += [y for y in (next_year(year, period), period[0]) if y is not None]
    return list(dict.fromkeys(years))


# --------------------------------------------------------------------------- the light reader


def peek(path: Path) -> dict | None:
    """A YAML file's plain values, not bound to the schema: None when the model's own reader
    (``yamlsource.load_yaml``) refuses the file (the real load says why, with the line). The same
    reader, with dates and numbers as plain values: for the paths below the convention (choosing
    one, the files a build reads) and for a year still incomplete (new-year copies it)."""
    # lazy: PyYAML and yamlsource (~50 ms); cycle is on --help's path
    import yaml

    from pipeline.errors import InputError
    from pipeline.yamlsource import PlainLoader, load_yaml

    try:
        return load_yaml(Path(path), str(path), loader=PlainLoader)
    except (InputError, ValueError, TypeError, OverflowError, yaml.YAMLError):
        return None  # « 2023-13-45 » fails in the date's constructor: the real load says it with its line


def peek_period(convention: Path) -> list[int]:
    """The period of the convention in folder ``convention``, read from its convention.yaml
    without checking it; empty when it cannot be read (the real load reports why)."""
    terms = (peek(Path(convention) / "convention.yaml") or {}).get("convention")
    if not isinstance(terms, dict):
        return []
    try:
        start = terms["date_debut"]
        start = start.year if isinstance(start, dt.date) else int(str(start)[:4])
        return period(start, int(terms["duree_annees"]))
    except (KeyError, TypeError, ValueError):
        return []
