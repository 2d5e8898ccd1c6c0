"""What the convention and the yearly cycle require of the data, checked at load time.

The cycle (articles 3, 4 and 5): during year N the actions, meetings and the participation of
N happen; early in N+1 the bilan of N is drawn up; the COPIL of N+1 examines it; then the call
of N+1 is sent with that bilan. So the dossier of N holds the call and COPIL of N and the
bilan of N-1, and nothing in it may be dated after the letter that sends it.

Three kinds of finding:
- errors, always: data that cannot be right (an unknown code, a date outside its year, an
  IBAN whose checksum fails);
- breaches of the convention or of the cycle's order: warnings for a draft (PROJET), errors
  with ``--final``;
- notices, always warnings: what may be legitimate but deserves a look (a meeting on a
  Saturday, an account holder that is not the association, announced meetings not held).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import holidays
from PIL import Image
from pypdf import PdfReader
from pypdf.errors import PdfReadError
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.fr import siren, siret

from pipeline.convention import crf, cycle
from pipeline.convention.catalogue import CRF_PIECES, SPECS, crf_piece_label, piece_label, pieces_given
from pipeline.convention.schema import Annee, CompteRenduFinancier, Convention, YearFile
from pipeline.french import (
    civilite_contraire,
    civilite_feminine,
    compte,
    date_fr,
    de,
    genre_fonction,
    montant,
    pourcentage,
    suggestion,
)
from pipeline.yamlsource import line_of

PDF_MAGIC = b"%PDF-"
_TIFF = (b"II*\x00", b"MM\x00*")
SCANS = {".jpg": (b"\xff\xd8\xff",), ".jpeg": (b"\xff\xd8\xff",), ".png": (b"\x89PNG",), ".tif": _TIFF, ".tiff": _TIFF}


class _Checker:
    """The findings for one year's file, each placed at its line."""

    def __init__(self, year_file: YearFile, *, final: bool, why: str | None = None):
        # why: for another year's file, what of it this dossier prints (« son bilan figure dans ce dossier »)
        self.f, self.final, self.why = year_file, final, why

    @property
    def data(self) -> Annee:
        return _loaded(self.f)

    def line(self, path: str) -> int | None:
        return line_of(self.f.raw, path) if path else None

    def _said(self, message: str) -> str:
        return f"{message} (année {self.f.annee} : {self.why})" if self.why else message

    def err(self, path: str, message: str) -> None:
        self.f.problems.add(self.line(path), path, self._said(message))

    def breach(self, path: str, message: str) -> None:
        """A rule of the convention or of the cycle that a draft may still break."""
        if self.final:
            self.f.problems.add(self.line(path), path, self._said(message))
        else:
            self.f.warnings.add(self.line(path), path, self._said(message) + " (avertissement ; erreur avec --final)")

    def notice(self, path: str, message: str) -> None:
        self.f.warnings.add(self.line(path), path, self._said(message))


def _loaded(year_file: YearFile) -> Annee:
    """A year file's data: the dossier's rules run only once every file it reads has bound to the
    schema (``model.load`` checks it first), so a missing one is a bug, not bad data."""
    assert year_file.data is not None, year_file.folder
    return year_file.data


def check_dossier(
    conv: Convention,
    files: dict[int, YearFile],
    year: int,
    following: Annee | None,
    convention_dir: Path,
    conv_file: YearFile,
    *,
    final: bool,
) -> None:
    """Every rule for the dossier of ``year``: each year file's own data, the years it reports,
    the order of its documents' dates, and the convention's blanks for a final version.
    ``files``: the years it prints (``cycle.years_read``), its own first; ``following``: the next
    year's data, if any, for the meetings its minutes announce."""
    period = conv.convention.annees
    for y, yf in files.items():
        why = None if y == year else _why(conv, y, year)
        _year_facts(conv, _Checker(yf, final=final, why=why))
        if why is None:
            _year_data(conv, yf, convention_dir, final=final)
    year_file = files[year]
    check = _Checker(year_file, final=final)
    if cycle.is_closing(year, period):
        _closing(conv, files, year_file, final=final)
    else:
        _call(conv, year_file, final=final)
        reported = cycle.bilan_year(year, period)
        if reported is None:  # the first year
            if _loaded(year_file).copil.examen_bilan.strip():
                check.breach(
                    "copil.examen_bilan",
                    f"{year} est la première année de la convention : aucun bilan n'existe encore, le premier "
                    f"{conv.copil.sigle} adopte seulement le programme ; videz examen_bilan",
                )
            _order(check, [("copil", year_file, f"le {conv.copil.sigle} {year}"), ("appel", year_file, f"l'appel {year}")])
        else:
            _reported(conv, files[reported], year, final=final, why=_why(conv, reported, year))
            _order(
                check,
                [
                    ("bilan", files[reported], f"le bilan {reported}"),
                    ("copil", year_file, f"le {conv.copil.sigle} {year}"),
                    ("appel", year_file, f"l'appel {year}"),
                ],
            )
    for y, yf in files.items():
        nxt = _loaded(files[y + 1]) if y + 1 in files else (following if y == year else None)
        _announced(conv, yf, nxt)
    check_crf(conv, files, year, final=final)
    check_convention(conv, conv_file, files, final=final)


def _why(conv: Convention, other: int, year: int) -> str:
    """Why another year's data is checked for this dossier: only what the dossier prints of it."""
    period = conv.convention.annees
    if not cycle.is_closing(year, period):
        if other == cycle.crf_year(year, period) and other != cycle.bilan_year(year, period):
            return "son compte rendu financier figure dans ce dossier"
        return "son bilan figure dans ce dossier"
    if other == cycle.bilan_year(year, period):
        return "son bilan et le bilan final figurent dans ce dossier"
    return "le bilan final de ce dossier en reprend les actions, les réunions et la participation"


def _order(check: _Checker, steps: list[tuple[str, YearFile, str]]) -> None:
    """Each document of a dossier is dated on or after the one before it (bilan ≤ COPIL ≤ call)."""
    dated = []
    for key, year_file, label in steps:
        part = getattr(_loaded(year_file), key)
        if part is not None:
            dated.append((key, year_file, label, part.date))
    for (key1, file1, before, d1), (key, year_file, after, d2) in zip(dated, dated[1:]):
        if d2 < d1:
            # either date may be the one that moved: when they are in two files, both are named
            other = (
                ""
                if file1 is year_file
                else f" — si c'est la date {_de(before)} qui a changé : "
                f"{file1.problems.display}:{line_of(file1.raw, key1 + '.date')}"
            )
            _Checker(year_file, final=check.final).breach(
                f"{key}.date",
                f"{after} est daté du {d2.isoformat()}, avant {before} ({d1.isoformat()}) "
                f"qu'il doit suivre : {before} ≤ {after}{other}",
            )


def _de(label: str) -> str:
    """« du bilan 2025 », « de la lettre … »: a label after « la date »."""
    for article, contracted in (("le ", "du "), ("les ", "des ")):
        if label.startswith(article):
            return contracted + label[len(article) :]
    return "de " + label


