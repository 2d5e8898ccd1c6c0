"""The compte rendu financier (CRF) of a year's participation: what the law asks of a subsidy
assigned to set costs (loi n° 2000-321 du 12 avril 2000, art. 10; arrêté du 11 octobre 2006;
cerfa n° 15059), stated once — its headings, its figures as staff keep them, its gaps, and
where each CRF stands in the dossiers.

The cycle: the CRF of the participation N is drawn up in N+1, once the accounts of N are
approved (the general assembly, usually in June), and is due by 30 June N+1 (``cycle.crf_due``).
The call of N+1 (March) comes before it; so the dossier of N+2 encloses it (``cycle.crf_year``)
and announces the next one, and the closing dossier encloses the CRF of the last year but one
and announces the last.

The figures live in a spreadsheet of the year's folder (compte-rendu-financier.xlsx, .ods or
.csv), one line per heading of the cerfa: Rubrique, Prévu, Réalisé, Explication de l'écart;
every bad cell is said with its row and column. The headings are the arrêté's, for every
convention; only the participation's label names the convention's payer, from its data.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

from pipeline.convention import cycle
from pipeline.convention.schema import CompteRenduFinancier
from pipeline.convention.sheet import table_of
from pipeline.french import de, montant, suggestion

# a gap between forecast and actual that the annex must explain: more than this share of the
# forecast AND more than this amount (the usual threshold of the paying services; a gap of 15 %
# on 300 € explains itself)
GAP_SHARE = Decimal("0.15")
GAP_AMOUNT = Decimal("500")

CHARGES_DIRECTES, CHARGES_INDIRECTES, PRODUITS = "charges_directes", "charges_indirectes", "produits"
SECTIONS = {
    CHARGES_DIRECTES: "Charges directes affectées à l'action",
    CHARGES_INDIRECTES: "Charges indirectes réparties affectées à l'action",
    PRODUITS: "Ressources affectées à l'action",
}

PARTICIPATION = "participation"


@dataclass(frozen=True)
class Rubrique:
    code: str
    section: str
    libelle: str  # as the cerfa n° 15059 words it (the participation's names the payer: see ``label``)


RUBRIQUES = [
    Rubrique("achats", CHARGES_DIRECTES, "60 – Achats (prestations de services, matières et fournitures)"),
    Rubrique(
        "services_exterieurs", CHARGES_DIRECTES, "61 – Services extérieurs (locations, entretien, assurances, documentation)"
    ),
    Rubrique(
        "autres_services_exterieurs",
        CHARGES_DIRECTES,
        "62 – Autres services extérieurs (honoraires, publications, déplacements, missions)",
    ),
    Rubrique("impots_taxes", CHARGES_DIRECTES, "63 – Impôts et taxes"),
    Rubrique("personnel", CHARGES_DIRECTES, "64 – Charges de personnel (rémunérations, charges sociales)"),
    Rubrique("gestion_courante", CHARGES_DIRECTES, "65 – Autres charges de gestion courante"),
    Rubrique("charges_financieres", CHARGES_DIRECTES, "66 – Charges financières"),
    Rubrique("charges_exceptionnelles", CHARGES_DIRECTES, "67 – Charges exceptionnelles"),
    Rubrique("dotations", CHARGES_DIRECTES, "68 – Dotations aux amortissements et aux provisions"),
    Rubrique("engagements", CHARGES_DIRECTES, "689 – Engagements à réaliser sur ressources affectées"),
    Rubrique("charges_indirectes", CHARGES_INDIRECTES, "Charges fixes de fonctionnement et frais généraux répartis"),
    Rubrique("ventes", PRODUITS, "70 – Ventes de produits finis, prestations de services, marchandises"),
    Rubrique(PARTICIPATION, PRODUITS, "74 – Subvention d'exploitation : participation de la collectivité"),
    Rubrique(
        "autres_subventions",
        PRODUITS,
        "74 – Autres subventions d'exploitation (État, Région, Département, communes, fonds européens…)",
    ),
    Rubrique("cotisations", PRODUITS, "75 – Autres produits de gestion courante (dont cotisations des membres)"),
    Rubrique("produits_financiers", PRODUITS, "76 – Produits financiers"),
    Rubrique("produits_exceptionnels", PRODUITS, "77 – Produits exceptionnels"),
    Rubrique("reprises", PRODUITS, "78 – Reprises sur amortissements et provisions"),
    Rubrique("report_ressources", PRODUITS, "789 – Report de ressources non utilisées d'opérations antérieures"),
    Rubrique("ressources_propres", PRODUITS, "Ressources propres de l'association affectées à l'action"),
]
BY_CODE = {r.code: r for r in RUBRIQUES}


def label(rubrique: Rubrique, conv) -> str:
    """The heading as the CRF prints it: the participation names the payer and the convention."""
    if rubrique.code == PARTICIPATION:
        return (
            f"74 – Subvention d'exploitation : participation {_de(conv.metropole.designation)} "
            f"(convention {conv.convention.periode})"
        )
    return rubrique.libelle


def _de(phrase: str) -> str:
    return de(phrase)


# --------------------------------------------------------------------------- the spreadsheet

NAMES = ("compte-rendu-financier.xlsx", "compte-rendu-financier.ods", "compte-rendu-financier.csv")
COLUMNS = ["Rubrique", "Prévu (€)", "Réalisé (€)", "Explication de l'écart"]
_HEADS = {"rubrique": "Rubrique", "prevu": "Prévu (€)", "realise": "Réalisé (€)", "explication": "Explication de l'écart"}


def find(folder: Path) -> Path | None:
    """The year's CRF spreadsheet, if it keeps one."""
    found = [Path(folder) / name for name in NAMES if (Path(folder) / name).is_file()]
    return found[0] if found else None


