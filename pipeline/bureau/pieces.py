"""A piece of article 3 dropped on its slot of a year's page: recognised by its content, checked
by the rules ``check`` and the build apply to pieces, stored in the year's ``pieces/`` (the file
it replaces kept in ``pieces/precedents/``), and the one line of ``year.yaml`` that names it
rewritten, the staff's comments and layout untouched.

The slots are article 3's (``catalogue.pieces_given``); the file's name is chosen here, from the
name the year already gives the piece (or its code), never from the browser's. When ``year.yaml``
is laid out in a way one line cannot be changed safely, nothing is written and the message says
which line to write.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline import files, places, publish, status
from pipeline.bureau import deposit
from pipeline.convention import catalogue, model, rules
from pipeline.errors import InputError, PipelineError
from pipeline.pdf import pieces as pdf_pieces
from pipeline.yamlsource import LineDict, LineList, load_yaml

FOLDER = "pieces"
KEPT = "precedents"  # <year>/pieces/precedents/: each replaced piece, under its name and the time it was replaced
ODT = b"application/vnd.oasis.opendocument.text"
KINDS = {
    ".pdf": "PDF",
    ".jpg": "image numérisée (JPEG)",
    ".png": "image numérisée (PNG)",
    ".tif": "image numérisée (TIFF)",
    ".docx": "document Word",
    ".odt": "document OpenDocument",
}


@dataclass(frozen=True)
class Slot:
    """One piece article 3 asks for, and what the year's ``year.yaml`` gives for it now."""

    code: str
    label: str  # what article 3 asks for, this year's words (« Les comptes de l'année 2022 »)
    made_by: str | None = None  # the engine's document standing for it (the bilan): no file to drop
    index: int | None = None  # its place in « pieces: » (1-based), None when the year gives nothing
    fichier: str | None = None
    titre: str | None = None
    note: str | None = None
    specimen: bool = False
    present: bool = False  # the file named exists (inside the convention's folder)


@dataclass
class Dropped:
    """What a drop did."""

    slot: Slot
    stored: str  # 2023/pieces/rib.png, as staff type it
    line: str  # year.yaml:34 : fichier: pieces/rib.png
    kept: str | None = None  # where the previous file went
    unchanged: bool = False
    stale: list[str] = field(default_factory=list)
    report: status.YearStatus | None = None

    @property
    def changed(self) -> str:
        if self.unchanged:
            return "ce fichier est déjà celui de la pièce : rien n'a changé"
        return f"{self.stored} rangé ; {self.line}" + (f" ; l'ancien fichier est gardé sous {self.kept}" if self.kept else "")


def _year_file(convention: Path, year: int):
    """The year's file as written (its lines known), bound to the schema but not judged by the
    rules: a year whose piece is missing still shows its slots, so that staff can drop it."""
    found = model.read_year(convention, year)
    if found.data is None:
        raise InputError(found.problems.items)
    return found


def slots(convention: Path, year: int) -> list[Slot]:
    """Article 3's pieces in its order, each with what the year gives for it now."""
    conv, _ = model.load_convention(convention)
    found = _year_file(convention, year)
    index = {id(p): i for i, p in enumerate(found.data.pieces, 1)}
    result = []
    for spec, piece in catalogue.pieces_given(conv, found.data.pieces):
        label = catalogue.piece_label(spec.libelle, year)
        if piece is None:
            result.append(Slot(spec.code, label, spec.document))
            continue
        present = False
        if piece.fichier:
            path = (found.folder / piece.fichier).resolve()
            present = path.is_file() and path.is_relative_to(convention.resolve())
        result.append(
            Slot(
                spec.code, label, spec.document, index[id(piece)], piece.fichier, piece.titre, piece.note, piece.specimen, present
            )
        )
    return result


def slot_for(convention: Path, year: int, code: str) -> Slot:
    found = next((s for s in slots(convention, year) if s.code == code), None)
    if found is None:
        raise InputError(f"l'article 3 ne demande aucune pièce de code « {code} »")
    return found


def current_file(convention: Path, year: int, slot: Slot) -> Path | None:
    """The file the year names for a piece, if it is there and inside the convention's folder."""
    if not slot.fichier:
        return None
    path = Path(convention) / str(year) / slot.fichier
    if not path.is_file() or not path.resolve().is_relative_to(Path(convention).resolve()):
        return None
    return path