def _year_facts(conv, check: _Checker) -> None:
    """What a bilan prints of a year — its actions, meetings, call and payment, the bilan's own
    date — and whether it is example data: checked wherever that year's bilan is printed."""
    year_file = check.f
    data, year, terms = check.data, year_file.annee, conv.convention
    if data.annee != year:
        check.err("annee", f"le fichier dit {data.annee} mais il est dans le dossier de l'année {year}")
    if data.appel is not None:
        _in_year(check, "appel.date", data.appel.date)
        if data.appel.montant != terms.montant_annuel:
            check.err(
                "appel.montant",
                f"{montant(data.appel.montant)} ne correspond pas à la participation annuelle de "
                f"la convention ({montant(terms.montant_annuel)}, article 3)",
            )
    chantiers = [ch.code for ch in conv.chantiers]
    modalites = [m.code for m in conv.modalites]
    for i, action in enumerate(data.actions, 1):
        _known(check, f"actions[{i}].chantier", action.chantier, chantiers, "chantier")
        _known(check, f"actions[{i}].modalite", action.modalite, modalites, "modalité")
        _in_year(check, f"actions[{i}].date", action.date)
    for i, meeting in enumerate(data.reunions, 1):
        _in_year(check, f"reunions[{i}].date", meeting.date)
        _known(check, f"reunions[{i}].instance", meeting.instance, [conv.copil.sigle, conv.cotech.sigle], "comité")
    if data.finances is not None:
        fin = data.finances
        if data.appel is not None:
            if fin.montant_recu > data.appel.montant:
                check.err("finances.montant_recu", "le montant reçu dépasse le montant appelé")
            if fin.date_reception is not None and fin.date_reception < data.appel.date:
                check.breach(
                    "finances.date_reception",
                    f"la participation est reçue le {fin.date_reception.isoformat()}, avant d'être appelée "
                    f"(appel du {data.appel.date.isoformat()}) : un versement suit son appel",
                )
        if fin.montant_recu > 0 and fin.date_reception is None:
            check.err("finances.date_reception", "un montant est reçu : indiquez la date du versement")
    if data.bilan is not None:
        if data.bilan.date <= dt.date(year, 12, 31):
            check.breach(
                "bilan.date",
                f"le bilan {year} est daté du {data.bilan.date.isoformat()} : il rend compte de "
                f"toute l'année {year} et ne peut être établi qu'après le 31 décembre {year}",
            )
    if check.final and data.donnees_exemple:
        check.err(
            "donnees_exemple", "les données de cette année sont des exemples : une version définitive ne peut pas en contenir"
        )
    # what is shipped, not only what the flags say: of another year, only what its bilan prints
    printed = {
        "actions": data.actions,
        "reunions": data.reunions,
        "finances": data.finances,
        "bilan": data.bilan,
        "crf": data.crf,
    }
    for key, part in printed.items() if check.why else [("", data)]:
        _unfinished(part, check, key, listed=data.a_remplacer)
    _to_replace(data.a_remplacer, check, within=list(printed) if check.why else None)


def _in_year(check: _Checker, path: str, value) -> None:
    """A date of a year's file falls in that year."""
    if value is not None and value.year != check.f.annee:
        check.err(path, f"la date {value.isoformat()} n'est pas dans l'année {check.f.annee}")


def _known(check: _Checker, path: str, value: str, codes: list[str], what: str) -> None:
    """A code of convention.yaml (chantier, modalité, comité, rôle), or the closest one suggested."""
    if value not in codes:
        hint = suggestion(value, codes, f"codes permis : {', '.join(codes)}", cutoff=0.5)
        check.err(path, f"{what} « {value} » inconnu(e) dans convention.yaml — {hint}")


def _year_data(conv, year_file, convention_dir: Path, *, final: bool) -> None:
    """What the dossier's own year must hold besides its facts: its COPIL, its pieces, its bank."""
    check = _Checker(year_file, final=final)
    data, year, terms = check.data, year_file.annee, conv.convention
    _in_year(check, "copil.date", data.copil.date)
    chantiers = [ch.code for ch in conv.chantiers]
    for i, item in enumerate(data.copil.programme, 1):
        _known(check, f"copil.programme[{i}].chantier", item.chantier, chantiers, "chantier")
    sigles = [conv.copil.sigle, conv.cotech.sigle]
    for i, meeting in enumerate(data.copil.prochaines_reunions, 1):
        _known(check, f"copil.prochaines_reunions[{i}].instance", meeting.instance, sigles, "comité")
    counted = any(m.instance == conv.copil.sigle and m.date == data.copil.date for m in data.reunions)
    if not counted and not cycle.is_closing(year, terms.annees):  # the closing COPIL is in no year's bilan
        check.err(
            "copil.date",
            f"le {conv.copil.sigle} du {data.copil.date.isoformat()} n'est pas dans la liste « reunions » : "
            "ajoutez-le pour que le bilan de l'année le compte",
        )
    for i, r in enumerate(data.copil.prochaines_reunions, 1):
        if r.date <= data.copil.date:
            check.err(
                f"copil.prochaines_reunions[{i}].date",
                f"une réunion annoncée le {r.date.isoformat()} doit suivre le {conv.copil.sigle} qui l'annonce "
                f"({data.copil.date.isoformat()})",
            )

    present = {p.role for p in data.copil.presents if p.role}
    for key, what in (("presidence", "préside la séance"), ("secretariat", "tient le procès-verbal")):
        role = getattr(data.copil, key)
        if role is not None and role not in present:
            check.err(
                f"copil.{key}",
                f"le rôle « {role} », qui {what}, ne désigne aucun membre présent : choisissez "
                f"parmi {', '.join(sorted(present)) or 'les rôles des présents'}",
            )
    roles = {p.role for p in data.copil.presents + data.copil.excuses if p.role}
    for member in conv.copil.membres:
        if member.role not in roles:
            check.breach(
                "copil.presents",
                f"le {conv.copil.sigle} doit compter {member.libelle} (article 4) : "
                f"personne n'a le rôle « {member.role} » parmi les présents ou excusés",
            )
    known_roles = [m.role for m in conv.copil.membres]
    for group in ("presents", "excuses"):
        for i, person in enumerate(getattr(data.copil, group), 1):
            if person.role is not None:
                _known(check, f"copil.{group}[{i}].role", person.role, known_roles, "rôle")
    _minutes_signed_by_present(conv, data.copil, check)
    start, end = data.copil.heure, data.copil.heure_fin
    if start is not None and end is not None and end.minutes <= start.minutes:
        check.err(
            "copil.heure_fin", f"la séance est levée à {end}, pas après son ouverture ({start}) : corrigez heure ou heure_fin"
        )
    _civilites(data, check)

    if data.banque is not None:
        _bank(conv, data.banque, check)
    _pieces(conv, data, year_file, convention_dir, check)
    for path, day in _dates(data):
        why = _non_working(day)
        if why:
            check.notice(path, f"le {day.isoformat()} est {why} : vérifiez la date")


