"""The live preview for a template's author: one document of one year, rewritten as a PDF each
time its template or the data are saved, with a LibreOffice kept warm between saves.

The PDF goes to outputs/<convention>/apercu/, apart from the published year: a preview never
touches what a build published. It is the build's view: the document goes the build's road
(``templates.fill``), so the preview says the same warnings and errors as the build and ``check``.
After an error the PDF is replaced by a page saying the error, until the next good save: a PDF
left as it was would look current.
"""

from __future__ import annotations

import tempfile
import textwrap
import time
from pathlib import Path
from typing import Callable, Iterable

import watchfiles
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from pipeline import files, originals_status, places
from pipeline.convention import catalogue, documents, model
from pipeline.errors import InputError, PipelineError
from pipeline.office.libreoffice import Session
from pipeline.pdf import fonts
from pipeline.templates import fill, stop_on_errors


def folder(conv_dir: Path, outputs: Path) -> Path:
    """Where previews are written: outputs/<convention>/apercu/, never a published year."""
    return places.outputs_for(outputs, conv_dir) / "apercu"


def render_once(
    conv_dir: Path, templates: Path, year: int, key: str, office: Session, into: Path, say: Callable[[str], None] = print
) -> tuple[float, Path]:
    """Fill and convert the document once, by the build's road (``templates.fill``: the same
    context, signed originals included, and the same rules); say its warnings; return the
    seconds it took and the PDF. Raises the pipeline's own errors (data, template, the rules'
    errors, conversion) for the caller to say."""
    started = time.perf_counter()
    data, plan, planned = locate(conv_dir, year, key)
    template = places.template_for(conv_dir, templates, f"{key}.docx")
    with tempfile.TemporaryDirectory(prefix="apercu-") as tmp:
        filled = fill(data, template, Path(tmp) / f"{key}.docx", final=False, signatures=originals_status.of_year(data, plan))
        stop_on_errors(filled)
        for warning in filled.warnings:
            say(f"avertissement : {warning}")
        (pdf,) = office.convert([filled.docx], Path(tmp))
        out = into / f"{planned.stem}.pdf"
        out.parent.mkdir(parents=True, exist_ok=True)
        files.write_atomically(out, pdf.read_bytes())
    return time.perf_counter() - started, out


class NotHeld(InputError):
    """The year holds no such document, whatever its data says: the preview stops at once."""


def locate(conv_dir: Path, year: int, key: str) -> tuple[model.DossierData, list[documents.Planned], documents.Planned]:
    """The document ``key`` of ``year``, with the data and plan its build fills it with: in the
    year's dossier, else in the year's sending of its compte rendu financier (``make crf``: the
    CRF N, which the dossier N+2 encloses, and its letter, which no dossier holds). Raises the
    data's own errors, or one line naming where the document is."""
    if key not in documents.SENDING or not catalogue.SPECS[key].letter:
        data = model.load(conv_dir, year)
        plan = documents.plan(data)
        planned = next((d for d in plan if d.key == key), None)
        if planned is not None:
            return data, plan, planned
        if key not in documents.SENDING:
            raise NotHeld(f"le dossier {year} ne contient pas de document « {key} »", hint=_year_holding(conv_dir, key, year))
    data = model.load_sending(conv_dir, year)  # says what the year lacks to have its CRF
    plan = documents.plan(data)
    planned = next((d for d in plan if d.key == key), None)
    if planned is None:  # the letter, while the data does not say when it leaves
        raise InputError(
            f"{model.display(data.year_dir / 'year.yaml')}: le compte rendu financier {year} n'a pas encore de lettre d'envoi",
            hint="ajoutez sous « crf: » la date de son dépôt : « transmis_le: AAAA-MM-JJ »",
        )
    return data, plan, planned


def source(data: model.DossierData) -> str:
    """What the preview shows a document of, as its first line says it."""
    if data.sending:
        return f"de l'envoi du compte rendu financier {data.year.annee} (make crf)"
    return f"du dossier {data.year.annee}"


def watched(conv_dir: Path, templates: Path, key: str) -> list[Path]:
    """What a save of re-renders: the convention's data and own templates, the shared template."""
    return [p for p in (conv_dir, places.template_for(conv_dir, templates, f"{key}.docx").parent) if p.exists()]


def _relevant(changes: Iterable[tuple[object, str]]) -> bool:
    """A real save: not Word's or LibreOffice's lock files, nor a preview's own output."""
    names = [Path(path).name for _, path in changes]
    return any(not n.startswith(("~$", ".~lock")) and not n.endswith((".tmp", ".erreurs.docx")) for n in names)