def recognised(content: bytes) -> str | None:
    """The file's kind from its first bytes (never its name): « .pdf », « .jpg », « .png »,
    « .tif », « .docx », « .odt »; None for anything else (a program, an archive, a page)."""
    if content.startswith(rules.PDF_MAGIC):
        return ".pdf"
    for suffix in (".jpg", ".png", ".tif"):
        if any(content.startswith(magic) for magic in rules.SCANS[suffix]):
            return suffix
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = set(archive.namelist())
                if "word/document.xml" in names:
                    return ".docx"
                if (
                    "mimetype" in names
                    and archive.getinfo("mimetype").file_size < 100
                    and archive.read("mimetype").strip() == ODT
                ):
                    return ".odt"
        except (zipfile.BadZipFile, OSError, ValueError, KeyError):
            return None
    return None


def _target_name(slot: Slot, suffix: str) -> str:
    """The piece's file, relative to the year: the name the year gives it, with the new file's
    suffix, when it lies in its own pieces/ folder; else one made from its code."""
    current = slot.fichier or ""
    match = re.fullmatch(rf"{FOLDER}/([A-Za-z0-9][A-Za-z0-9._-]*)", current)
    stem = Path(match.group(1)).stem if match else slot.code.replace("_", "-")
    return f"{FOLDER}/{stem}{suffix}"


# ---------------------------------------------------------------------------------------------- year.yaml


def _scalar(line: str, key: str) -> re.Match | None:
    """« <indent>[- ]key: value  # comment » on one line, its parts kept."""
    return re.fullmatch(rf"(?P<lead>\s*(?:-\s+)?){key}:(?P<gap>\s*)(?P<value>[^#\s][^#]*?|)(?P<rest>\s+#.*|\s*)", line)


def _plain(value) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def edited_year(text: str, raw: LineDict, slot: Slot, name: str, real: bool) -> tuple[str, str]:
    """``year.yaml``'s text with the piece's « fichier: » saying ``name`` (and « specimen: true »
    made false when ``real``): the one line changed, or one line added to the piece; with the
    line as staff read it. InputError naming the line to write when the layout is unusual."""
    lines = text.splitlines(keepends=True)
    shown = f"{slot.code}"
    want = f"fichier: {name}"
    pieces = raw.get("pieces")
    item = pieces[slot.index - 1] if slot.index and isinstance(pieces, LineList) else None
    where: list[str] = []
    todo = f"« {want} »" + (
        ", « specimen: false »" if real and isinstance(item, LineDict) and item.get("specimen") is True else ""
    )
    at = f" (ligne {item.line})" if isinstance(item, LineDict) else ""
    rewrite = f"écrivez la pièce « {shown} »{at} une clé par ligne : « - code: {shown} », puis {todo}"
    if real and isinstance(item, LineDict) and item.get("specimen") is True:  # same count of lines: first
        number = item.lines["specimen"]
        match = _scalar(lines[number - 1].rstrip("\r\n"), "specimen")
        if match is None:
            raise _unusual(f"la ligne {number} (pièce « {shown} ») est écrite d'une façon que le bureau ne modifie pas", rewrite)
        end = lines[number - 1][len(lines[number - 1].rstrip("\r\n")) :]
        lines[number - 1] = f"{match['lead']}specimen:{match['gap'] or ' '}false{match['rest']}{end}"
        where.append(f"ligne {number} : « specimen: false »")
    if isinstance(item, LineDict) and "fichier" in item:
        number = item.lines["fichier"]
        match = _scalar(lines[number - 1].rstrip("\r\n"), "fichier")
        if match is None:
            raise _unusual(f"la ligne {number} (pièce « {shown} ») est écrite d'une façon que le bureau ne modifie pas", rewrite)
        end = lines[number - 1][len(lines[number - 1].rstrip("\r\n")) :]
        before = lines[number - 1]
        lines[number - 1] = f"{match['lead']}fichier:{match['gap'] or ' '}{name}{match['rest']}{end}"
        if lines[number - 1] != before:
            where.insert(0, f"ligne {number} : « {want} »")
    elif isinstance(item, LineDict) and "code" in item:
        number = item.lines["code"]
        match = _scalar(lines[number - 1].rstrip("\r\n"), "code")
        if match is None:
            raise _unusual(f"la pièce « {shown} » (ligne {number}) est écrite d'une façon que le bureau ne complète pas", rewrite)
        indent = " " * len(match["lead"])
        lines.insert(number, f"{indent}{want}\n")
        where.insert(0, f"ligne {number + 1} ajoutée : « {want} »")
    elif isinstance(pieces, LineList) and pieces and all(isinstance(p, LineDict) and "code" in p for p in pieces):
        last = pieces[-1]
        first_line = lines[last.lines["code"] - 1] if last.lines["code"] == pieces.lines[-1] else None
        match = _scalar(first_line.rstrip("\r\n"), "code") if first_line else None
        if match is None or "-" not in match["lead"]:
            raise _unusual(
                "la liste « pieces: » est écrite d'une façon que le bureau ne complète pas",
                f"ajoutez-y « - code: {slot.code} » puis, en dessous, « {want} »",
            )
        dash = match["lead"]
        depth = len(dash)
        after = max(last.lines.values())
        while (
            after < len(lines)
            and lines[after].strip()
            and not lines[after].lstrip().startswith("#")
            and len(lines[after]) - len(lines[after].lstrip()) >= depth
        ):
            after += 1  # the last piece's folded note, if it runs over several lines
        if after and not lines[after - 1].endswith("\n"):
            lines[after - 1] += "\n"
        lines[after:after] = [f"{dash}code: {slot.code}\n", f"{' ' * depth}{want}\n"]
        where.insert(0, f"lignes {after + 1} et {after + 2} ajoutées : « - code: {slot.code} », « {want} »")
    else:
        raise _unusual(
            "pas de liste « pieces: » que le bureau sache compléter",
            f"ajoutez à year.yaml : « pieces: », puis « - code: {slot.code} » et « {want} »",
        )
    return "".join(lines), " ; ".join(where)


