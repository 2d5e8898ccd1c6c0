"""The names a template may write, and the way to the right one when it writes another.

A close spelling is often the wrong advice: « actions » is not a misspelt « association » but
``bilan.actions``, an old template's ``montant_appele`` is not ``montant_recu``, and « comite »
is not « cloture ». So a wrong name is looked up, in this order, in the names of earlier
versions of the context (the template was written for one: it is said so, with today's name),
then in a glossary of the words a juriste would write (« comite », « president », « somme »…),
then deeper in the context (a name that exists under a record), and only then by spelling. A
committee is named by the convention's own sigle (« le CS »), never by the internal « copil ».
"""

from __future__ import annotations

import dataclasses
import types
import typing
import unicodedata
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
# names the first templates wrote at the top, which live under the bilan since a dossier holds
# the bilan of the year before (``git log -S`` on the context): today's path is found deeper
MOVED = {"actions", "chantiers", "chantiers_actifs", "finances", "modalites", "periode", "reunions", "rythme", "tableau"}
DICT_METHODS = {"items", "keys", "values", "get"}

# the words a juriste writes for what the context names otherwise, each with what it may mean:
# (what, paths); « {copil} » and « {cotech} » are the convention's sigles. Keys are plain: lower
# case, no accents, « _ » between words, singular.
_COMMITTEES = [
    ("pour le {copil}", ["instances.copil.nom", "instances.copil.sigle"]),
    ("pour le {cotech}", ["instances.cotech.nom", "instances.cotech.sigle"]),
    ("pour la réunion du {copil} de l'année", ["copil.date", "copil.lieu"]),
]
_CHAIR = [
    ("pour qui préside la séance", ["seance.president"]),
    ("pour qui signe le procès-verbal", ["signataires.metropole.titre", "signataires.association.titre"]),
    ("pour qui représente une partie", ["metropole.representant.qualite", "association.representant.qualite"]),
]
_MONEY = [("pour le montant appelé", ["appel.montant"]), ("pour la participation annuelle", ["convention.montant_annuel"])]
_BANK = [("pour le compte", ["banque.iban_groupes", "banque.bic", "banque.titulaire", "banque.domiciliation"])]
_ENCLOSED = [("pour ce que la lettre joint", ["pieces_article3", "autres_documents", "pieces_specimens", "pieces_jointes"])]
_PEOPLE = [("pour les membres", ["copil.presents", "copil.excuses"])]
GLOSSARY: dict[str, list[tuple[str, list[str]]]] = {
    "comite": _COMMITTEES,
    "instance": _COMMITTEES,
    "comite_pilotage": _COMMITTEES,
    "comite_de_pilotage": _COMMITTEES,
    "comite_technique": [("pour le {cotech}", ["instances.cotech.nom", "instances.cotech.sigle"])],
    "reunion": [
        ("pour la réunion du {copil} de l'année", ["copil.date", "copil.lieu"]),
        ("pour les réunions annoncées", ["copil.prochaines_reunions"]),
        ("pour celles de l'année du bilan", ["bilan.reunions"]),
    ],
    "pv": [("pour la réunion du {copil} de l'année", ["copil"])],
    "proces_verbal": [("pour la réunion du {copil} de l'année", ["copil"])],
    "president": _CHAIR,
    "presidente": _CHAIR,
    "presidence": _CHAIR,
    "copresident": _CHAIR,
    "copresidente": _CHAIR,
    "co_president": _CHAIR,
    "co_presidente": _CHAIR,
    "secretaire": [("pour qui tient le procès-verbal", ["seance.secretaire"])],
    "secretariat": [("pour qui tient le procès-verbal", ["seance.secretaire"])],
    "signataire": [("pour qui signe le procès-verbal", ["signataires.metropole", "signataires.association"])],
    "signature": [("pour qui signe le procès-verbal", ["signataires.metropole", "signataires.association"])],
    "membre": _PEOPLE,
    "participant": _PEOPLE,
    "present": _PEOPLE,
    "presence": _PEOPLE,
    "absent": [("pour les membres excusés", ["copil.excuses"])],
    "decision": [("pour le relevé de décisions", ["copil.decisions"])],
    "releve": [("pour le relevé de décisions", ["copil.decisions"])],
    "releve_decision": [("pour le relevé de décisions", ["copil.decisions"])],
    "agenda": [("pour l'ordre du jour", ["ordre_du_jour"])],
    "odj": [("pour l'ordre du jour", ["ordre_du_jour"])],
    "montant": _MONEY,
    "somme": _MONEY,
    "participation": _MONEY,
    "subvention": _MONEY,
    "contribution": _MONEY,
    "rib": _BANK,
    "iban": _BANK,
    "bic": _BANK,
    "compte": _BANK,
    "coordonnees_bancaire": _BANK,
    "piece_jointe": _ENCLOSED,
    "pj": _ENCLOSED,
    "annexe": _ENCLOSED,
    "document_joint": _ENCLOSED,
    "reference": [("pour la référence de la lettre", ["appel.reference", "transmission.reference"])],
    "ref": [("pour la référence de la lettre", ["appel.reference", "transmission.reference"])],
    "exercice": [("pour l'année du dossier", ["annee"]), ("pour celle du bilan", ["bilan.annee"])],
    "an": [("pour l'année du dossier", ["annee"]), ("pour celle du bilan", ["bilan.annee"])],
    "ville": [("pour le lieu de la lettre", ["appel.lieu"]), ("pour celui du {copil}", ["copil.lieu"])],
    "beneficiaire": [("pour l'association", ["association.nom", "association.designation"])],
    "deliberation": [("pour la délibération", ["convention.deliberation.numero", "convention.deliberation.date"])],
    "duree": [("pour la durée de la convention", ["convention.duree_lettres", "convention.periode"])],
}


