"""YAML bound to typed dataclasses, every problem reported at once as
``file:line: key.path: what is wrong — what to do``: missing, unknown (with the closest name)
and mistyped keys, impossible dates, amounts with too many decimals.

Generic: it knows types (text, integer, amount, date, time of day, yes/no, list, record,
choice), not the convention. A value is what the file wrote (``yamlsource`` reads YAML 1.2's
way): a number given to a text field keeps its spelling (« 010 », « 00012345600001 »), a
number field takes decimal figures only (« 1:30 » is refused, not read as 90). Field
descriptions written with ``doc()`` feed both the messages and the ``variables`` reference
staff read.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
import types
import typing
from dataclasses import field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Callable, Generic, Literal, TypeVar, overload

from pipeline.french import Heure, suggestion

# beyond these, a value is a slip (a date in the wrong field, « 1e308 »): said, never computed with
MOST_EUROS = 1_000_000_000
MOST_COUNT = 1_000_000


def doc(text: str, default: Any = dataclasses.MISSING, factory: Any = dataclasses.MISSING):
    """A dataclass field with a French description for staff."""
    if factory is not dataclasses.MISSING:
        return field(default_factory=factory, metadata={"doc": text})
    return field(default=default, metadata={"doc": text})


T = TypeVar("T")


class Described(property, Generic[T]):
    """A property with a French description for staff (see ``described``)."""

    description = ""

    if TYPE_CHECKING:  # read on a record, the value computed; on its class, the property itself

        @overload
        def __get__(self, instance: None, owner: type | None = None, /) -> Described[T]: ...
        @overload
        def __get__(self, instance: object, owner: type | None = None, /) -> T: ...
        def __get__(self, instance: object, owner: type | None = None, /) -> T | Described[T]: ...


def described(text: str) -> Callable[[Callable[[Any], T]], Described[T]]:
    """Decorator: a form computed from a record's fields (« Madame la Présidente »), read-only,
    described for staff like a field is with ``doc()``."""

    def wrap(compute: Callable[[Any], T]) -> Described[T]:
        prop: Described[T] = Described(compute)
        prop.description = text
        return prop

    return wrap


class Problems:
    """Collects problems as 'file:line: key.path: message' lines."""

    def __init__(self, display: str):
        self.display = display
        self.items: list[str] = []

    def add(self, line: int | None, path: str, message: str) -> None:
        where = f"{self.display}:{line}" if line else self.display
        self.items.append(f"{where}: {path}: {message}" if path else f"{where}: {message}")


def _describe(tp) -> str:
    origin = typing.get_origin(tp)
    if tp is str:
        return "un texte"
    if tp is int:
        return "un nombre entier"
    if tp is Decimal:
        return "un montant (ex. 20000.00)"
    if tp is dt.date:
        return "une date AAAA-MM-JJ"
    if tp is bool:
        return "oui/non (true/false)"
    if tp is Heure:
        return "une heure (ex. 14 h 30)"
    if origin is list:
        return "une liste"
    if dataclasses.is_dataclass(tp):
        return "une rubrique avec des sous-clés"
    if origin is Literal:
        return " ou ".join(typing.get_args(tp))
    return str(tp)


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _convert(tp, value, path: str, line: int | None, problems: Problems):
    """Turn one YAML value into the declared type, or record why it cannot be."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if value is None:
            return None
        return _convert(args[0], value, path, line, problems)
    if value is None:
        problems.add(line, path, f"valeur manquante : il faut {_describe(tp)}")
        return None
    if dataclasses.is_dataclass(tp):
        return bind(tp, value, path, line, problems)
    if origin is list:
        (item_tp,) = typing.get_args(tp)
        if not isinstance(value, list):
            problems.add(line, path, f"il faut une liste (éléments précédés de « - »), pas « {value} »")
            return []
        lines = getattr(value, "lines", [line] * len(value))
        return [_convert(item_tp, item, f"{path}[{i + 1}]", lines[i], problems) for i, item in enumerate(value)]
    if origin is Literal:
        allowed = typing.get_args(tp)
        if value not in allowed:
            problems.add(line, path, f"« {_written(value)} » n'est pas permis : choisissez {' ou '.join(allowed)}")
        return value
    if tp is str:
        if isinstance(value, (dict, list)):
            problems.add(line, path, "il faut un texte, pas une liste ou une rubrique")
            return None
        if isinstance(value, bool):
            problems.add(line, path, "il faut un texte ; mettez-le entre guillemets")
            return None
        return str(_written(value))
    if tp is Heure:
        if isinstance(value, (bool, dict, list)):
            problems.add(line, path, "il faut une heure, écrite 14 h 30 (ou 14:30, 14h30)")
            return None
        try:
            return Heure.parse(value)
        except ValueError as exc:
            problems.add(line, path, str(exc))
            return None
    if tp is bool:
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in ("oui", "vrai", "yes", "on"):  # a yes/no field: « yes » can only mean yes here
            return True
        if word in ("non", "faux", "no", "off"):
            return False
        problems.add(line, path, f"il faut oui ou non, pas « {value} »")
        return None
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            problems.add(line, path, f"il faut un nombre entier, pas « {_written(value)} »")
            return None
        if value < 0:
            problems.add(line, path, f"le nombre ne peut pas être négatif ({_written(value)})")
            return None
        if value > MOST_COUNT:
            problems.add(line, path, f"{_written(value)} : nombre invraisemblable (au plus {MOST_COUNT}) — vérifiez la valeur")
            return None
        return int(value)
    if tp is Decimal:
        if isinstance(value, bool) or isinstance(value, (dict, list)):
            problems.add(line, path, f"il faut un montant en euros (ex. 20000.00), pas « {value} »")
            return None
        value = _written(value)
        text = str(value).replace("\u202f", "").replace("\u00a0", "").replace(" ", "").replace("€", "")
        if isinstance(value, str):
            text = text.replace(",", ".")
        try:
            amount = Decimal(text) if "_" not in text else None  # Python reads « 1_000 »; no one writes it
        except InvalidOperation:
            amount = None
        if amount is None:
            problems.add(line, path, f"il faut un montant en euros (ex. 20000.00), pas « {value} »")
            return None
        if not amount.is_finite() or amount < 0:
            problems.add(line, path, f"le montant doit être positif ou nul, pas « {value} »")
            return None
        if amount > MOST_EUROS:  # « 1e308 », 38 digits: a slip, and more than a decimal can round
            problems.add(
                line,
                path,
                f"« {value} » : montant invraisemblable (au plus {MOST_EUROS:,} €".replace(",", " ")
                + ") — écrivez le montant en euros, ex. 20000.00",
            )
            return None
        if amount != amount.quantize(Decimal("0.01")):
            problems.add(line, path, f"un montant a au plus deux décimales, pas « {value} »")
            return None
        return amount.quantize(Decimal("0.01"))
    if tp is dt.date:
        text = str(_written(value)).strip()
        if not _DATE.match(text):
            problems.add(line, path, f"il faut une date AAAA-MM-JJ (ex. 2023-03-15), pas « {value} »")
            return None
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            problems.add(line, path, f"la date {text} n'existe pas dans le calendrier")
            return None
    raise TypeError(f"type non pris en charge dans le modèle : {tp!r}")  # a bug, not bad data