def _unusual(message: str, hint: str) -> InputError:
    return InputError(f"year.yaml : {message} — rien n'a été enregistré", hint=f"{hint}, puis déposez à nouveau")


def _verify(new_text: str, raw: LineDict, slot: Slot, name: str, real: bool, folder: Path, display: str) -> None:
    """The edited text read back as the model reads it: the same data but the piece's file (and
    its specimen flag), or the edit is refused."""
    handle, temporary = tempfile.mkstemp(prefix=".year-", suffix=".yaml", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(new_text)
        try:
            again = load_yaml(Path(temporary), display)
        except PipelineError:
            again = None
    finally:
        Path(temporary).unlink(missing_ok=True)
    expected = _plain(raw)
    pieces = list(expected.get("pieces") or [])
    if slot.index:
        piece = dict(pieces[slot.index - 1])
        piece["fichier"] = name
        if real and piece.get("specimen") is True:
            piece["specimen"] = False
        pieces[slot.index - 1] = piece
    else:
        pieces.append({"code": slot.code, "fichier": name})
    expected["pieces"] = pieces
    if again is None or _plain(again) != expected:
        raise _unusual(
            f"la modification de la pièce « {slot.code} » ne se relit pas comme prévu",
            f"écrivez la pièce « {slot.code} » une clé par ligne : « - code: {slot.code} », puis « fichier: {name} »",
        )


# ---------------------------------------------------------------------------------------------- the drop


def _referenced_elsewhere(convention: Path, year: int, path: Path) -> bool:
    """Whether another year (or another piece) names ``path`` too: then it stays where it is."""
    for other in model.dossier_years(convention):
        try:
            found = model.read_year(convention, other)
        except PipelineError:
            return True  # unknown: kept in place, in doubt
        for piece in found.data.pieces if found.data is not None else []:
            if piece.fichier and (found.folder / piece.fichier).resolve() == path.resolve() and other != year:
                return True
    return False


def _checked(temporary: Path, relative: str, shown: str, year_dir: Path, convention: Path, slot: Slot) -> None:
    """The piece judged by the rules of ``check`` (readable, unencrypted, pages, a scan's size)
    and, for a scan, by the build's own placing on A4: InputError in their words."""
    said: list[str] = []
    rules._check_piece_file(
        f"pieces[{slot.index or '+'}].fichier", relative, year_dir, convention, lambda _path, message: said.append(message)
    )
    if said:
        raise InputError(f"la pièce « {slot.label} » : {said[0].replace(relative, shown)}")
    if temporary.suffix in pdf_pieces.IMAGES:
        with tempfile.TemporaryDirectory(prefix="piece-") as work:
            try:
                pdf_pieces.from_scan(temporary, Path(work), slot.label)
            except PipelineError as exc:
                raise InputError(str(exc).replace(temporary.name, Path(shown).name)) from None


def store(
    convention: Path, templates: Path, outputs: Path, year: int, code: str, content: bytes, *, real: bool = True
) -> Dropped:
    """``content`` checked and stored as the piece ``code`` of ``year``, its year.yaml line
    rewritten; InputError, with nothing written, for a file the rules refuse or a year.yaml
    whose layout the bureau does not change. Under the year's build lock: a build running
    gets its refusal, as a second terminal would."""
    convention = Path(convention)
    slot = slot_for(convention, year, code)
    if slot.made_by:
        raise InputError(
            f"la pièce « {slot.label} » est produite par la chaîne ({slot.made_by}) : il n'y a pas de fichier à déposer"
        )
    suffix = recognised(content)
    if suffix is None:
        what = (
            "est vide"
            if not content
            else (
                "n'est ni un PDF, ni une image numérisée (JPEG, PNG, TIFF), ni un "
                "document Word ou OpenDocument (son contenu le dit, quel que soit son nom)"
            )
        )
        raise InputError(
            f"le fichier déposé pour « {slot.label} » {what}",
            hint="déposez le PDF de la pièce, sa numérisation, ou son document Word",
        )
    year_dir = convention / str(year)
    folder = year_dir / FOLDER
    places.confined(year_dir, convention, "dossier de l'année")
    places.confined(folder, convention, "dossier des pièces")
    name = _target_name(slot, suffix)
    target = year_dir / name
    places.confined(target, convention, "pièce")
    shown = model.display(target)
    year_yaml = year_dir / "year.yaml"
    out = places.outputs_for(outputs, convention)
    out.mkdir(parents=True, exist_ok=True)
    with publish.locks(out, [year]):
        found = _year_file(convention, year)
        old = current_file(convention, year, slot)
        if old is not None and old.resolve() == target.resolve() and old.read_bytes() == content and not (real and slot.specimen):
            report = deposit.year_status(convention, templates, outputs, year)
            return Dropped(slot, shown, "year.yaml inchangé", unchanged=True, stale=report.stale, report=report)
        text = year_yaml.read_text(encoding="utf-8")
        new_text, where = edited_year(text, found.raw, slot, name, real)
        _verify(new_text, found.raw, slot, name, real, year_dir, model.display(year_yaml))
        folder.mkdir(exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".depot-{slot.code}-", suffix=suffix, dir=folder)
        kept = None
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(content)
                stream.flush()
                os.fsync(stream.fileno())
            _checked(Path(temporary), f"{FOLDER}/{Path(temporary).name}", name, year_dir, convention, slot)
            if target.is_file():
                kept = deposit.keep_previous(target, folder / KEPT)
            if (
                old is not None
                and old.resolve() != target.resolve()
                and old.parent.resolve() == folder.resolve()
                and not _referenced_elsewhere(convention, year, old)
            ):
                kept = deposit.keep_previous(old, folder / KEPT)  # the piece's former file, now named no more
                old.unlink()
            files.ordinary_mode(Path(temporary), like=target if target.exists() else None)
            os.replace(temporary, target)
            deposit.sync(folder)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        if new_text != text:
            files.write_atomically(year_yaml, new_text.encode("utf-8"))
    line = (
        f"{model.display(year_yaml)}, {where}"
        if new_text != text
        else f"{model.display(year_yaml)} inchangé (il nommait déjà {name})"
    )
    try:
        report = deposit.year_status(convention, templates, outputs, year)
    except PipelineError as exc:  # the piece is in; what else the year lacks is said as check says it
        return Dropped(slot, shown, line, kept=kept, stale=[f"les données ne se chargent pas : {exc}"])
    return Dropped(slot, shown, line, kept=kept, stale=report.stale, report=report)
