"""The names a template may write, and the way to the right one when it writes another.

A close spelling is often the wrong advice: « actions » is not a misspelt « association » but
``bilan.actions``, and an old template's ``montant_appele`` is not ``montant_recu``. So a wrong
name is looked up, in this order, in the table of names renamed since earlier templates, then
deeper in the context (a name that exists under a record), and only then by spelling.
"""
from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any

from pipeline.french import suggestion

# names of templates written for earlier versions → what to write now
RENAMED = {
    "montant_appele": "appel.montant (dans le bilan : bilan.finances.montant_appele)",
    "copil_sigle": "instances.copil.sigle",
    "cotech_sigle": "instances.cotech.sigle",
    "copil_nom": "instances.copil.nom",
    "cotech_nom": "instances.cotech.nom",
    "copresidents": "signataires (signataires.metropole, signataires.association ; « organisme » y devient « pour »)",
    "destinataire.appellation_adresse": "destinataire.adresse",
    "finances.reste": "bilan.finances.en_attente",
    "bilan.finances.reste": "bilan.finances.en_attente",
    "copil.ordre_du_jour": "ordre_du_jour (calculé ; chaque point : numero, sujet, titre)",
}
DICT_METHODS = {"items", "keys", "values", "get"}


@dataclasses.dataclass
class Names:
    """The dotted names that exist (``known``) and those below which every name is known
    (``closed``: a record's fields, a table's keys), where a missing name is a mistake."""

    known: set[str]
    closed: set[str]

    def missing(self, path: str) -> str | None:
        """The first part of ``path`` that cannot exist, or None when it may."""
        parts = path.split(".")
        for i in range(1, len(parts) + 1):
            head, parent = ".".join(parts[:i]), ".".join(parts[:i - 1])
            if head in self.known:
                continue
            if i == 1 or parent in self.closed:
                return head
            return None  # below a text, a date, a list: its own methods, not ours to judge
        return None

    def hint(self, path: str) -> str:
        """What to write instead of ``path``: its new name, its full path, or a close spelling."""
        if path in RENAMED:
            return f"ce nom a changé : écrivez « {RENAMED[path]} »"
        last = path.rsplit(".", 1)[-1]
        if "." not in path and last in RENAMED:
            return f"ce nom a changé : écrivez « {RENAMED[last]} »"
        deeper = sorted((p for p in self.known if p.endswith(f".{last}") and p != path),
                        key=lambda p: (p.count("."), p))[:3]
        if deeper:
            return f"écrivez le chemin complet : {' ou '.join(f'« {p} »' for p in deeper)}"
        siblings = [p for p in self.known if _parent(p) == _parent(path)]
        return suggestion(path, sorted(siblings), "voir « python -m pipeline variables »")


def names(context_class: type, contexts: list[Any]) -> Names:
    """The names of ``context_class``'s fields, through its records' types (an empty bilan still
    has its fields) and its tables' keys as ``contexts`` fill them (every dossier's)."""
    found = Names(set(), set())
    _walk("", context_class, contexts, found, depth=0)
    return found


def _walk(prefix: str, tp: Any, values: list[Any], found: Names, depth: int) -> None:
    tp = _plain(tp)
    values = [v for v in values if v is not None]
    if prefix:
        found.known.add(prefix)
    if depth > 4:
        return
    if dataclasses.is_dataclass(tp):
        found.closed.add(prefix)
        hints = typing.get_type_hints(tp)
        for field in dataclasses.fields(tp):
            _walk(_join(prefix, field.name), hints[field.name], [getattr(v, field.name) for v in values],
                  found, depth + 1)
        for attr, member in vars(tp).items():
            if not attr.startswith("_") and (isinstance(member, property) or callable(member)):
                found.known.add(_join(prefix, attr))
    elif tp is dict or typing.get_origin(tp) is dict or any(isinstance(v, dict) for v in values):
        tables = [v for v in values if isinstance(v, dict)]
        if not tables:
            return
        found.closed.add(prefix)
        found.known.update(_join(prefix, m) for m in DICT_METHODS)
        args = typing.get_args(tp)
        for key in dict.fromkeys(k for t in tables for k in t):
            subs = [t[key] for t in tables if key in t]
            item = args[1] if len(args) == 2 and dataclasses.is_dataclass(_plain(args[1])) else \
                type(next((s for s in subs if s is not None), None))
            _walk(_join(prefix, str(key)), item, subs, found, depth + 1)


def _plain(tp: Any) -> Any:
    """``Bilan | None`` → ``Bilan``: an empty record still has its fields."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return args[0] if len(args) == 1 else tp
    return tp


def _parent(path: str) -> str:
    return path.rsplit(".", 1)[0] if "." in path else ""


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name
