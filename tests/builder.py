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
import datetime as dt
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
    years = {
        int(folder.name): _plain(yamlsource.load_yaml(folder / "year.yaml", "year.yaml"))
        for folder in sorted(INPUTS.iterdir())
        if (folder / "year.yaml").is_file()
    }
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
_Dumper.add_representer(dt.date, lambda dumper, day: dumper.represent_str(day.isoformat()))
# a date is text to the engine's reader: written as staff write it (2023-03-28), not quoted
_Dumper.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeDumper.yaml_implicit_resolvers.items()
}


def dump(data: dict) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1000)


class Sample:
    """The shipped convention with a test's changes, held in memory until ``write``."""

    def __init__(self, conv: dict, years: dict[int, dict], changed: set):
        self.conv, self.years, self.changed = conv, years, changed
        self.real_pieces: set[int] = set()

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

    def everywhere(self, year: int | None, old: Any, new: Any) -> Sample:
        """Every value ``old`` of year.yaml of ``year`` (None: convention.yaml) becomes ``new``: a
        date moved with the list of meetings that repeats it."""

        def swap(value):
            if isinstance(value, dict):
                return {key: swap(item) for key, item in value.items()}
            if isinstance(value, list):
                return [swap(item) for item in value]
            return new if value == old and type(value) is type(old) else value

        if year is None:
            self.conv = swap(self.conv)
        else:
            self.years[year] = swap(self.years[year])
        self.changed.add(year)
        return self

    def final(self, years=(2022, 2023), *, listed: bool = False) -> Sample:
        """The convention's blanks filled and the given years' data made real (no example value,
        no specimen; their pieces replaced at ``write`` by documents that say nothing of the
        kind), as staff do before a final version; ``listed``: but the values listed under
        ``a_remplacer`` left as they are."""

        def real(value):
            if isinstance(value, dict):
                return {key: real(item) for key, item in value.items() if listed or key != "a_remplacer"}
            if isinstance(value, list):
                return [real(item) for item in value]
            if isinstance(value, str):
                value = value.replace("EXEMPLE", "MARTIN").replace("Exemple", "Martin").replace("exemple", "martin")
                return value if listed else value.replace("04 00 00 00 00", "04 88 77 31 52")
            return value

        self.conv = real(self.conv)
        merged(
            self.conv,
            {"convention": {"date_signature": "2022-02-28", "deliberation": {"numero": "22-0456", "date": "2022-02-17"}}},
        )
        self.changed.add(None)
        for year in years:
            data = real(self.years[year])
            data["donnees_exemple"] = False
            crf = data.get("crf") if isinstance(data.get("crf"), dict) else {}
            for piece in [*(data.get("pieces") or []), *(crf.get("pieces") or [])]:  # the call's and the CRF's
                piece.pop("specimen", None)
            self.years[year] = data
            self.changed.add(year)
            self.real_pieces.add(year)
        return self

    def write(self, folder: Path) -> Path:
        """The convention's folder at ``folder``: a copy of the example's (pieces, spreadsheets,
        templates) unless one is there already, then the changed files (a file already as the
        sample says, a piece already real, are left as they are). Returns ``folder``."""
        folder = Path(folder)
        if not (folder / "convention.yaml").is_file():
            shutil.copytree(INPUTS, folder, dirs_exist_ok=True)
        for year in self.changed:
            path = folder / "convention.yaml" if year is None else folder / str(year) / "year.yaml"
            text = dump(self.conv if year is None else self.years[year])
            if not path.is_file() or path.read_text(encoding="utf-8") != text:  # a file left as it was stays
                path.write_text(text, encoding="utf-8")
        for year in self.real_pieces:
            for piece in (folder / str(year) / "pieces").glob("*.pdf"):
                shipped = INPUTS / str(year) / "pieces" / piece.name
                if shipped.is_file() and piece.read_bytes() == shipped.read_bytes():  # a specimen still
                    _real_piece(piece, year)
        return folder


def _real_piece(path: Path, year: int) -> None:
    """A piece that says nothing of a specimen: as the association provides it."""
    from reportlab.pdfgen import canvas

    page = canvas.Canvas(str(path))
    page.drawString(72, 770, f"{path.stem} {year} — pièce fournie par l'association")
    page.save()


def convention(**changes) -> Sample:
    """The shipped convention, with ``changes`` to its convention.yaml (see ``Sample.year``)."""
    conv, years = _example()
    sample = Sample(copy.deepcopy(conv), copy.deepcopy(years), set())
    return sample.convention(**changes) if changes else sample