def _minutes_signed_by_present(conv, copil, check: _Checker) -> None:
    """The member who signs the minutes for a party (the role with ``signe_pour``) attended: the
    minutes are never prepared for an excused member's signature."""
    present = {p.role for p in copil.presents if p.role}
    for who in ("metropole", "association"):
        member = next((m for m in conv.copil.membres if m.signe_pour == who), None)
        if member is None or member.role in present:
            continue
        party = getattr(conv, who)
        others = [p.nom_complet for p in copil.presents if _of_party(p, party)]
        names = ", ".join(others[:-1]) + " ou " + others[-1] if len(others) > 1 else "".join(others)
        excused = next(((i, p) for i, p in enumerate(copil.excuses, 1) if p.role == member.role), None)
        if excused is not None:
            i, person = excused
            she = person.feminin
            instead = (
                f"donnez ce rôle au membre présent qui signe à sa place ({names}), ou inscrivez-"
                f"{'la' if she else 'le'} parmi les présents si {'elle' if she else 'il'} était là"
                if others
                else f"aucun membre présent de {party.designation_courte} ne peut signer à sa place : inscrivez-"
                f"{'la' if she else 'le'} parmi les présents si {'elle' if she else 'il'} était là"
            )
            check.breach(
                f"copil.excuses[{i}]",
                f"{person.nom_complet} signe le procès-verbal pour {party.designation} (rôle « {member.role} ») "
                f"mais {'elle est excusée' if she else 'il est excusé'} : {instead}",
            )
        else:
            instead = (
                f"donnez ce rôle au membre présent qui signe à sa place ({names})"
                if others
                else f"ajoutez aux présents le membre de {party.designation_courte} qui signe, avec ce rôle"
            )
            check.breach(
                "copil.presents",
                f"aucun membre présent n'a le rôle « {member.role} », qui signe le procès-verbal "
                f"pour {party.designation} : {instead}",
            )


def _of_party(person, party) -> bool:
    """Whether a participant's organisme names the party (its name or its sigle, as words)."""
    organisme = _plain(person.organisme)
    names = [_plain(n) for n in (party.nom, party.sigle) if n]
    return any(re.search(rf"(?<!\w){re.escape(n)}(?!\w)", organisme) or organisme in n for n in names if organisme)


@runtime_checkable
class _Titled(Protocol):
    """A person named with a civilité and a title (``Personne``, ``Participant``)."""

    civilite: str | None
    qualite: str


def _civilites(record, check: _Checker, path: str = "") -> None:
    """Each person's civilité agrees with the gender of her or his title: « Madame » with
    « Présidente », « M. » with « Vice-Président délégué ». Only the words whose masculine and
    feminine French knows are judged (« Secrétaire », « Maire » are left alone)."""
    if isinstance(record, list):
        for i, item in enumerate(record, 1):
            _civilites(item, check, f"{path}[{i}]")
        return
    if not dataclasses.is_dataclass(record):
        return
    if isinstance(record, _Titled):
        civilite = record.civilite
        woman = civilite_feminine(civilite)
        feminine, said, other = genre_fonction(record.qualite)
        if woman is not None and feminine is not None and woman != feminine:
            check.breach(
                f"{path}.qualite" if path else "qualite",
                f"civilité {civilite} mais fonction « {said} » : écrivez « {other} » (ou {civilite_contraire(civilite)})",
            )
    for name in [f.name for f in dataclasses.fields(record)]:
        value = getattr(record, name)
        if isinstance(value, list) or dataclasses.is_dataclass(value):
            _civilites(value, check, f"{path}.{name}" if path else name)


# the words that mark example data and specimen pieces in what this project ships
EXAMPLE = re.compile(r"\bEXEMPLE\b")
IDENTITY = {
    "nom",
    "prenom",
    "domiciliation",
    "titulaire",
    "courriel",
    "organisme",
    "dossier_suivi_par",
    "service",
    "partenaires",
    "lieu",
}
SPECIMEN = re.compile(r"sp[ée]cimen", re.IGNORECASE)
PLACEHOLDER = re.compile(r"à compléter", re.IGNORECASE)  # what the questionnaire leaves for staff to fill


def _texts(record, path: str = "") -> list[tuple[str, str]]:
    """Every text of a record and of the records in it, with its key path."""
    found = []
    if dataclasses.is_dataclass(record):
        for item in dataclasses.fields(record):
            found += _texts(getattr(record, item.name), f"{path}.{item.name}" if path else item.name)
    elif isinstance(record, list):
        for i, value in enumerate(record, 1):
            found += _texts(value, f"{path}[{i}]")
    elif isinstance(record, str):
        found.append((path, record))
    return found


def _is_example(path: str, text: str) -> bool:
    """« EXEMPLE » in capitals anywhere, « exemple » in a name, a bank or an address."""
    key = re.sub(r"\[\d+\]$", "", path.rsplit(".", 1)[-1])  # « partenaires[2] » is a partner
    return bool(EXAMPLE.search(text) or (key in IDENTITY and re.search(r"\bexemple\b", text, re.IGNORECASE)))


def _unfinished(record, check: _Checker, path: str = "", listed: Sequence[str] = ()) -> None:
    """Values still to replace. A « À COMPLÉTER » is said in a draft and refused in a final
    version; example data only in a final version (a draft's cover already says « exemple »);
    a placeholder telephone number in a final version, and in a draft unless ``listed`` (the
    file's ``a_remplacer``) already says it is an example."""
    for where, value in _texts(record, path):
        path = where
        if path.startswith("a_remplacer") or _is_listed(path, listed):
            continue  # said once, by _to_replace
        if PLACEHOLDER.search(value):
            check.breach(path, f"« {value} » reste à remplir : remplacez-le par la vraie donnée")
        elif check.final and _is_example(path, value):
            check.err(path, f"« {value} » est une valeur d'exemple : une version définitive exige la vraie donnée")
        elif (_is_phone(path, value)) and (fake := placeholder_phone(value)) is not None:
            number, why = fake
            said = f"« {number} » est un numéro de téléphone fictif ({why}) : saisissez le vrai numéro"
            check.err(path, said) if check.final else check.notice(path, said + " avant une version définitive")


def _is_phone(path: str, text: str) -> bool:
    """A telephone field, or a text that gives a number after « tél. » (« chargée de mission – tél. … »)."""
    return path.rsplit(".", 1)[-1] in ("telephone", "tel") or bool(re.search(r"\bt[ée]l(?:[ée]phone)?\b", text, re.I))


def _is_listed(path: str, listed: Sequence[str]) -> bool:
    """Whether a value's key path is one ``a_remplacer`` names, or inside one (« association.directeur »)."""
    return any(path == item or path.startswith(item + ".") or path.startswith(item + "[") for item in listed)


