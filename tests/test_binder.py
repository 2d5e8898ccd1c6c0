"""The generic YAML binder, alone: types, every problem at once with its line, no domain words."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

import pytest

from pipeline.binder import Described, Problems, bind, described, doc
from pipeline.yamlsource import load_yaml


@dataclass(frozen=True, kw_only=True)
class Item:
    name: str = doc("a name")
    count: int | None = doc("how many", None)


@dataclass(frozen=True, kw_only=True)
class Record:
    title: str = doc("the title")
    day: dt.date = doc("the day")
    amount: Decimal = doc("the amount")
    kind: Literal["a", "b"] = doc("a or b")
    done: bool = doc("yes or no", False)
    items: list[Item] = doc("the items", factory=list)


def bound(tmp_path, text):
    path = tmp_path / "data.yaml"
    path.write_text(text, encoding="utf-8")
    raw = load_yaml(path, "data.yaml")
    problems = Problems("data.yaml")
    return bind(Record, raw, "", raw.line, problems), problems.items


def test_good_data_is_typed(tmp_path):
    record, problems = bound(
        tmp_path, "title: T\nday: 2024-02-29\namount: 12345.67\nkind: b\ndone: oui\nitems:\n  - name: x\n    count: 3\n"
    )
    assert problems == []
    assert record == Record(
        title="T", day=dt.date(2024, 2, 29), amount=Decimal("12345.67"), kind="b", done=True, items=[Item(name="x", count=3)]
    )


def test_every_problem_at_once_with_its_line(tmp_path):
    record, problems = bound(
        tmp_path, "titel: T\nday: 2023-02-30\namount: 1.234\nkind: c\nitems:\n  - name: x\n    count: -2\n  - count: 1\n"
    )
    assert record is None
    assert problems == [
        "data.yaml:1: titel: clé inconnue — vouliez-vous dire « title » ?",
        "data.yaml:1: title: clé obligatoire absente : ajoutez « title: » (the title)",
        "data.yaml:2: day: la date 2023-02-30 n'existe pas dans le calendrier",
        "data.yaml:3: amount: un montant a au plus deux décimales, pas « 1.234 »",
        "data.yaml:4: kind: « c » n'est pas permis : choisissez a ou b",
        "data.yaml:7: items[1].count: le nombre ne peut pas être négatif (-2)",
        "data.yaml:8: items[2].name: clé obligatoire absente : ajoutez « name: » (a name)",
    ]


def test_a_computed_form_is_read_only_and_described():
    @dataclass(frozen=True)
    class Record:
        first: str = doc("first part")
        second: str = doc("second part")

        @described("both parts, with a space")
        def both(self) -> str:
            return f"{self.first} {self.second}"

    record = Record("a", "b")
    assert record.both == "a b"
    member = vars(Record)["both"]
    assert isinstance(member, Described) and member.description == "both parts, with a space"
    with pytest.raises(AttributeError):
        record.both = "c"