def document_key(conv_dir: Path, asked: str) -> str:
    """The document ``DOC=`` names, under the engine's name (« pv-copil ») or the convention's own
    (« pv-costrat », « costrat » for a convention whose steering committee is the COSTRAT)."""
    wanted = asked.strip().lower().removesuffix(".docx")
    if wanted in catalogue.SPECS:
        return wanted
    minutes = next(spec.key for spec in catalogue.DOCUMENTS if spec.minutes)
    aliases = {}
    try:
        sigle = model.load_convention(conv_dir)[0].copil.sigle.lower()
        aliases = {sigle: minutes, f"pv-{sigle}": minutes}
    except PipelineError:
        pass  # the data's error is said by the first render
    if wanted in aliases:
        return aliases[wanted]
    own = next((a for a in aliases if a.startswith("pv-") and a != minutes), None)
    names = ", ".join(f"{k} (ou {own})" if k == minutes and own else k for k in catalogue.SPECS)
    raise InputError(f"document « {asked} » inconnu", hint=f"documents : {names}")


def template_note(conv_dir: Path, templates: Path, key: str) -> str:
    """Which template file the preview watches, and, for a shared one, who else it serves and
    how to change it for this convention alone."""
    template = places.template_for(conv_dir, templates, f"{key}.docx")
    if template.parent.resolve() == (conv_dir / "templates").resolve():
        return f"modèle suivi : {model.display(template)} (propre à la convention {conv_dir.name})"
    others = [
        c.name
        for c in places.convention_dirs(conv_dir.parent)
        if c.resolve() != conv_dir.resolve() and not (c / "templates" / f"{key}.docx").is_file()
    ]
    also = f" : il sert aussi à {', '.join(others)}" if others else ""
    return (
        f"modèle suivi : {model.display(template)}, modèle commun{also} — pour ne changer que {conv_dir.name}, "
        f"copiez-le dans {model.display(conv_dir / 'templates')}/ et modifiez la copie"
    )


def _year_holding(conv_dir: Path, key: str, year: int) -> str:
    """The hint for a document the year's dossier does not hold: the years that do, and the command."""
    held = []
    for other in model.dossier_years(conv_dir):
        try:
            if key in {d.key for d in documents.plan(model.load(conv_dir, other))}:
                held.append(other)
        except PipelineError:
            continue
    if not held:
        return "aucune année n'a encore ce document : créez l'année qui le contient (make new-year)"
    best = min(held, key=lambda y: abs(y - year))
    return (
        f"il figure dans le dossier {', '.join(map(str, held))} : « make apercu YEAR={best} DOC={key}"
        f"{' CONVENTION=' + conv_dir.name if len(places.convention_dirs(conv_dir.parent)) > 1 else ''} »"
    )


def run(
    conv_dir: Path,
    templates: Path,
    outputs: Path,
    year: int,
    key: str,
    say: Callable[[str], None],
    *,
    saves: Iterable | None = None,
) -> None:
    """Render now, then again at every save, until interrupted (Ctrl-C). ``saves``: the stream
    of changes (watchfiles' by default; a test gives its own)."""
    key = document_key(conv_dir, key)
    where = f"du dossier {year}"
    try:
        where = source(locate(conv_dir, year, key)[0])
    except NotHeld:
        raise  # said once: no save of the data's would make the year hold it
    except PipelineError:
        pass  # the data's error is said by the first render, and the preview waits for a fix
    into = folder(conv_dir, outputs)
    if saves is None:
        saves = (c for c in watchfiles.watch(*watched(conv_dir, templates, key), debounce=50, step=20) if _relevant(c))
    with Session() as office:
        office.prestart()
        say(
            f"aperçu de « {key} » {where}, dans {into} — enregistrez le modèle ou les données pour "
            "le mettre à jour (Ctrl-C pour arrêter)"
        )
        say(template_note(conv_dir, templates, key))
        _once(conv_dir, templates, year, key, office, into, say)
        for _ in saves:
            _once(conv_dir, templates, year, key, office, into, say)


def _once(conv_dir, templates, year, key, office, into, say) -> None:
    try:
        seconds, pdf = render_once(conv_dir, templates, year, key, office, into, say)
    except PipelineError as exc:
        say(f"erreur : {exc}")
        _stale(into, conv_dir, year, key, str(exc))
        return
    say(f"{time.strftime('%H:%M:%S')} {pdf.name} à jour en {seconds:.2f} s")


def _stale(into: Path, conv_dir: Path, year: int, key: str, error: str) -> None:
    """The preview's PDF replaced by a page saying the error: the last good PDF, left as it was,
    would look current in the viewer."""

    try:
        stem = locate(conv_dir, year, key)[2].stem
    except PipelineError:
        stem = f"{key}-{year}"
    out = into / f"{stem}.pdf"
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="apercu-") as tmp:
        page = canvas.Canvas(str(Path(tmp) / "erreur.pdf"), pagesize=A4)
        fonts.register()
        y = A4[1] - 72
        page.setFont(fonts.BOLD, 15)
        page.drawString(56, y, "APERÇU PÉRIMÉ : le modèle ou les données ont une erreur")
        page.setFont(fonts.REGULAR, 10)
        y -= 28
        for line in textwrap.wrap(error, 95):
            page.drawString(56, y, line)
            y -= 14
        page.drawString(56, y - 14, "Corrigez puis enregistrez : l'aperçu se refait aussitôt.")
        page.save()
        files.write_atomically(out, (Path(tmp) / "erreur.pdf").read_bytes())
