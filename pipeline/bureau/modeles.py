"""The Word templates of a convention, as the bureau shows and replaces them: which file serves
each document (``places.template_for``: the convention's own copy, else the shared one), and a
new version judged by ``check`` itself (``checks.check_all`` with the new file in the old one's
place) before it replaces anything.

A new version always becomes the convention's own copy (``inputs/<convention>/templates/``):
the shared template serves every convention and is never changed from the bureau. The own copy
it replaces is kept in ``templates/precedents/``.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import checks, files, places, publish
from pipeline.bureau import deposit, pieces
from pipeline.convention import catalogue, model
from pipeline.errors import ExitCode, InputError

KEPT = "precedents"


@dataclass(frozen=True)
class Row:
    """One document's template, where it is read from."""

    key: str
    title: str
    name: str  # appel.docx
    path: Path  # the file the builds read
    own: bool  # the convention's own copy (else the shared one)
    exists: bool
    only_own: bool  # the convention's text: never a shared one


@dataclass
class Verdict:
    """What ``check`` said of a new version: its errors (nothing stored when there are any), its
    warnings, and, once stored, where it went and where the previous one was kept."""

    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    untried: list[str] = field(default_factory=list)
    stored: str | None = None
    kept: str | None = None
    was_shared: bool = False


def rows(convention: Path, templates: Path) -> list[Row]:
    """Every document's template, in the catalogue's order."""
    found = []
    for spec in catalogue.DOCUMENTS:
        name = f"{spec.key}.docx"
        path = places.template_for(convention, templates, name)
        own = path.parent == Path(convention) / "templates"
        found.append(Row(spec.key, spec.title, name, path, own, path.is_file(), spec.own_text))
    return found


def row_for(convention: Path, templates: Path, key: str) -> Row:
    found = next((r for r in rows(convention, templates) if r.key == key), None)
    if found is None:
        raise InputError(f"aucun document « {key} » : pas de modèle de ce nom")
    return found


def store(convention: Path, templates: Path, outputs: Path, key: str, content: bytes) -> Verdict:
    """``content`` judged by ``check`` as the template of ``key``; stored as the convention's own
    copy only when it has no error (the previous own copy kept). InputError for a file that is no
    Word document."""
    convention = Path(convention)
    row = row_for(convention, templates, key)
    if pieces.recognised(content) != ".docx":
        what = (
            "est vide" if not content else "n'est pas un document Word (.docx) : son contenu ne le dit pas, quel que soit son nom"
        )
        raise InputError(
            f"le fichier déposé pour le modèle {row.name} {what}",
            hint="enregistrez le modèle dans Word (ou LibreOffice) au format .docx, puis déposez-le",
        )
    verdict = Verdict(was_shared=not row.own)
    with tempfile.TemporaryDirectory(prefix="modele-") as work:
        candidate = Path(work) / row.name
        candidate.write_bytes(content)
        report = checks.check_all(convention, templates, outputs=outputs, candidate=candidate)
    verdict.problems = [
        line.replace(str(candidate), row.name) for code, line in report.problems if code == int(ExitCode.TEMPLATE)
    ]
    verdict.warnings = [w for w in report.warnings if row.name in w]
    verdict.untried = report.untried
    if verdict.problems:
        return verdict
    own = places.confined(convention / "templates", convention, "dossier des modèles")
    target = places.confined(own / row.name, convention, "modèle")
    out = places.outputs_for(outputs, convention)
    out.mkdir(parents=True, exist_ok=True)
    with publish.locks(out, model.dossier_years(convention)):  # no build reads it half-written
        own.mkdir(exist_ok=True)
        if target.is_file():
            verdict.kept = deposit.keep_previous(target, own / KEPT)
        handle, temporary = tempfile.mkstemp(prefix=f".depot-{key}-", suffix=".docx", dir=own)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(content)
                stream.flush()
                os.fsync(stream.fileno())
            files.ordinary_mode(Path(temporary), like=target if target.exists() else None)
            os.replace(temporary, target)
            deposit.sync(own)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    verdict.stored = model.display(target)
    return verdict