def _plain(text) -> str:
    text = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode()
    text = text.replace("–", "-")
    return re.sub(r"\s+", " ", text).strip().casefold()


def read_figures(path: Path, display: str, conv) -> tuple[list[dict], list[str]]:
    """(lines, problems): each valid line with the fields of a ``LigneCRF``, and a line per
    problem, with the file, the row and the column."""
    table, unreadable = table_of(path, display, COLUMNS)
    if unreadable:
        return [], unreadable
    where: dict[str, int] = {}
    for i, name in enumerate(table[0]):
        plain = _plain(name)
        for start, column in _HEADS.items():
            if plain.startswith(start) and column not in where:
                where[column] = i
    missing = [c for c in COLUMNS[:3] if c not in where]
    if missing:
        return [], [
            f"{display}, ligne 1 : colonne{'s' if len(missing) > 1 else ''} « {' », « '.join(missing)} » "
            f"absente{'s' if len(missing) > 1 else ''} — la première ligne doit nommer : {', '.join(COLUMNS)}"
        ]
    known = {}
    for r in RUBRIQUES:
        known[_plain(r.code)] = r.code
        known[_plain(r.libelle)] = r.code
        known[_plain(label(r, conv))] = r.code
    problems: list[str] = []
    lines: list[dict] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(table[1:], 2):
        cells = {c: (row[i] if i < len(row) else None) for c, i in where.items()}
        if all(str(v if v is not None else "").strip() == "" for v in cells.values()):
            continue
        text = str(cells["Rubrique"] or "").strip()
        if _plain(text).startswith("total"):
            continue  # a total row staff added: the CRF computes its own

        def problem(column: str, message: str, number: int = number) -> None:  # this row's number, bound now
            problems.append(f"{display}, ligne {number}, colonne « {column} » : {message}")

        bad = len(problems)
        code = known.get(_plain(text))
        if not text:
            problem("Rubrique", "la rubrique manque — recopiez-la depuis la liste de la première colonne")
        elif code is None:
            tip = suggestion(
                _plain(text),
                sorted(k for k in known if " " in k),
                "les rubriques sont celles du cerfa n° 15059 que new-year écrit dans le tableur",
                cutoff=0.5,
            )
            problem("Rubrique", f"« {text} » n'est pas une rubrique du compte rendu financier — {tip}")
        elif code in seen:
            problem("Rubrique", f"« {text} » est déjà donnée ligne {seen[code]} : une ligne par rubrique")
        amounts = {}
        for column, key in (("Prévu (€)", "prevu"), ("Réalisé (€)", "realise")):
            value, why = amount(cells.get(column))
            if why:
                problem(column, why)
            amounts[key] = value
        if len(problems) > bad or code is None:  # a bad line is said above, and skipped
            continue
        seen[code] = number
        explication = str(cells.get("Explication de l'écart") or "").strip() or None
        lines.append({"rubrique": code, **amounts, "explication": explication})
    return lines, problems