def _to_replace(listed: list[str], check: _Checker, within: list[str] | None = None) -> None:
    """The example values a file lists under ``a_remplacer``: each names a key of the file
    (always checked), and a final version refuses each one, at its own line. ``within``: for
    another year's file, only the keys its bilan prints."""
    for i, item in enumerate(listed, 1):
        item = item.strip()
        found, value = _lookup(check.f.raw, item)
        if not found:
            check.err(
                f"a_remplacer[{i}]",
                f"« {item} » ne désigne aucune valeur de ce fichier : écrivez la clé telle "
                "qu'elle y figure, parties séparées par des points (« association.telephone », "
                "« banque.iban », « copil.presents[2].nom »)",
            )
        elif check.final and (within is None or re.split(r"[.\[]", item, maxsplit=1)[0] in within):
            shown = "cette rubrique est une donnée" if isinstance(value, (dict, list)) else f"« {value} » est une valeur"
            check.err(
                item,
                f"{shown} d'exemple (listée sous a_remplacer, ligne "
                f"{line_of(check.f.raw, f'a_remplacer[{i}]')}) : saisissez la vraie valeur, puis retirez "
                f"« {item} » de la liste",
            )


def _lookup(raw, dotted: str) -> tuple[bool, object]:
    """Whether a 'a.b[2].c' path names a value of the loaded YAML, and that value."""
    node = raw
    parts = re.findall(r"[^.\[\]]+|\[\d+\]", dotted)
    if not parts or "".join(p if p.startswith("[") else "." + p for p in parts).lstrip(".") != dotted:
        return False, None
    for part in parts:
        if part.startswith("["):
            index = int(part[1:-1]) - 1
            if not isinstance(node, list) or not 0 <= index < len(node):
                return False, None
            node = node[index]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return False, None
    return True, node


# a French telephone number as letters write it: « 04 91 00 00 00 », « 04.91.00.00.00 », « +33 4 91 … »
PHONE = re.compile(r"(?<![\d+])(?:\+33[ .\-\u00a0\u202f]?(?:\(0\))?|0)\d(?:[ .\-\u00a0\u202f]?\d\d){4}(?!\d)")
# the ranges ARCEP keeps for films and books: never anyone's number
FICTION = ("0199 00", "0261 91", "0353 01", "0465 71", "0536 49", "0639 98")


def placeholder_phone(text: str) -> tuple[str, str] | None:
    """The first telephone number of ``text`` that no one can answer, and why (None: none):
    « 04 00 00 00 00 », « 00 00 00 00 00 », « 01 23 45 67 89 », « 06 12 34 56 78 », one digit or
    one pair repeated, a range reserved for fiction."""
    for match in PHONE.finditer(text or ""):
        digits = re.sub(r"\D", "", match.group())
        digits = "0" + digits[2:] if digits.startswith("33") else digits
        digits = digits[-10:]
        rest = digits[2:]
        why = (
            "aucun numéro ne commence par 00"
            if digits[1] == "0"
            else "un seul chiffre répété"
            if len(set(rest)) == 1
            else "une paire de chiffres répétée"
            if len({rest[i : i + 2] for i in range(0, 8, 2)}) == 1
            else "des chiffres qui se suivent"
            if digits in "01234567890123456789" or rest in "0123456789" or rest in "9876543210" or rest in "12345678901"
            else "plage réservée aux œuvres de fiction"
            if f"{digits[:4]} {digits[4:6]}" in FICTION
            else None
        )
        if why is not None:
            return match.group(), why
    return None


def _says_specimen(path: Path) -> bool:
    """Whether a piece's own text says it is a specimen (a scan has no text to read)."""
    if path.suffix.lower() != ".pdf" or not path.is_file():
        return False

    try:
        return any(SPECIMEN.search(page.extract_text() or "") for page in PdfReader(path).pages[:3])
    except Exception:  # an unreadable piece is reported by its own check
        return False


def _call(conv, year_file, *, final: bool) -> None:
    """A year of the period sends a call: its letter and bank details are required."""
    check = _Checker(year_file, final=final)
    for key, what in (
        ("appel", "la lettre d'appel (date, reference, lieu, montant)"),
        ("banque", "les coordonnées bancaires (titulaire, domiciliation, iban, bic)"),
    ):
        if getattr(check.data, key) is None:
            check.err("", f"clé obligatoire absente : ajoutez « {key}: » ({what})")
    if check.data.bilan_final is not None:
        check.err("bilan_final", "le bilan final se donne dans le dossier de l'année qui suit la convention, pas ici")
    if check.data.transmission is not None:
        check.err(
            "transmission",
            "la lettre de transmission est celle du dossier de clôture (l'année qui suit la "
            "convention) : l'appel de participation transmet le dossier de cette année",
        )
    for spec, piece in pieces_given(conv, check.data.pieces):
        if spec.document is not None:
            continue  # made by the pipeline (the bilan), or « sans objet » the first year
        if piece is None or not piece.fichier:
            check.breach("pieces", f"pièce manquante : {piece_label(spec.libelle, year_file.annee)} (article 3)")


def _reported(conv, year_file, dossier_year: int, *, final: bool, why: str | None = None) -> None:
    """A year whose bilan a dossier holds: the bilan must be dated, the year's facts complete,
    and the meetings of article 4 held."""
    check = _Checker(year_file, final=final, why=why)
    year = year_file.annee
    if check.data.bilan is None:
        check.err(
            "",
            f"le bilan {year} est joint au dossier {dossier_year} : ajoutez « bilan: » avec sa date et son "
            f"lieu (il est établi au début de {year + 1}, après la fin de l'année)",
        )
    if check.data.finances is None:
        check.err(
            "", f"le bilan {year} rend compte de la participation {year} : ajoutez « finances: » (montant_recu, date_reception)"
        )
    for instance in (conv.copil, conv.cotech):
        held = sum(1 for m in check.data.reunions if m.instance == instance.sigle)
        if held < instance.reunions_min_par_an:
            check.breach(
                "reunions",
                f"{instance.sigle} : {compte(held, 'réunion')} en {year}, quand l'article 4 en "
                f"demande au moins {instance.reunions_min_par_an} par an",
            )


def _closing(conv: Convention, files: dict[int, YearFile], year_file: YearFile, *, final: bool) -> None:
    """The year after the period: the closing COPIL and the final bilan; no call."""
    check = _Checker(year_file, final=final)
    period = conv.convention.annees
    data = _loaded(year_file)
    if data.appel is not None:
        check.err(
            "appel",
            f"la convention s'achève le 31 décembre {period[-1]} : l'année {year_file.annee} n'a pas d'appel "
            "de participation ; retirez « appel: »",
        )
    if data.bilan_final is None:
        check.err(
            "",
            "le dossier de clôture contient le bilan final de la convention : ajoutez « bilan_final: » avec sa date et son lieu",
        )
    for y in period:
        _reported(conv, files[y], year_file.annee, final=final, why=_why(conv, y, year_file.annee))
    if data.transmission is None:
        check.breach(
            "",
            "le dossier de clôture est transmis par une lettre, la seule signature faite dans le dossier : "
            f"ajoutez « transmission: » avec sa date (après le {conv.copil.sigle} de clôture), sa référence "
            "et son lieu",
        )
    last = period[-1]  # the closing dossier holds the last year's bilan (cycle.bilan_year)
    _order(
        check,
        [
            ("bilan", files[last], f"le bilan {last}"),
            ("bilan_final", year_file, "le bilan final"),
            ("copil", year_file, f"le {conv.copil.sigle} de clôture"),
            ("transmission", year_file, "la lettre de transmission"),
        ],
    )


