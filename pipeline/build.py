"""The recipe: load → contexts → render .docx → PDF → dossier → publish, for one or more years.

Every build works in a temporary folder beside outputs/ and publishes at the end in one
step: a failed or interrupted build leaves outputs/<YEAR>/ exactly as it was.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from pipeline import (assemble, cache, checks, convert, documents, french, model, pieces, publish, render,
                      reproducible, signing)
from pipeline.errors import OutputError, TemplateProblem

Log = Callable[[str], None]


@dataclass
class Options:
    inputs: Path
    templates: Path
    outputs: Path
    final: bool = False
    progress: bool = False
    log: Log = print
    warn: Log = print


@dataclass
class YearBuild:
    """What one year's build is made of, as it goes through the stages."""

    inputs: model.Inputs
    work: Path
    docx: dict[str, Path] = field(default_factory=dict)
    pdf: dict[str, Path] = field(default_factory=dict)
    spots: list[documents.SignatureSpot] = field(default_factory=list)
    fit_pieces: dict[Path, Path] = field(default_factory=dict)  # piece → its PDF/A-fit version


@contextlib.contextmanager
def stage(name: str, log: Log):
    """Log one line per stage with its duration."""
    start = time.perf_counter()
    yield
    log(f"  {name} ({time.perf_counter() - start:.2f} s)")


def build(years: list[int], opts: Options) -> list[Path]:
    """Build the dossiers of ``years`` that are not up to date; return every year's path."""
    started = time.perf_counter()
    todo = [y for y in years if not publish.up_to_date(opts.outputs, opts.inputs, y, opts.templates, final=opts.final)]
    for year in sorted(set(years) - set(todo)):
        opts.log(f"  {year} : déjà à jour (rien n'a changé depuis la dernière construction)")
    if not todo:
        return [publish.dossier_path(opts.outputs, y) for y in years]
    with stage("données et modèles vérifiés", opts.log):
        loaded = [model.load(opts.inputs, year, final=opts.final) for year in todo]
        for inputs in loaded:
            for warning in inputs.warnings:
                opts.warn(f"avertissement : {warning}")
        problems = [line for spec in documents.DOCUMENTS
                    for line in checks.check_template(opts.templates / f"{spec.key}.docx", loaded, trial=False)]
        if problems:
            raise TemplateProblem(problems[0] if len(problems) == 1 else
                                  f"{len(problems)} problèmes dans les modèles :\n  " + "\n  ".join(problems))
    opts.outputs.mkdir(parents=True, exist_ok=True)
    with publish.locks(opts.outputs, todo), contextlib.ExitStack() as stack:
        office = stack.enter_context(convert.Session(progress=opts.progress))
        builds = []
        for inputs in loaded:
            work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=f".build-{inputs.year.annee}-", dir=opts.outputs)))
            builds.append(YearBuild(inputs=inputs, work=work))
        with stage("documents Word remplis", opts.log):
            for b in builds:
                render_all(b, opts, pages=None)
        with stage("conversion PDF (LibreOffice)", opts.log):
            converted = convert_batch(office, builds, [s.key for s in documents.DOCUMENTS], opts)
        with stage("pages du bordereau", opts.log):
            layouts = {b.inputs.year.annee: dossier_layout(b) for b in builds}
            for b in builds:
                render_one(b, "bordereau", opts, pages=piece_pages(b, layouts[b.inputs.year.annee]))
            converted += convert_batch(office, builds, ["bordereau"], opts)
        with stage("dossier PDF assemblé", opts.log):
            for b in builds:
                assemble_dossier(b, final=opts.final)
        with stage("publication", opts.log):
            for b in builds:
                publish.publish(b.work, opts.inputs, b.inputs.year.annee, opts.outputs, opts.templates,
                                final=opts.final)
        if converted == 0:
            opts.log("  aucun document à convertir : tous repris du cache, LibreOffice non lancé")
    opts.log(f"terminé en {time.perf_counter() - started:.1f} s")
    return [publish.dossier_path(opts.outputs, y) for y in years]


def render_all(b: YearBuild, opts: Options, *, pages: dict[str, int] | None) -> None:
    for spec in documents.DOCUMENTS:
        render_one(b, spec.key, opts, pages=pages)


def render_one(b: YearBuild, key: str, opts: Options, *, pages: dict[str, int] | None) -> None:
    spots: list[documents.SignatureSpot] = []
    ctx = documents.build_context(b.inputs, projet=not opts.final, pages=pages)
    ctx["signature"] = documents.make_signature(b.inputs, spots)
    images = documents.images(ctx) if key == "bilan" else None
    stem = next(s for s in documents.DOCUMENTS if s.key == key).output_stem(b.inputs.year.annee)
    b.docx[key] = render.render(opts.templates / f"{key}.docx", ctx, b.work / f"{stem}.docx", images)
    b.spots = [s for s in b.spots if s.document != key] + spots