def amount(value) -> tuple[Decimal, str | None]:
    """A cell as euros: a number of the sheet, or « 20 000,00 € » as typed; blank is zero."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return Decimal("0.00"), None
    if isinstance(value, bool):
        return Decimal("0.00"), f"« {value} » n'est pas un montant"
    text = str(value).strip()
    if not isinstance(value, (int, float)):
        text = re.sub(r"[\s\u00a0\u202f€]", "", text).replace(",", ".")
    try:
        number = Decimal(text)
        if not number.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        return Decimal("0.00"), f"« {value} » n'est pas un montant — écrivez-le comme 20000,00"

    if number < 0:
        return Decimal("0.00"), (
            f"« {montant(number)} » : un montant négatif n'a pas sa place ici (une reprise se porte en produit, rubrique 78)"
        )
    if number >= Decimal("1e9"):
        return Decimal("0.00"), f"« {montant(number)} » : montant invraisemblable pour une action — vérifiez la cellule"
    return number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), None


# --------------------------------------------------------------------------- gaps


def gap(prevu: Decimal, realise: Decimal) -> tuple[Decimal, Decimal | None]:
    """The gap in euros (actual minus forecast) and as a share of the forecast (None when
    nothing was forecast)."""
    ecart = realise - prevu
    return ecart, (ecart / prevu if prevu else None)


def significant(prevu: Decimal, realise: Decimal) -> bool:
    """A gap the annex must explain: above ``GAP_SHARE`` of the forecast and above ``GAP_AMOUNT``
    (anything above ``GAP_AMOUNT`` that was not forecast at all)."""
    ecart, share = gap(prevu, realise)
    return abs(ecart) > GAP_AMOUNT and (share is None or abs(share) > GAP_SHARE)


def totals(lines) -> dict[str, tuple[Decimal, Decimal]]:
    """(forecast, actual) of the charges (direct and indirect) and of the products."""
    found = {"charges": [Decimal("0.00"), Decimal("0.00")], "produits": [Decimal("0.00"), Decimal("0.00")]}
    for line in lines:
        side = "produits" if BY_CODE[line.rubrique].section == PRODUITS else "charges"
        found[side][0] += line.prevu
        found[side][1] += line.realise
    return {k: (v[0], v[1]) for k, v in found.items()}


# --------------------------------------------------------------------------- in the dossiers


@dataclass(frozen=True)
class Owed:
    """One CRF as a dossier deals with it: enclosed, missing (due before the letter and not
    there) or still to come (due after the letter)."""

    annee: int
    due: dt.date
    state: str  # "joint", "manquant" or "a_venir"
    established: CompteRenduFinancier | None  # the year's ``crf`` block, if drawn up


def letter_date(data) -> dt.date | None:
    """The date of the letter that sends a dossier: the call, or the closing transmission."""
    year = data.year
    sent = year.appel or year.transmission
    return sent.date if sent is not None else None


def enclosed(data):
    """The CRF this dossier encloses (the year's data, with its ``crf``), or None: that of N-2,
    drawn up on or before the letter that sends the dossier."""
    year = data.crf_year
    sent = letter_date(data)
    if year is None or year.crf is None or sent is None or year.crf.date > sent:
        return None
    return year


def owed(data) -> list[Owed]:
    """The CRFs a dossier speaks of, in year order: N-2's (enclosed, or missing) and N-1's
    (announced: due after the letter, unless already drawn up; the closing dossier's N-1 is the
    last year)."""
    if data.sending:  # the CRF's own sending speaks of no other
        return []
    period = data.convention.convention.annees
    n, sent = data.year.annee, letter_date(data)
    found = []
    crf_year = cycle.crf_year(n, period)
    if crf_year is not None:
        year = data.reported.get(crf_year)
        block = year.crf if year is not None else None
        state = "joint" if enclosed(data) is not None else "manquant"
        found.append(Owed(crf_year, cycle.crf_due(crf_year), state, block if state == "joint" else None))
    later = cycle.crf_announced_year(n, period)
    if later is not None:
        due = cycle.crf_due(later)
        found.append(Owed(later, due, "a_venir" if sent is None or due >= sent else "manquant", None))
    return found