def check_crf(conv: Convention, files: dict[int, YearFile], year: int, *, final: bool) -> None:
    """The compte rendu financier (loi du 12 avril 2000, art. 10): the one of the dossier's own
    year, where its data is kept, and the one the dossier encloses (N-2; the last year but one
    at the closing), each dated after its accounts' approval and by 30 June of the next year,
    its participation the one received, its totals balanced, its large gaps explained; the one
    the dossier should enclose and does not is said (a notice: the payment does not wait on it)."""

    period = conv.convention.annees
    own = _loaded(files[year])
    targets: dict[int, str | None] = {year: None} if own.crf is not None else {}
    due_year = cycle.crf_year(year, period)
    if due_year is not None and due_year in files:
        block = _loaded(files[due_year]).crf
        if block is not None:
            targets[due_year] = _why(conv, due_year, year) if due_year != year else None
        sent = own.appel or own.transmission
        if sent is not None and (block is None or block.date > sent.date):
            letter = "l'appel" if own.appel is not None else "la lettre de transmission"
            why = (
                f"il n'est pas encore établi (ajoutez « crf: » à {due_year}/year.yaml une fois les comptes {due_year} approuvés)"
                if block is None
                else f"il est daté du {block.date.isoformat()}, après {letter} du {sent.date.isoformat()}"
            )
            _Checker(files[year], final=final).notice(
                "",
                f"le compte rendu financier de la participation {due_year}, dû au plus tard le "
                f"{crf_due_text(due_year)}, n'est pas joint au dossier {year} : {why} ; le bordereau le dit",
            )
    for y, printed in targets.items():
        block = _loaded(files[y]).crf
        if block is not None:  # targets holds only the years whose crf is drawn up
            _crf_content(conv, _Checker(files[y], final=final, why=printed), block)


def check_sending(conv: Convention, year_file: YearFile, conv_file: YearFile, *, final: bool) -> None:
    """The sending of a year's own compte rendu financier (``make crf``): what it prints of the
    year (its participation received, its CRF block and figures) and the CRF's rules — dated on or
    after the accounts' approval, sent (its letter's date) on or after that — and, for a final
    version, the convention's blanks and no example value among what it prints."""
    check = _Checker(year_file, final=final, why="son compte rendu financier est envoyé")
    _year_facts(conv, check)
    block = check.data.crf
    assert block is not None  # a sending without its crf is refused before its rules run (model.load_sending)
    _crf_content(conv, _Checker(year_file, final=final), block)
    _crf_pieces(_Checker(year_file, final=final), block)
    check_convention(conv, conv_file, {year_file.annee: year_file}, final=final)


def _crf_pieces(check: _Checker, block: CompteRenduFinancier) -> None:
    """What the sending encloses with the CRF N (cerfa n° 15059): the accounts N approved and the
    rapport d'activité N, each a file of the year's folder sent as it is (a signed report stays
    byte for byte the one signed) — one missing is a warning in a draft, an error when final."""
    n, folder = check.f.annee, check.f.folder
    known = {spec.code: spec for spec in CRF_PIECES}
    _listed_pieces(
        block.pieces,
        "crf.pieces",
        known,
        "parmi les pièces du compte rendu financier",
        folder,
        folder.parent,
        check,
        check.breach,
    )
    for i, piece in enumerate(block.pieces, 1):
        if piece.fichier and Path(piece.fichier).suffix.lower() in (".docx", ".odt"):
            check.err(
                f"crf.pieces[{i}].fichier",
                f"{piece.fichier} : l'envoi joint chaque pièce telle quelle, sans la "
                "convertir — enregistrez-la en PDF et citez le PDF",
            )
    given = {piece.code: piece for piece in block.pieces}
    for spec in CRF_PIECES:
        found = given.get(spec.code)
        if spec.required and (found is None or not found.fichier):
            label = crf_piece_label(spec, None, n, block.comptes_approuves_le)
            where = (
                f"crf.pieces[{block.pieces.index(found) + 1}]"
                if found is not None
                else "crf.pieces"
                if "pieces" in (check.f.raw.get("crf") or {})
                else "crf"
            )
            check.breach(
                where,
                f"pièce manquante à l'envoi du compte rendu financier {n} : {label} (le cerfa "
                "n° 15059 demande que le compte rendu soit accompagné des comptes approuvés et du "
                f"rapport d'activité) — déposez le fichier dans {folder.name}/pieces/ et citez-le sous "
                f"crf.pieces (code: {spec.code}, fichier: pieces/…)",
            )


def crf_due_text(year: int) -> str:

    return date_fr(cycle.crf_due(year))


