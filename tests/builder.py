"""Conventions and years made in memory: a test says what differs from the shipped example, never
by replacing text in its YAML (a test tied to the example's exact lines breaks when a comment
moves, and says less plainly what it changes).

    root = convention(convention={"date_signature": "2022-04-05"}).year(2023, appel={"date": "2023-03-10"})
    root = root.write(tmp_path / "inputs" / CONV)

The example's files are read once (with the engine's own reader, numbers as written) and each
test works on its copy. A change is a nested dict merged into the example: a dict is merged key
by key, ``{1: {...}}`` changes item 1 of a list, ``DROP`` removes a key, a function gets the old
value and returns the new one; anything else replaces the value. Only the files a test changed
are written (dumped with yaml: no comments, other lines); the others stay the example's text.
A test about the YAML text itself (a typo, a tab, a comment, a message's line number) edits
the text instead.
"""
from __future__ import annotations

import copy
import functools
import shutil
from pathlib import Path
from typing import Any

import yaml

from helpers import INPUTS
from pipeline import yamlsource

DROP = object()  # a change that removes its key


def _plain(value: Any) -> Any:
    """The reader's mappings and lists as plain ones; numbers keep how they were written."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


@functools.cache
def _example() -> tuple[dict, dict[int, dict]]:
    """The shipped convention.yaml and every year.yaml, read once. Never mutated: copied per use."""
    conv = _plain(yamlsource.load_yaml(INPUTS / "convention.yaml", "convention.yaml"))
    years = {int(folder.name): _plain(yamlsource.load_yaml(folder / "year.yaml", "year.yaml"))
             for folder in sorted(INPUTS.iterdir()) if (folder / "year.yaml").is_file()}
    return conv, years


def merged(base: Any, change: Any) -> Any:
    """``base`` with ``change`` applied (see the module's docstring); ``base`` is changed in place."""
    if callable(change):
        return change(base)
    if isinstance(change, dict) and isinstance(base, list) and all(isinstance(k, int) for k in change):
        for index, item in change.items():
            base[index] = merged(base[index], item)
        return base
    if isinstance(change, dict) and isinstance(base, dict):
        for key, item in change.items():
            if item is DROP:
                base.pop(key, None)
            else:
                base[key] = merged(base.get(key), item)
        return base
    return change


class _Dumper(yaml.SafeDumper):
    """yaml's safe dumper, numbers written as the example wrote them (« 20000.00 », « 010 »)."""


def _written(tag: str):
    def represent(dumper, number):
        return dumper.represent_scalar(tag, number.written)
    return represent


_Dumper.add_representer(yamlsource.WrittenInt, _written("tag:yaml.org,2002:int"))
_Dumper.add_representer(yamlsource.WrittenFloat, _written("tag:yaml.org,2002:float"))


def dump(data: dict) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1000)


class Sample:
    """The shipped convention with a test's changes, held in memory until ``write``."""

    def __init__(self, conv: dict, years: dict[int, dict], changed: set):
        self.conv, self.years, self.changed = conv, years, changed

    def convention(self, **changes) -> Sample:
        """convention.yaml changed: ``convention(metropole={"nom": …})``."""
        merged(self.conv, changes)
        self.changed.add(None)
        return self

    def year(self, year: int, **changes) -> Sample:
        """year.yaml of ``year`` changed: ``year(2023, appel={"date": "2023-03-10"})``."""
        merged(self.years[year], changes)
        self.changed.add(year)
        return self

    def write(self, folder: Path) -> Path:
        """The convention's folder at ``folder``: a copy of the example's (pieces, spreadsheets,
        templates) unless one is there already, then the changed files. Returns ``folder``."""
        folder = Path(folder)
        if not (folder / "convention.yaml").is_file():
            shutil.copytree(INPUTS, folder, dirs_exist_ok=True)
        for year in self.changed:
            path = folder / "convention.yaml" if year is None else folder / str(year) / "year.yaml"
            path.write_text(dump(self.conv if year is None else self.years[year]), encoding="utf-8")
        return folder


def convention(**changes) -> Sample:
    """The shipped convention, with ``changes`` to its convention.yaml (see ``Sample.year``)."""
    conv, years = _example()
    sample = Sample(copy.deepcopy(conv), copy.deepcopy(years), set())
    return sample.convention(**changes) if changes else sample
