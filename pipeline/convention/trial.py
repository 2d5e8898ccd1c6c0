"""Trial dossiers: the roles a template plays in years that have no data yet, so that ``check``
tries every template from the convention's first day.

A year plays one role in the cycle: the first (no bilan yet), a middle or the last year (the
bilan of the year before), the closing year (the last bilan, the final bilan, the transmission
letter). In the first year of a convention only the first role has data, and a bilan template
would wait a year before anyone saw it fail. A trial dossier stands for a missing role: the
nearest year that has data, its dates moved to the missing year, and what that role adds (a
bilan, a final bilan, a transmission letter) drawn up a few weeks before the committee that
examines it. It is never built nor checked against the cycle's rules: it is only filled.

The compte rendu financier's sending (``make crf``) waits for a year whose accounts are approved,
the June after it: until then a trial sending stands for it, the nearest year's data with a CRF
drawn up on trial dates (accounts approved in June N+1, the CRF a few days later, its letter
after, all before the 30 June it is due).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from pipeline.convention import crf, cycle
from pipeline.convention.model import Annee, CompteRenduFinancier, DossierData, Etabli, LigneCRF, Transmission

ROLES = ("première année", "année intermédiaire", "dernière année", "clôture")
SENDING = "envoi du compte rendu financier"


@dataclass(frozen=True)
class Trial:
    """A dossier made up for a role no year with data plays yet."""

    role: str
    data: DossierData


def role_of(year: int, period: list[int]) -> str:
    """The role a dossier year plays in the cycle."""
    if cycle.is_closing(year, period):
        return "clôture"
    if cycle.is_first(year, period):
        return "première année"
    return "dernière année" if year == period[-1] else "année intermédiaire"


def missing_roles(loaded: list[DossierData]) -> list[tuple[str, int]]:
    """The roles (and the year that would play each) that no loaded dossier plays."""
    if not loaded:
        return []
    period = loaded[0].convention.convention.annees
    played = {role_of(d.year.annee, period) for d in loaded}
    wanted: dict[str, int] = {}
    for year in cycle.dossier_years(period):
        wanted.setdefault(role_of(year, period), year)
    return [(role, year) for role, year in wanted.items() if role not in played]


def trials(loaded: list[DossierData]) -> list[Trial]:
    """A trial dossier for each role no loaded dossier plays, made from the nearest one."""
    found = []
    for role, year in missing_roles(loaded):
        source = min(loaded, key=lambda d: (abs(d.year.annee - year), -d.year.annee))
        found.append(Trial(role, _dossier(source, year)))
    return found


def sending(loaded: list[DossierData]) -> Trial | None:
    """A trial sending of the compte rendu financier, for a convention none of whose years has
    drawn one up yet: the year of the period nearest its start that has data (the first CRF
    due), its CRF on trial dates and figures. None when no year of the period has data."""
    years = [d for d in loaded if not d.closing and d.year.appel is not None]
    if not years:
        return None
    source = min(years, key=lambda d: d.year.annee)
    year, appel = source.year, source.year.appel
    assert appel is not None  # a year of the period: its call
    n = year.annee
    amount = appel.montant
    received = year.finances.montant_recu if year.finances is not None and year.finances.montant_recu else amount
    approved = dt.date(n + 1, 6, 15)  # the general assembly, in June N+1
    block = CompteRenduFinancier(
        date=approved + dt.timedelta(days=5),
        lieu=appel.lieu,
        comptes_approuves_le=approved,
        transmis_le=approved + dt.timedelta(days=8),
        reference=appel.reference,
        lignes=[
            LigneCRF(rubrique="personnel", prevu=amount, realise=received),  # totals that balance
            LigneCRF(rubrique=crf.PARTICIPATION, prevu=amount, realise=received),
        ],
        commentaire="Données d'essai : commentaire de l'annexe.",
        regle_repartition="Données d'essai : règle de répartition des charges.",
    )
    moved = dataclasses.replace(year, crf=block)
    return Trial(SENDING, dataclasses.replace(source, year=moved, reported={}, warnings=[], sending=True))


def _dossier(source: DossierData, year: int) -> DossierData:
    """``source`` moved to ``year``, with what the role of ``year`` needs."""
    period = source.convention.convention.annees
    shift = year - source.year.annee
    moved = _moved(source.year, shift)
    copil = moved.copil.date
    lieu = moved.appel.lieu if moved.appel else (moved.transmission.lieu if moved.transmission else moved.copil.lieu)
    drawn_up = Etabli(date=copil - dt.timedelta(days=21), lieu=lieu)  # a bilan precedes the committee that examines it
    # every year this one reports: the source's own, moved, else the source's year itself in its place
    years = list(cycle.years_read(year, period))
    reported = {}
    for y in years:
        if y == year:
            continue
        earlier = source.reported.get(y - shift) or (source.year if y - shift == source.year.annee else None)
        base = _moved(earlier, shift) if earlier is not None else _moved(source.year, y - source.year.annee)
        base = dataclasses.replace(base, annee=y)
        if base.bilan is None:
            base = dataclasses.replace(base, bilan=Etabli(date=min(drawn_up.date, dt.date(y + 1, 2, 15)), lieu=drawn_up.lieu))
        reported[y] = base
    if cycle.is_closing(year, period):
        last = source.year.appel or source.year.transmission
        moved = dataclasses.replace(
            moved,
            appel=None,
            banque=None,
            pieces=[],
            bilan_final=moved.bilan_final or drawn_up,
            transmission=moved.transmission
            or Transmission(
                date=copil + dt.timedelta(days=14),
                reference=getattr(last, "reference", "—"),
                lieu=lieu,
                dossier_suivi_par=getattr(last, "dossier_suivi_par", None),
            ),
        )
    elif moved.appel is None:  # from the closing year back into the period: a call again
        moved = _call_from(moved, source, copil)
    return dataclasses.replace(source, year=dataclasses.replace(moved, annee=year), reported=reported, warnings=[])


def _call_from(moved: Annee, source: DossierData, copil: dt.date) -> Annee:
    """A year of the period made from the closing year: its call, from a year that had one."""
    donor = next((y for y in source.reported.values() if y.appel is not None), None)
    if donor is None or donor.appel is None:
        return moved
    appel = dataclasses.replace(donor.appel, date=copil + dt.timedelta(days=14))
    return dataclasses.replace(moved, appel=appel, banque=donor.banque, pieces=donor.pieces, bilan_final=None, transmission=None)


def _moved(value, years: int):
    """Every date of a record (and of the records, lists and dicts it holds) moved by ``years``."""
    if isinstance(value, dt.date):
        try:
            return value.replace(year=value.year + years)
        except ValueError:  # 29 February
            return value.replace(year=value.year + years, day=28)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(
            value, **{f.name: _moved(getattr(value, f.name), years) for f in dataclasses.fields(value) if f.init}
        )
    if isinstance(value, list):
        return [_moved(v, years) for v in value]
    if isinstance(value, dict):
        return {k: _moved(v, years) for k, v in value.items()}
    return value
