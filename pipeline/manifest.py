"""What a dossier was built from: every input, template and output with its SHA-256.

``outputs/<YEAR>/manifest.json`` lets anyone prove what a dossier was made of, and lets
a rebuild with nothing changed stop at once (this module imports nothing heavy).
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pipeline import __version__
from pipeline.convention import cycle

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
    from pipeline.places import templates_used

    files += templates_used(convention_dir, templates)
    return files


def year_folders(convention_dir: Path, year: int) -> list[Path]:
    """The year folders a dossier is made from, in order: every year its build reads
    (``cycle.years_read``), the ones it only glances at included."""
    return _year_folders(convention_dir, year, cycle.peek_period(convention_dir))


def _year_folders(convention_dir: Path, year: int, period: list[int]) -> list[Path]:
    years = cycle.years_read(year, period, with_next=True) if period else [year]
    return [convention_dir / str(y) for y in sorted(years) if (convention_dir / str(y)).is_dir()]


def _entries(paths: list[Path], base: Path) -> list[dict]:
    out = []
    for path in paths:
        try:
            shown = str(path.resolve().relative_to(base.resolve()))
        except ValueError:
            shown = str(path)
        out.append({"path": shown, "sha256": sha256(path)})
    return out


def signed_entries(convention_dir: Path, names: list[str]) -> list[dict]:
    """The signed originals a build looked for in ``signes/``, found or not: one that comes
    back, is replaced or is taken away makes the dossier stale."""
    from pipeline.places import signed_folder

    folder = signed_folder(convention_dir)
    return [{"path": f"{folder.name}/{name}", "sha256": sha256(folder / name) if (folder / name).is_file() else None}
            for name in sorted(names)]


def build_key(convention_dir: Path, year: int, templates: Path, *, final: bool, signed: list[str] = ()) -> str:
    entries = _entries(input_files(convention_dir, year, templates), Path.cwd()) + signed_entries(convention_dir, list(signed))
    return _key(entries, year, final=final)


def _key(entries: list[dict], year: int, *, final: bool) -> str:
    digest = hashlib.sha256(f"{__version__}|{year}|final={final}".encode())
    for entry in entries:
        digest.update(f"{entry['path']}={entry['sha256']}\n".encode())
    return digest.hexdigest()


def write(folder: Path, convention_dir: Path, year: int, templates: Path, *, final: bool, signed: list[str] = ()) -> None:
    """Write the manifest of a finished build (no timestamp: it is reproducible too);
    ``signed``: the names of the signed originals the dossier looked for."""
    outputs = sorted(p for p in folder.iterdir() if p.is_file() and p.name != NAME)
    originals = signed_entries(convention_dir, list(signed))
    entries = _entries(input_files(convention_dir, year, templates), Path.cwd())  # hashed once for both uses
    data = {
        "pipeline": __version__,
        "year": year,
        "final": final,
        "build_key": _key(entries + originals, year, final=final),
        "inputs": entries,
        "signes": originals,
        "outputs": [{"path": p.name, "sha256": sha256(p)} for p in outputs],
    }
    (folder / NAME).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def up_to_date(outputs: Path, convention_dir: Path, year: int, templates: Path, *, final: bool) -> bool:
    """True when outputs/<YEAR>/ was built from exactly these inputs and is untouched."""
    path = outputs / str(year) / NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        signed = [entry["path"].split("/", 1)[1] for entry in data.get("signes", [])]
        if data.get("build_key") != build_key(convention_dir, year, templates, final=final, signed=signed):
            return False
        return all(sha256(outputs / str(year) / o["path"]) == o["sha256"] for o in data["outputs"])
    except (OSError, ValueError, KeyError, TypeError):
        return False


def what_changed(outputs: Path, convention_dir: Path, year: int, templates: Path) -> list[str]:
    """Why outputs/<YEAR>/ is not up to date, in staff's words: the inputs, templates or signed
    originals changed since, or the published files themselves, or the software."""
    path = outputs / str(year) / NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ["jamais construit"]
    said = []
    if data.get("pipeline") != __version__:
        said.append(f"nouvelle version du logiciel ({data.get('pipeline')} → {__version__})")
    def short(path: str) -> str:  # as it reads within the convention's folder, wherever it was built from
        return path.split(f"{Path(convention_dir).resolve().name}/", 1)[-1]

    before = {short(e["path"]): e["sha256"] for e in data.get("inputs", []) + data.get("signes", [])}
    now = {short(e["path"]): e["sha256"] for e in _entries(input_files(convention_dir, year, templates), Path.cwd())
           + signed_entries(convention_dir, [e["path"].split("/", 1)[1] for e in data.get("signes", [])])}
    said += [f"{name} modifié" if name in before and name in now else f"{name} {'ajouté' if name in now else 'retiré'}"
             for name in sorted(set(before) | set(now)) if before.get(name) != now.get(name)]
    for output in data.get("outputs", []):
        try:
            if sha256(outputs / str(year) / output["path"]) != output["sha256"]:
                said.append(f"{output['path']} modifié après la construction")
        except OSError:
            said.append(f"{output['path']} absent")
    return said