def _crf_content(conv: Convention, check: _Checker, block: CompteRenduFinancier) -> None:
    """One year's CRF: its dates, its participation, its balance, its gaps."""
    data, n = check.data, check.f.annee
    if block.comptes_approuves_le <= dt.date(n, 12, 31):
        check.err(
            "crf.comptes_approuves_le",
            f"les comptes {n} sont approuvés le "
            f"{block.comptes_approuves_le.isoformat()}, avant la fin de l'année qu'ils "
            f"arrêtent : ils ne le sont qu'en {n + 1}",
        )
    if block.date < block.comptes_approuves_le:
        check.breach(
            "crf.date",
            f"le compte rendu financier {n} est daté du {block.date.isoformat()}, avant "
            f"l'approbation des comptes {n} ({block.comptes_approuves_le.isoformat()}) : il rend "
            "compte des comptes approuvés, il les suit",
        )
    elif block.date > cycle.crf_due(n):
        check.notice(
            "crf.date",
            f"le compte rendu financier {n} est daté du {block.date.isoformat()}, après le "
            f"{crf_due_text(n)} : la loi du 12 avril 2000 (article 10) le demande dans les six mois "
            f"qui suivent la fin de l'année {n}",
        )
    if block.transmis_le is None:
        check.breach(
            "crf.transmis_le",
            f"dites quand le compte rendu financier {n} a été déposé auprès "
            f"{de_metropole(conv)} (crf.transmis_le) : la loi du 12 avril 2000 (article 10) "
            f"demande de le déposer au plus tard le {crf_due_text(n)}, sans attendre "
            "l'appel qui en joindra une copie",
        )
    elif block.transmis_le < block.date:
        check.err(
            "crf.transmis_le",
            f"déposé le {block.transmis_le.isoformat()}, avant d'être établi "
            f"({block.date.isoformat()}) : vérifiez les deux dates",
        )
    elif block.transmis_le > cycle.crf_due(n):
        check.notice(
            "crf.transmis_le",
            f"le compte rendu financier {n} a été déposé le "
            f"{block.transmis_le.isoformat()}, après le {crf_due_text(n)} : la loi du 12 "
            f"avril 2000 (article 10) le demande dans les six mois qui suivent la fin de {n}",
        )
    sheet = crf.find(check.f.folder)
    where = sheet.name if sheet is not None else "crf.lignes"
    if not block.lignes:
        check.breach(
            "crf",
            f"le compte rendu financier {n} n'a aucun chiffre : remplissez {where} "
            "(Rubrique, Prévu, Réalisé, Explication de l'écart)",
        )
        return
    lines = {line.rubrique: line for line in block.lignes}
    unknown = [line.rubrique for line in block.lignes if line.rubrique not in crf.BY_CODE]
    for code in unknown:
        hint = suggestion(code, crf.BY_CODE, f"rubriques : {', '.join(crf.BY_CODE)}", cutoff=0.5)
        check.err("crf.lignes", f"rubrique « {code} » inconnue — {hint}")
    if unknown:
        return
    participation = lines.get(crf.PARTICIPATION)
    received = data.finances.montant_recu if data.finances is not None else None
    if participation is None:
        check.breach(
            "crf",
            f"{where} : la ligne de la participation {de_metropole(conv)} manque (rubrique « "
            f"{crf.label(crf.BY_CODE[crf.PARTICIPATION], conv)} »)",
        )
    else:
        if received is not None and participation.realise != received:
            check.breach(
                "crf",
                f"{where} : la participation {n} réalisée ({montant(participation.realise)}) n'est pas "
                f"ce qui a été reçu ({montant(received)}, finances.montant_recu) : le compte rendu "
                "financier rend compte de la participation versée",
            )
        if participation.prevu != conv.convention.montant_annuel:
            check.notice(
                "crf",
                f"{where} : la participation prévue ({montant(participation.prevu)}) n'est pas celle "
                f"de la convention ({montant(conv.convention.montant_annuel)}, article 3)",
            )
    shared = [line for line in block.lignes if line.rubrique in ("charges_indirectes", "personnel") and line.realise]
    if shared and not (block.regle_repartition or "").strip():
        check.breach(
            "crf.regle_repartition",
            f"le compte rendu financier {n} affecte à l'action des charges "
            f"{' et '.join(crf.BY_CODE[line.rubrique].libelle.split(' (')[0].lower() for line in shared)} "
            "sans dire comment elles sont réparties : le cerfa n° 15059 demande en annexe la règle de "
            "répartition (temps passé, prorata des loyers…) — écrivez-la dans crf.regle_repartition",
        )
    sums = crf.totals(block.lignes)
    for i, what in ((0, "prévus"), (1, "réalisés")):
        charges, produits = sums["charges"][i], sums["produits"][i]
        if charges != produits:
            check.breach(
                "crf",
                f"{where} : les totaux {what} ne s'équilibrent pas (charges {montant(charges)}, "
                f"produits {montant(produits)}) : le compte rendu financier présente des charges "
                "égales aux ressources — ajoutez la ligne qui manque (ressources propres, "
                "engagements à réaliser…)",
            )
    for line in block.lignes:
        if crf.significant(line.prevu, line.realise) and not (line.explication or "").strip():
            ecart, share = crf.gap(line.prevu, line.realise)
            said = f"{montant(ecart)}" + (f", {pourcentage(share)}" if share is not None else ", non prévu")
            check.breach(
                "crf",
                f"{where}, rubrique « {crf.label(crf.BY_CODE[line.rubrique], conv)} » : écart de "
                f"{said} sans explication (au-delà de {int(crf.GAP_SHARE * 100)} % et de "
                f"{montant(crf.GAP_AMOUNT)}, l'annexe l'explique) — écrivez-la dans la colonne "
                "« Explication de l'écart »",
            )


def de_metropole(conv: Convention) -> str:
    return de(conv.metropole.designation)


def _announced(conv: Convention, year_file: YearFile, following: Annee | None) -> None:
    """The meetings that a COPIL announced are the ones the data records (a notice), once the
    data can record them: the year closed (its bilan dated), or the meeting before the last one
    recorded."""
    check = _Checker(year_file, final=False)
    data = _loaded(year_file)
    for i, r in enumerate(data.copil.prochaines_reunions, 1):
        if r.date.year == year_file.annee:
            year_data = data
            held = {(m.instance, m.date) for m in data.reunions}
            where = f"des réunions de {year_file.annee}"
        elif r.date.year == year_file.annee + 1 and following is not None:
            year_data = following
            held = {(m.instance, m.date) for m in following.reunions} | {(conv.copil.sigle, following.copil.date)}
            where = f"des données de {year_file.annee + 1}"
        else:
            continue
        if year_data.bilan is None and r.date > max((m.date for m in year_data.reunions), default=year_data.copil.date):
            continue  # a year still running: a meeting announced for later cannot be recorded yet
        if (r.instance, r.date) not in held:
            dates = sorted(d.isoformat() for inst, d in held if inst == r.instance)
            seen = f" ({r.instance} tenu le {', '.join(dates)})" if dates else ""
            check.notice(
                f"copil.prochaines_reunions[{i}]",
                f"le procès-verbal annonce un {r.instance} le {r.date.isoformat()}, absent {where}{seen} : "
                "corrigez l'annonce ou la date de la réunion",
            )


def check_convention(conv: Convention, conv_file: YearFile, files: dict[int, YearFile], *, final: bool) -> None:
    """The convention's own file: the documents its pieces name, its blanks filled before a final
    version, signed once its deliberation is voted and before the first call."""
    terms = conv.convention
    check = _Checker(conv_file, final=final)  # conv_file.raw is convention.yaml: lines come from there
    for i, piece in enumerate(conv.pieces_requises, 1):
        if piece.document is not None and piece.document not in SPECS:
            hint = suggestion(piece.document, SPECS, f"documents produits : {', '.join(SPECS)}", cutoff=0.5)
            check.err(f"pieces_requises[{i}].document", f"document « {piece.document} » inconnu — {hint}")
    for party in ("metropole", "association"):  # the minutes name their signatory for each party
        if not any(m.signe_pour == party for m in conv.copil.membres):
            check.err(
                "copil.membres",
                f"aucun membre du {conv.copil.sigle} ne signe le procès-verbal pour la partie "
                f"« {party} » : ajoutez « signe_pour: {party} » au membre qui signe pour elle",
            )
    for key in ("metropole", "association"):  # the identifiers the paying officer checks the payee by
        party = getattr(conv, key)
        if party.siret is not None and (why := siret_problem(party.siret)) is not None:
            check.err(f"{key}.siret", f"SIRET « {party.siret} » invalide ({why}) : recopiez-le depuis l'avis de situation Insee")
        if party.rna is not None and not re.fullmatch(r"W\d{9}", party.rna.replace(" ", "")):
            check.err(f"{key}.rna", f"numéro RNA « {party.rna} » invalide : il s'écrit W suivi de 9 chiffres")
    _unfinished(conv, check, listed=conv.a_remplacer)
    _to_replace(conv.a_remplacer, check)
    _civilites(conv, check)
    first = files.get(terms.annees[0])
    call = _loaded(first).appel if first is not None else None
    first_call = call.date if call is not None else None
    if final:
        for path, value, what in (
            ("convention.deliberation.numero", terms.deliberation.numero, "le numéro de la délibération"),
            ("convention.deliberation.date", terms.deliberation.date, "la date de la délibération"),
            ("convention.date_signature", terms.date_signature, "la date de signature"),
        ):
            if value is None:
                check.err(path, f"{what} est en blanc : à compléter avant une version définitive")
    signed = terms.date_signature
    if signed is not None and first_call is not None and signed > first_call:
        check.breach(
            "convention.date_signature",
            f"la convention est signée le {signed.isoformat()}, après le premier "
            f"appel ({first_call.isoformat()}) : elle doit l'être avant",
        )
    _signed_after_deliberation(conv, check)