def convert_batch(office: convert.Session, builds: list[YearBuild], keys: list[str], opts: Options) -> int:
    """The given documents of every year: from the cache, or in the build's one LibreOffice.

    Returns how many were converted; identical documents (the convention of later years)
    are converted once.
    """
    store = cache.PdfCache(opts.outputs / ".cache")
    todo: dict[str, tuple[Path, dt.datetime]] = {}
    wanted = []
    for b in builds:
        for k in keys:
            when = reproducible.build_date(documents.document_date(k, b.inputs))
            digest = cache.key(b.docx[k], when.isoformat())
            target = b.docx[k].with_suffix(".pdf")
            b.pdf[k] = target
            wanted.append((digest, target))
            if digest not in todo and not store.get(digest, target):
                todo[digest] = (b.docx[k], when)
    if todo:
        with tempfile.TemporaryDirectory(prefix=".pdf-", dir=opts.outputs) as tmp:
            sources = [docx for docx, _ in todo.values()]
            for (digest, (docx, when)), pdf in zip(todo.items(), office.convert(sources, Path(tmp))):
                reproducible.normalise_pdf(pdf, when, seed=digest.encode())
                store.put(digest, pdf)
    for digest, target in wanted:
        if digest in todo and not store.get(digest, target):  # replaces an earlier round's PDF
            raise OutputError(f"le PDF de {target.name} manque après la conversion", hint="relancez la construction")
    return len(todo)


def entries(b: YearBuild) -> list[assemble.Entry]:
    """The dossier's parts in order: the documents, then the pieces in article 3 order."""
    year = b.inputs.year
    parts = [assemble.Entry(f"{spec.title} {year.annee}" if spec.key != "convention" else spec.title,
                            b.pdf[spec.key], "document", spec.key) for spec in documents.DOCUMENTS]
    given = {p.code: p for p in year.pieces}
    for spec in b.inputs.convention.pieces_requises:
        piece = given.get(spec.code)
        if piece and piece.fichier and spec.document is None:
            title = piece.titre or spec.libelle.replace("N-1", str(year.annee - 1))
            source = (b.inputs.year_dir / piece.fichier).resolve()
            if source not in b.fit_pieces:
                b.fit_pieces[source] = pieces.normalise(source, b.work / "pieces", title)
            parts.append(assemble.Entry(title, b.fit_pieces[source], "piece", f"piece:{spec.code}"))
    return parts


def dossier_layout(b: YearBuild) -> assemble.Layout:
    parts = entries(b)
    return assemble.layout(parts, [assemble.page_count(e.pdf, e.title) for e in parts])


def piece_pages(b: YearBuild, lay: assemble.Layout) -> dict[str, int]:
    """Dossier page where each required piece starts (a generated one: its document)."""
    pages = {}
    for spec in b.inputs.convention.pieces_requises:
        key = spec.document if spec.document else f"piece:{spec.code}"
        if key in lay.starts:
            pages[spec.code] = lay.starts[key]
    return pages


def assemble_dossier(b: YearBuild, *, final: bool) -> None:
    conv, year = b.inputs.convention, b.inputs.year
    terms = conv.convention
    parts = entries(b)
    before = dossier_layout(b)
    meta = assemble.Meta(
        title=f"Dossier {year.annee} – {terms.titre}",
        author=conv.association.nom,
        subject=f"Appel de participation {year.annee}, bilan et procès-verbal du comité de pilotage – "
                f"{conv.metropole.nom} et {conv.association.nom_court}",
        keywords=[terms.titre, str(year.annee), conv.metropole.nom, conv.association.nom_court,
                  "appel de participation", "bilan", "comité de pilotage"],
        date=reproducible.build_date(year.appel.date),
        cover_lines=[terms.titre, f"Dossier de l'année {year.annee}", "entre", conv.metropole.nom, "et",
                     conv.association.nom, "",
                     f"Appel de participation {year.annee} – {year.appel.reference} du "
                     f"{french.date_fr(year.appel.date)}"],
        draft_mark=None if final else ("PROJET – données d'exemple, version de travail" if year.donnees_exemple
                                       else "PROJET – version de travail"),
    )
    lay = assemble.assemble(parts, b.work / f"dossier-{year.annee}.pdf", meta,
                            output_intent_from=b.pdf["convention"], number_label=f"Dossier {year.annee}",
                            fields=signature_places(b, before))
    if lay.starts != before.starts:  # the bordereau grew a page: its page numbers would be wrong
        raise OutputError("le bordereau a changé de nombre de pages entre deux passes ; relancez la construction")


def signature_places(b: YearBuild, lay: assemble.Layout) -> list[signing.FieldPlace]:
    """An empty field over every signature block, placed from the rendered marks."""
    conv = b.inputs.convention
    who = {"metropole": conv.metropole.nom, "association": conv.association.nom_court}
    places = []
    for spec in documents.DOCUMENTS:
        labels = {spot.field_name: f"Signature – {who.get(spot.who, spot.who)} – {spec.title}"
                  for spot in b.spots if spot.document == spec.key}
        found = signing.places_for(b.pdf[spec.key], lay.starts[spec.key], labels)
        expected = set(labels)
        missing = expected - {p.name for p in found}
        if missing:
            raise OutputError(f"le document {spec.key} n'a pas de place visible pour la signature {', '.join(sorted(missing))}",
                              hint="dans le modèle, la marque {{ signature(…) }} doit rester dans le bloc de signature, "
                                   "en style « Marque de signature »")
        places.extend(found)
    return places
