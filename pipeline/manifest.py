"""What a dossier was built from: every input, template and output with its SHA-256.

``outputs/<YEAR>/manifest.json`` lets anyone prove what a dossier was made of, and lets
a rebuild with nothing changed stop at once (this module imports nothing heavy).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence, TypedDict

from pipeline import __version__
from pipeline.convention import cycle
from pipeline.places import signed_folder, templates_used

NAME = "manifest.json"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def input_files(convention_dir: Path, year: int, templates: Path) -> list[Path]:
    """The files a year's build reads: convention.yaml, the folders of the years it prints (their
    data, sheets and pieces), the year.yaml of the years it only glances at (the next one's
    meetings, the first one's call), the pieces named outside, the templates."""
    files = [convention_dir / "convention.yaml"]
    period = cycle.peek_period(convention_dir)  # empty when convention.yaml is unreadable: the real load reports it
    printed = set(cycle.years_read(year, period)) if period else {year}
    for folder in _year_folders(convention_dir, year, period):
        if int(folder.name) in printed:  # its data, its actions sheet, its pieces
            files += sorted(p for p in folder.rglob("*") if p.is_file())
        elif (folder / "year.yaml").is_file():  # a year only glanced at: its year.yaml alone is read
            files.append(folder / "year.yaml")
    year_dir = convention_dir / str(year)
    listed = {f.resolve() for f in files}
    pieces = (cycle.peek(year_dir / "year.yaml") or {}).get("pieces")  # unreadable: the real load reports it
    try:
        for piece in pieces if isinstance(pieces, list) else []:
            if isinstance(piece, dict) and isinstance(piece.get("fichier"), str):
                candidate = (year_dir / piece["fichier"]).resolve()
                if candidate.is_file() and candidate not in listed:  # a piece outside the year's folder
                    files.append(candidate)
                    listed.add(candidate)
    except OSError:
        pass  # the real load reports it

    files += templates_used(convention_dir, templates)
    return files


def year_folders(convention_dir: Path, year: int) -> list[Path]:
    """The year folders a dossier is made from, in order: every year its build reads
    (``cycle.years_read``), the ones it only glances at included."""
    return _year_folders(convention_dir, year, cycle.peek_period(convention_dir))


def _year_folders(convention_dir: Path, year: int, period: list[int]) -> list[Path]:
    years = cycle.years_read(year, period, with_next=True) if period else [year]
    return [convention_dir / str(y) for y in sorted(years) if (convention_dir / str(y)).is_dir()]


class Entry(TypedDict):
    """One file the manifest records: its path as shown and its digest (None: unreadable, or a
    signed original absent)."""

    path: str
    sha256: str | None


# a manifest as read back from its JSON: whatever the file holds, checked by ``published``
Published = dict[str, Any]


def _entries(paths: list[Path], base: Path) -> list[Entry]:
    out: list[Entry] = []
    for path in paths:
        try:
            shown = str(path.resolve().relative_to(base.resolve()))
        except ValueError:
            shown = str(path)
        try:
            digest = sha256(path)
        except OSError:  # unreadable: the load says so with its name; recorded as such, never « à jour »
            digest = None
        out.append({"path": shown, "sha256": digest})
    return out


def _signes(convention_dir: Path, digests: dict[str, str | None]) -> list[Entry]:
    folder = signed_folder(convention_dir).name
    return [{"path": f"{folder}/{name}", "sha256": digests[name]} for name in sorted(digests)]


def _on_disk(convention_dir: Path, names: list[str]) -> dict[str, str | None]:
    """The digest of each signed original named, as it is in ``signes/`` now (None: absent)."""
    folder = signed_folder(convention_dir)
    return {name: sha256(folder / name) if (folder / name).is_file() else None for name in names}


@dataclass(frozen=True)
class Manifest:
    """What one year's build was made from, taken once when the build starts: every input's
    digest (data, sheets, pieces, templates) and, once the build has read them, the digest of
    the very bytes of each signed original it read. Nothing is hashed again at publication: an
    input saved during the build keeps the digest the build started from, so the next build sees
    the change and rebuilds."""

    convention_dir: Path
    year: int
    final: bool
    inputs: tuple[Entry, ...]
    signes: tuple[Entry, ...]

    @classmethod
    def taken(cls, convention_dir: Path, year: int, templates: Path, *, final: bool, signed: Sequence[str] = ()) -> Manifest:
        """Every input of the year hashed once; ``signed``: the signed originals looked for."""
        return cls(
            convention_dir,
            year,
            final,
            tuple(_entries(input_files(convention_dir, year, templates), Path.cwd())),
            tuple(_signes(convention_dir, _on_disk(convention_dir, list(signed)))),
        )

    def with_signed(self, read: dict[str, bytes | None]) -> Manifest:
        """The signed originals as the build read them: the digest of the bytes it enclosed and
        checked (None: none was there), never the file as it is at publication."""
        digests = {name: hashlib.sha256(data).hexdigest() if data is not None else None for name, data in read.items()}
        return dataclasses.replace(self, signes=tuple(_signes(self.convention_dir, digests)))

    @property
    def key(self) -> str:
        return _key(list(self.inputs + self.signes), self.year, final=self.final)

    def differs_from(self, folder: Path) -> list[str]:
        """Why the dossier published in ``folder`` is not what this build would make, in staff's
        words; empty when it is, files untouched since."""
        data = published(folder)
        if data is None:
            return ["jamais construit"]
        if data is DAMAGED:
            return [f"{NAME} abîmé : la construction le refait"]
        if data.get("build_key") == self.key:
            return _outputs_changed(folder, data)
        said = []
        if data.get("pipeline") != __version__:
            said.append(f"nouvelle version du logiciel ({data.get('pipeline')} → {__version__})")
        if data.get("final") != self.final:
            said.append("construit en version définitive" if data.get("final") else "construit en version de travail")

        def short(path: str) -> str:  # as it reads within the convention's folder, wherever it was built from
            return path.split(f"{Path(self.convention_dir).resolve().name}/", 1)[-1]

        before = {short(e["path"]): e["sha256"] for e in _list(data, "inputs") + _list(data, "signes")}
        now = {short(e["path"]): e["sha256"] for e in self.inputs + self.signes}
        said += [
            f"{name} modifié" if name in before and name in now else f"{name} {'ajouté' if name in now else 'retiré'}"
            for name in sorted(set(before) | set(now))
            if before.get(name) != now.get(name)
        ]
        return (said or ["construit autrement"]) + _outputs_changed(folder, data)

    def write(self, folder: Path) -> None:
        """Write the manifest of a finished build into ``folder`` with its outputs' digests (no
        timestamp: it is reproducible too)."""
        outputs = sorted(p for p in folder.iterdir() if p.is_file() and p.name != NAME)
        data = {
            "pipeline": __version__,
            "year": self.year,
            "final": self.final,
            "build_key": self.key,
            "inputs": list(self.inputs),
            "signes": list(self.signes),
            "outputs": [{"path": p.name, "sha256": sha256(p)} for p in outputs],
        }
        (folder / NAME).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


DAMAGED: Published = {}  # the answer of ``published`` for a manifest that is there but cannot be the one written


def published(folder: Path) -> Published | None:
    """The manifest a build left in ``folder``: None when there is none; ``DAMAGED`` when it is
    not what a build writes (not JSON, not an object, entries of the wrong kind): the build then
    makes the year again, never stays blocked on it."""
    try:
        data = json.loads((folder / NAME).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return DAMAGED
    if not isinstance(data, dict) or not all(
        isinstance(e, dict) and isinstance(e.get("path"), str)
        for key in ("inputs", "signes", "outputs")
        for e in _list(data, key)
    ):
        return DAMAGED
    return data


def _list(data: Published, key: str) -> list[Any]:
    value = data.get(key, [])
    return value if isinstance(value, list) else [None]


def _outputs_changed(folder: Path, data: Published) -> list[str]:
    said = []
    for output in _list(data, "outputs"):
        try:
            if sha256(folder / output["path"]) != output.get("sha256"):
                said.append(f"{output['path']} modifié après la construction")
        except OSError:
            said.append(f"{output['path']} absent")
    return said


def looked_for(folder: Path) -> list[str]:
    """The signed originals the published build looked for in ``signes/`` (their names)."""
    data = published(folder)
    if not data:
        return []
    return [e["path"].split("/", 1)[-1] for e in _list(data, "signes")]


def _key(entries: list[Entry], year: int, *, final: bool) -> str:
    digest = hashlib.sha256(f"{__version__}|{year}|final={final}".encode())
    for entry in entries:
        digest.update(f"{entry['path']}={entry['sha256']}\n".encode())
    return digest.hexdigest()


def write(folder: Path, convention_dir: Path, year: int, templates: Path, *, final: bool, signed: Sequence[str] = ()) -> None:
    """The manifest of a build made from the inputs as they are now (for a folder published by hand)."""
    Manifest.taken(convention_dir, year, templates, final=final, signed=signed).write(folder)


def up_to_date(outputs: Path, convention_dir: Path, year: int, templates: Path, *, final: bool) -> bool:
    """True when outputs/<YEAR>/ was built from exactly these inputs and is untouched."""
    folder = outputs / str(year)
    return not Manifest.taken(convention_dir, year, templates, final=final, signed=looked_for(folder)).differs_from(folder)


def what_changed(outputs: Path, convention_dir: Path, year: int, templates: Path) -> list[str]:
    """Why outputs/<YEAR>/ is not up to date, in staff's words: the inputs, templates or signed
    originals changed since, or the published files themselves, or the software."""
    folder = outputs / str(year)
    data = published(folder)
    final = bool(data.get("final")) if data else False
    return Manifest.taken(convention_dir, year, templates, final=final, signed=looked_for(folder)).differs_from(folder)