def _signed_after_deliberation(conv: Convention, check: _Checker) -> None:
    """Each party signs the approved text once the délibération has authorised it: with the
    parties' own days (signed in turn), each one; else the convention's date."""
    terms = conv.convention
    voted, signed = terms.deliberation.date, terms.date_signature
    if voted is None:
        return
    if terms.signatures is None:
        if signed is not None and voted > signed:
            check.breach(
                "convention.deliberation.date",
                f"la délibération du {voted.isoformat()} suit la signature "
                f"({signed.isoformat()}) : la Présidente signe une fois habilitée",
            )
        return
    for who, day in (("metropole", terms.signatures.metropole), ("association", terms.signatures.association)):
        if day < voted:
            check.breach(
                f"convention.signatures.{who}",
                f"{getattr(conv, who).designation_courte} signe le {day.isoformat()}, avant la délibération du "
                f"{voted.isoformat()} qui autorise la convention : chaque partie signe le texte approuvé, "
                "après la délibération",
            )


def siret_problem(value: str) -> str | None:
    """Why a SIRET is wrong, said so that it can be fixed (None: it is right). It has two keys:
    its first nine digits, the SIREN, pass their own check (Luhn), and so do all fourteen."""
    compact = re.sub(r"[\s.\u00a0\u202f-]", "", value)
    if not compact.isdigit() or len(compact) != 14:
        said = f"{len(compact)} chiffres" if compact.isdigit() else "autre chose que des chiffres"
        return f"{said} : un SIRET s'écrit en 14 chiffres, les 9 du SIREN puis les 5 du NIC"
    if not siren.is_valid(compact[:9]):
        return (
            f"la clé du SIREN ne correspond pas : ses 9 premiers chiffres ({siren.format(compact[:9])}) forment le "
            "SIREN, qui a sa propre clé de contrôle, en plus de celle du SIRET entier"
        )
    if not siret.is_valid(compact):
        return (
            "le SIREN est juste, mais la clé du SIRET entier (ses 14 chiffres) ne correspond pas : vérifiez les "
            "5 derniers chiffres (le NIC de l'établissement)"
        )
    return None


def _bank(conv, bank, check: _Checker) -> None:
    """An IBAN that fails its checksum or a malformed BIC would get the transfer rejected."""

    iban = bic = None
    try:
        iban = IBAN(bank.iban)
    except SchwiftyException as exc:
        check.err("banque.iban", f"IBAN « {bank.iban} » invalide ({_bank_reason(exc)}) : recopiez-le depuis le RIB")
    try:
        bic = BIC(bank.bic)
    except SchwiftyException as exc:
        check.err(
            "banque.bic", f"BIC « {bank.bic} » invalide ({_bank_reason(exc)}) : 8 ou 11 caractères, recopiez-le depuis le RIB"
        )
    if iban is not None and bic is not None:
        _same_bank(iban, bic, bank, check)
    if _plain(bank.titulaire) != _plain(conv.association.nom):
        check.notice(
            "banque.titulaire",
            f"le titulaire du compte (« {bank.titulaire} ») n'est pas l'association "
            f"bénéficiaire de la convention (« {conv.association.nom} ») : le comptable "
            "public vérifie qu'ils concordent",
        )


def _same_bank(iban, bic, bank, check: _Checker) -> None:
    """The IBAN's bank code names a bank (schwifty's registry): its BIC and its name should be
    those the letter gives, or the payee's details contradict each other."""
    try:
        known, name = iban.bic, iban.bank_name
    except Exception:  # a bank the registry does not know: nothing to compare
        return
    if known is not None and str(known)[:8] != str(bic)[:8]:
        check.notice(
            "banque.bic",
            f"le BIC {bic} n'est pas celui de la banque de l'IBAN (code banque {iban.bank_code} : "
            f"{name or 'banque inconnue'}, BIC {known}) : vérifiez le RIB",
        )
    else:
        # a bank code has many entries in the registry (branches, subsidiaries): the bank is named
        # by its BIC's own names as well as the first entry's
        names = [n for n in [name, *_bic_names(known)] if n]
        if names and not any(_words(n) & _words(bank.domiciliation) for n in names):
            check.notice(
                "banque.domiciliation",
                f"« {bank.domiciliation} » ne nomme pas la banque de l'IBAN "
                f"({' / '.join(dict.fromkeys(names))}, code banque {iban.bank_code}) : "
                "vérifiez le RIB",
            )


def _bic_names(bic) -> list[str]:
    try:
        return list(BIC(str(bic)[:8]).bank_names) if bic is not None else []
    except Exception:  # a BIC the registry does not know
        return []


