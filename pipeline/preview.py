"""The live preview for a template's author: one document of one year, rewritten as a PDF each
time its template or the data are saved, with a LibreOffice kept warm between saves.

The PDF goes to outputs/<convention>/apercu/, apart from the published year: a preview never
touches what a build published. A template error is said at once, in the check's words, and the
preview waits for the next save.
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Callable, Iterable

from pipeline import files, places, render
from pipeline.convention import catalogue, documents, model
from pipeline.errors import InputError, PipelineError
from pipeline.office.libreoffice import Session
from pipeline.templates import images, template_context


def folder(conv_dir: Path, outputs: Path) -> Path:
    """Where previews are written: outputs/<convention>/apercu/, never a published year."""
    return places.outputs_for(outputs, conv_dir) / "apercu"


def render_once(conv_dir: Path, templates: Path, year: int, key: str, office: Session, into: Path) -> tuple[float, Path]:
    """Fill and convert the document once, as the build would; return the seconds it took and
    the PDF. Raises the pipeline's own errors (data, template, conversion) for the caller to say."""
    started = time.perf_counter()
    data = model.load(conv_dir, year)
    planned = next((d for d in documents.plan(data) if d.key == key), None)
    if planned is None:
        keys = ", ".join(d.key for d in documents.plan(data))
        raise InputError(f"le dossier {year} ne contient pas de document « {key} »", hint=f"documents : {keys}")
    from pipeline import dossier  # the build's own finishing: what is previewed is what is built

    spots: list = []
    ctx = template_context(data, spots, projet=True)
    template = places.template_for(conv_dir, templates, f"{key}.docx")
    with tempfile.TemporaryDirectory(prefix="apercu-") as tmp:
        docx = render.render(template, ctx.variables(), Path(tmp) / f"{key}.docx",
                             images(key, ctx),
                             finish=dossier.finishing(key, planned, data))
        pdf, = office.convert([docx], Path(tmp))
        out = into / f"{planned.stem}.pdf"
        out.parent.mkdir(parents=True, exist_ok=True)
        files.write_atomically(out, pdf.read_bytes())
    return time.perf_counter() - started, out


def watched(conv_dir: Path, templates: Path, key: str) -> list[Path]:
    """What a save of re-renders: the convention's data and own templates, the shared template."""
    return [p for p in (conv_dir, places.template_for(conv_dir, templates, f"{key}.docx").parent) if p.exists()]


def _relevant(changes: Iterable[tuple[object, str]]) -> bool:
    """A real save: not Word's or LibreOffice's lock files, nor a preview's own output."""
    names = [Path(path).name for _, path in changes]
    return any(not n.startswith(("~$", ".~lock")) and not n.endswith((".tmp", ".erreurs.docx")) for n in names)


def run(conv_dir: Path, templates: Path, outputs: Path, year: int, key: str, say: Callable[[str], None],
        *, saves: Iterable | None = None) -> None:
    """Render now, then again at every save, until interrupted (Ctrl-C). ``saves``: the stream
    of changes (watchfiles' by default; a test gives its own)."""
    if key not in catalogue.SPECS:
        raise InputError(f"document « {key} » inconnu", hint="documents : " + ", ".join(catalogue.SPECS))
    into = folder(conv_dir, outputs)
    if saves is None:
        import watchfiles

        saves = (c for c in watchfiles.watch(*watched(conv_dir, templates, key), debounce=50, step=20)
                 if _relevant(c))
    with Session() as office:
        office.prestart()
        say(f"aperçu de « {key} » du dossier {year}, dans {into} — enregistrez le modèle ou les données pour "
            "le mettre à jour (Ctrl-C pour arrêter)")
        _once(conv_dir, templates, year, key, office, into, say)
        for _ in saves:
            _once(conv_dir, templates, year, key, office, into, say)


def _once(conv_dir, templates, year, key, office, into, say) -> None:
    try:
        seconds, pdf = render_once(conv_dir, templates, year, key, office, into)
    except PipelineError as exc:
        say(f"erreur : {exc}")
        return
    say(f"{time.strftime('%H:%M:%S')} {pdf.name} à jour en {seconds:.2f} s")