@dataclasses.dataclass
class Names:
    """The dotted names that exist (``known``) and those below which every name is known
    (``closed``: a record's fields, a table's keys), where a missing name is a mistake;
    ``sigles``: each committee's sigle in the convention (« copil » → « CS »), for the hints;
    ``retired``: the data's retired keys under a record (« copil.ordre_du_jour ») and why."""

    known: set[str]
    closed: set[str]
    sigles: dict[str, str] = dataclasses.field(default_factory=dict)
    retired: dict[str, str] = dataclasses.field(default_factory=dict)

    def missing(self, path: str) -> str | None:
        """The first part of ``path`` that cannot exist, or None when it may."""
        parts = path.split(".")
        for i in range(1, len(parts) + 1):
            head, parent = ".".join(parts[:i]), ".".join(parts[: i - 1])
            if head in self.known:
                continue
            if i == 1 or parent in self.closed:
                return head
            return None  # below a text, a date, a list: its own methods, not ours to judge
        return None

    def hint(self, path: str) -> str:
        """What to write instead of ``path``: its name today for a template written for an earlier
        version, the convention's committee under its internal name, what a juriste's word
        means in the context, its full path, or a close spelling."""
        last = path.rsplit(".", 1)[-1]
        deeper = sorted((p for p in self.known if p.endswith(f".{last}") and p != path), key=lambda p: (p.count("."), p))[:3]
        older = RENAMED.get(path) or (RENAMED.get(last) if "." not in path else None)
        if older is not None or (path in MOVED and deeper):
            today = f"« {older} »" if older is not None else _either(deeper)
            return f"ce modèle est écrit pour une version antérieure : « {path} » s'écrit maintenant {today}"
        if path in self.retired:  # a key the data no longer have (year.yaml says why)
            return (
                f"ce modèle est écrit pour une version antérieure : « {path} » n'existe plus — "
                "voir « python -m pipeline variables »"
            )
        committee = self._committee(path)
        if committee:
            return committee
        meant = self._meaning(path)
        if meant:
            return meant
        if deeper:
            return f"écrivez le chemin complet : {_either(deeper)}"
        siblings = [p for p in self.known if _parent(p) == _parent(path)]
        return suggestion(path, sorted(siblings), "voir « python -m pipeline variables »")

    def committee(self, key: str) -> str:
        """How a message names a committee: the convention's sigle (« CS »), else its role."""
        return self.sigles.get(key) or {"copil": "comité de pilotage", "cotech": "comité technique"}.get(key, key)

    def _committee(self, path: str) -> str | None:
        """A committee written under the convention's sigle (« costrat.date », « instances.cst »):
        templates name every convention's committees « copil » and « cotech »."""
        by_sigle = {_plain_word(s): key for key, s in self.sigles.items() if _plain_word(s) not in ("copil", "cotech")}
        parts = path.split(".")
        renamed = [by_sigle.get(_plain_word(p), p) for p in parts]
        if renamed == parts:
            return None
        key = next(by_sigle[_plain_word(p)] for p in parts if _plain_word(p) in by_sigle)
        fixed = ".".join(renamed)
        if fixed in self.known or self.missing(fixed) is None:
            return (
                f"dans les modèles, le {self.committee(key)} s'appelle « {key} » quelle que soit la convention : "
                f"écrivez « {fixed} »"
            )
        return None

    def _meaning(self, path: str) -> str | None:
        """The context's names for what a French word (« comite », « president ») means."""
        word = _plain_word(path.rsplit(".", 1)[-1])
        entries = next(
            (GLOSSARY[k] for k in (word, word.rstrip("s"), word.removesuffix("es"), word.removesuffix("x")) if k in GLOSSARY),
            None,
        )
        if entries is None:
            return None
        said = []
        for what, paths in entries:
            there = [p for p in paths if p in self.known]
            if there:
                said.append(f"{_either(there)} {what.format(copil=self.committee('copil'), cotech=self.committee('cotech'))}")
        return ("écrivez " + ", ".join(said)) if said else None


def names(context_class: type, contexts: list[Any]) -> Names:
    """The names of ``context_class``'s fields, through its records' types (an empty bilan still
    has its fields) and its tables' keys as ``contexts`` fill them (every dossier's)."""
    found = Names(set(), set())
    _walk("", context_class, contexts, found, depth=0)
    for ctx in contexts:
        for key, instance in (getattr(ctx, "instances", None) or {}).items():
            if isinstance(instance, dict) and instance.get("sigle"):
                found.sigles.setdefault(key, instance["sigle"])
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
        for key, why in getattr(tp, "retired_keys", {}).items():
            found.retired[_join(prefix, key)] = why
        hints = typing.get_type_hints(tp)
        for field in dataclasses.fields(tp):
            _walk(_join(prefix, field.name), hints[field.name], [getattr(v, field.name) for v in values], found, depth + 1)
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
            item = (
                args[1]
                if len(args) == 2 and dataclasses.is_dataclass(_plain(args[1]))
                else type(next((s for s in subs if s is not None), None))
            )
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


def _either(paths: list[str]) -> str:
    return " ou ".join(f"« {p} »" for p in paths)


def _plain_word(name: str) -> str:
    """« Comité-Technique » → « comite_technique »: how the glossary and the sigles are looked up."""
    flat = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return "_".join(w for w in flat.replace("-", "_").replace(" ", "_").split("_") if w)