def _words(text: str) -> set[str]:
    """A bank's name as comparable words: no accents, no case, no generic word (« Société Générale »
    and « SOCIETE GENERALE SA » share « societe »)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()
    return {w for w in re.findall(r"[a-z0-9]+", plain) if len(w) > 2} - {"sas", "banque", "bank", "des", "les", "agence"}


def _bank_reason(exc: Exception) -> str:
    name = exc.__class__.__name__
    return {
        "InvalidChecksumDigits": "la clé de contrôle ne correspond pas",
        "InvalidLength": "longueur incorrecte",
        "InvalidStructure": "structure incorrecte",
        "InvalidCountryCode": "code pays inconnu",
        "InvalidBankCode": "code banque inconnu",
    }.get(name, name)


def _plain(text: str) -> str:
    return " ".join(text.replace("’", "'").split()).casefold()


def _pieces(conv, data, year_file, convention_dir: Path, check: _Checker) -> None:
    required = {p.code: p for p in conv.pieces_requises}
    _listed_pieces(data.pieces, "pieces", required, "dans convention.yaml", year_file.folder, convention_dir, check, check.err)
    for i, piece in enumerate(data.pieces, 1):
        path = f"pieces[{i}]"
        if piece.code in required and required[piece.code].document is not None:
            check.err(
                f"{path}.code",
                f"la pièce « {piece.code} » est produite par la chaîne ({required[piece.code].document}) : "
                "retirez-la de la liste",
            )
    for i, piece in enumerate(data.pieces, 1):
        path = f"pieces[{i}]"
        if re.search(r"provisoire", f"{piece.titre or ''} {piece.note or ''}", re.IGNORECASE):
            check.notice(
                f"{path}.note",
                f"{piece.titre or piece.code} : pièce provisoire — l'article 3 demande la pièce "
                "définitive, et le comptable public peut suspendre le paiement jusqu'à la recevoir : "
                "dites dans la note quand la définitive suivra ; une fois approuvée, transmettez-la "
                "et notez-le dans la note de cette pièce l'année suivante (« comptes 2022 approuvés "
                "par l'assemblée générale du 13 juin 2023, transmis le … »)",
            )


def _listed_pieces(
    pieces: list, prefix: str, known: dict, where: str, folder: Path, convention_dir: Path, check: _Checker, unfound
) -> None:
    """A list of pieces (a call's ``pieces``, a CRF's ``crf.pieces``): known codes, each once, a
    readable file inside the convention's folder (``unfound`` says one that is not there), no
    specimen in a final version — flagged, or saying so on its pages."""
    given: dict[str, int] = {}
    for i, piece in enumerate(pieces, 1):
        path = f"{prefix}[{i}]"
        if piece.code not in known:
            hint = suggestion(piece.code, known, f"codes permis : {', '.join(known)}", cutoff=0.5)
            check.err(f"{path}.code", f"pièce « {piece.code} » inconnue {where} — {hint}")
        if piece.code in given:
            check.err(f"{path}.code", f"la pièce « {piece.code} » est déjà donnée en {prefix}[{given[piece.code]}]")
        given[piece.code] = i
        if piece.fichier:
            missing = not (folder / piece.fichier).resolve().is_file() and (folder / piece.fichier).resolve().is_relative_to(
                convention_dir.resolve()
            )
            _check_piece_file(f"{path}.fichier", piece.fichier, folder, convention_dir, unfound if missing else check.err)
        if piece.specimen and check.final:
            check.err(
                f"{path}.specimen", f"{piece.fichier or piece.code} est un spécimen : une version définitive exige la vraie pièce"
            )
        elif check.final and piece.fichier and _says_specimen(folder / piece.fichier):
            check.err(
                f"{path}.fichier",
                f"{piece.fichier} porte la mention « spécimen » : c'est un document "
                "d'exemple, une version définitive exige la vraie pièce",
            )


def _dates(data) -> list[tuple[str, dt.date]]:
    """Every date of a year's file, with its place, for the working-day notice."""
    found = []
    if data.appel is not None:
        found.append(("appel.date", data.appel.date))
    found.append(("copil.date", data.copil.date))
    found += [(f"copil.prochaines_reunions[{i}].date", r.date) for i, r in enumerate(data.copil.prochaines_reunions, 1)]
    found += [(f"actions[{i}].date", a.date) for i, a in enumerate(data.actions, 1)]
    found += [(f"reunions[{i}].date", r.date) for i, r in enumerate(data.reunions, 1)]
    if data.finances is not None and data.finances.date_reception is not None:
        found.append(("finances.date_reception", data.finances.date_reception))
    for key in ("bilan", "bilan_final", "transmission", "crf"):
        if getattr(data, key) is not None:
            found.append((f"{key}.date", getattr(data, key).date))
    return found


@functools.cache
def _holidays(year: int):
    return holidays.country_holidays("FR", years=year, language="fr")


def _non_working(day: dt.date) -> str | None:
    """'un samedi', 'un jour férié (Lundi de Pâques)', or None for a working day."""
    name = _holidays(day.year).get(day)
    if name:
        return f"un jour férié ({name})"
    if day.weekday() >= 5:
        return "un samedi" if day.weekday() == 5 else "un dimanche"
    return None


# the most pixels a scanned page has: an A3 page at 600 dpi (7016 × 9921); an image larger than
# that is no scan (a decompression bomb would take the machine's memory)
SCAN_PIXELS = 70_000_000


def scan_too_large(image: Path) -> str | None:
    """« 30000 × 30000 » when the image (each page of a TIFF) has more pixels than a scanned page;
    read from its header only, never decoded."""
    Image.MAX_IMAGE_PIXELS = None  # the size is judged here, in words, not by a library's exception
    try:
        with Image.open(image) as picture:
            for index in range(getattr(picture, "n_frames", 1)):
                picture.seek(index)
                width, height = picture.size
                if width * height > SCAN_PIXELS:
                    return f"{width} × {height}"
    except (OSError, ValueError, EOFError):
        return None  # unreadable: the conversion says so
    return None


def _check_piece_file(path: str, relative: str, year_dir: Path, convention_dir: Path, err) -> None:
    """A piece must be a readable, unencrypted PDF, or a scan, inside the convention's folder."""
    candidate = (year_dir / relative).resolve()
    if not candidate.is_relative_to(convention_dir.resolve()):
        err(path, f"« {relative} » sort du dossier des données : placez la pièce dans {year_dir.name}/pieces/")
        return
    if not candidate.is_file():
        err(path, f"fichier introuvable : {relative} — vérifiez le nom ou déposez le PDF dans {year_dir.name}/pieces/")
        return
    try:
        with candidate.open("rb") as handle:
            head = handle.read(1024)
    except OSError as exc:
        err(path, f"{relative} est illisible ({exc.strerror})")
        return
    if candidate.suffix.lower() in (".docx", ".odt"):
        if not head.startswith(b"PK\x03\x04"):
            err(path, f"{relative} n'est pas un document {candidate.suffix[1:].upper()} lisible : enregistrez-le à nouveau")
        return
    if candidate.suffix.lower() in SCANS:
        if not any(head.startswith(magic) for magic in SCANS[candidate.suffix.lower()]):
            err(path, f"{relative} n'est pas une image {candidate.suffix[1:].upper()} lisible : numérisez la pièce à nouveau")
        elif (size := scan_too_large(candidate)) is not None:
            err(
                path,
                f"{relative} : image de {size} pixels, plus qu'une page numérisée n'en a "
                f"({SCAN_PIXELS // 1_000_000} millions au plus, une page A3 en 600 dpi) — numérisez-la à nouveau "
                "en 300 dpi",
            )
        return
    if PDF_MAGIC not in head:
        err(path, f"{relative} n'est pas un PDF : exportez la pièce en PDF (ou numérisez-la en JPEG, PNG ou TIFF)")
        return

    try:
        reader = PdfReader(candidate)
        if reader.is_encrypted:
            err(path, f"{relative} est protégé par un mot de passe : fournissez une version non chiffrée")
            return
        if len(reader.pages) == 0:
            err(path, f"{relative} ne contient aucune page")
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        err(path, f"{relative} est un PDF abîmé ou illisible ({exc.__class__.__name__}) : demandez un nouvel export de la pièce")