def _written(value):
    """A number as the file wrote it (« 010 », « 20000.00 »), anything else as it is."""
    return getattr(value, "written", value)


@functools.cache
def _shape(cls) -> tuple[dict, dict]:
    """A record's field types and fields, read once per class: resolving the annotations was a
    quarter of loading a year (a record class never changes while the program runs)."""
    return typing.get_type_hints(cls), {f.name: f for f in dataclasses.fields(cls)}


def bind(cls, data, path: str, line: int | None, problems: Problems):
    """Build a dataclass from a mapping: missing, unknown and mistyped keys all reported."""
    if not isinstance(data, dict):
        problems.add(line, path, f"il faut une rubrique avec des sous-clés, pas « {data} »")
        return None
    hints, fields = _shape(cls)
    lines = getattr(data, "lines", {})
    own_line = getattr(data, "line", line)
    retired = getattr(cls, "retired_keys", {})
    for key in data:
        if key in retired:  # a key of earlier data files: a close spelling would be the wrong advice
            problems.add(lines.get(key, own_line), _join(path, key), f"clé retirée — {retired[key]}")
        elif key not in fields:
            hint = suggestion(key, fields, f"clés permises : {', '.join(fields)}")
            problems.add(lines.get(key, own_line), _join(path, key), f"clé inconnue — {hint}")
    values = {}
    for name, f in fields.items():
        key_path = _join(path, name)
        if name not in data:
            required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
            if required:
                problems.add(own_line, key_path, f"clé obligatoire absente : ajoutez « {name}: » ({f.metadata.get('doc', '')})")
            continue
        values[name] = _convert(hints[name], data[name], key_path, lines.get(name, own_line), problems)
    try:
        return cls(**values)
    except TypeError:
        return None  # a required key was missing: already reported


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
