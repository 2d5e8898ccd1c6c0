"""The bureau's pages and actions (Starlette): the board, a year's page, its files, a signed file
dropped on its slot, a build and its progress (server-sent events).

Every name in an address is looked up, never joined to a path: a convention among the
conventions' folders, a year among its dossier years, a file among those its year's folder
holds, a slot among the year's planned documents.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import re
from pathlib import Path
from typing import Callable

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from pipeline import places, publish, status
from pipeline.bureau import apercu, deposit, guard, jobs, modeles, pieces
from pipeline.convention import documents, model
from pipeline.errors import PipelineError
from pipeline.french import date_fr

HERE = Path(__file__).parent
MAX_UPLOAD = 25 * 1024 * 1024  # a signed original, timestamps and revocation data included, is far smaller
FORM_SLACK = 64 * 1024  # the multipart envelope around the file
FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\.(pdf|docx)")

PAGES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(HERE / "pages"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
)
PAGES.filters["date_fr"] = date_fr


class TooLarge(Exception):
    pass


def create_app(
    conventions_dir: Path,
    templates: Path,
    outputs: Path,
    *,
    token: str | None = None,
    hosts: tuple[str, ...] = ("127.0.0.1", "localhost"),
    max_upload: int = MAX_UPLOAD,
    runtime: jobs.RuntimeFactory | None = None,
    office=None,
    today: Callable[[], dt.date] = dt.date.today,
) -> Starlette:
    """The bureau for the conventions of ``conventions_dir``; ``token`` opens its session.
    ``office``: how the previews get their LibreOffice (a ``Session`` by default); ``today``: the
    day the calendar is read on."""
    builds = jobs.Builds(Path(templates), Path(outputs), runtime)
    previews = apercu.Previews(Path(templates), Path(outputs), office)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        await run_in_threadpool(builds.stop)  # Ctrl-C: a running build stops as an interrupted one
        await run_in_threadpool(previews.stop)

    app = Starlette(
        routes=[
            Route("/", board),
            Route("/c/{convention}/{year:int}", year_page),
            Route("/c/{convention}/{year:int}/f/{name}", output_file),
            Route("/c/{convention}/{year:int}/signe/{stem}", signed_file, methods=["GET", "HEAD"]),
            Route("/c/{convention}/{year:int}/signe/{stem}", drop_signed, methods=["POST"]),
            Route("/c/{convention}/{year:int}/construire", start_build, methods=["POST"]),
            Route("/c/{convention}/{year:int}/piece/{code}", piece_file, methods=["GET", "HEAD"]),
            Route("/c/{convention}/{year:int}/piece/{code}", drop_piece, methods=["POST"]),
            Route("/c/{convention}/{year:int}/apercu/{key}", preview_pdf),
            Route("/c/{convention}/{year:int}/apercu/{key}/version", preview_version),
            Route("/c/{convention}/modeles", templates_page),
            Route("/c/{convention}/modeles/{key}", template_file, methods=["GET", "HEAD"]),
            Route("/c/{convention}/modeles/{key}", drop_template, methods=["POST"]),
            Route("/travaux/{job}", job_state),
            Route("/travaux/{job}/flux", job_stream),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ],
        lifespan=lifespan,
        exception_handlers={HTTPException: _http_error},
    )
    app.state.token = token or guard.new_token()
    app.state.conventions_dir = Path(conventions_dir)
    app.state.templates = Path(templates)
    app.state.outputs = Path(outputs)
    app.state.max_upload = max_upload
    app.state.builds = builds
    app.state.previews = previews
    app.state.today = today
    app.state.reports = {}  # convention → (its files' fingerprint, status' reports): see _reports
    app.add_middleware(guard.Guard, token=app.state.token, hosts=set(hosts))
    return app


# ---------------------------------------------------------------------------------------------- lookups


def _conventions(request: Request) -> dict[str, Path]:
    return {c.name: c for c in places.convention_dirs(request.app.state.conventions_dir)}


def _convention(request: Request) -> Path:
    found = _conventions(request).get(request.path_params["convention"])
    if found is None:
        raise HTTPException(404, "cette convention n'existe pas dans le dossier des conventions")
    return found


def _year(request: Request, convention: Path) -> int:
    year = request.path_params["year"]
    try:
        years = model.dossier_years(convention)
    except PipelineError as exc:
        raise HTTPException(422, str(exc)) from None
    if year not in years:
        raise HTTPException(404, f"{convention.name} n'a pas de dossier {year}")
    return year


def _built(request: Request, convention: Path, year: int) -> Path:
    return places.outputs_for(request.app.state.outputs, convention) / str(year)


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def render(request: Request, page: str, code: int = 200, **values) -> HTMLResponse:
    return HTMLResponse(PAGES.get_template(page).render(token=request.app.state.token, **values), status_code=code)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)  # the only exception this handler is given
    if _wants_json(request):
        return JSONResponse({"ok": False, "erreur": exc.detail}, status_code=exc.status_code)
    return render(
        request, "refus.html", exc.status_code, title="Introuvable" if exc.status_code == 404 else "Refusé", why=exc.detail
    )


# ---------------------------------------------------------------------------------------------- the board


def year_state(report: status.YearStatus, out: Path) -> tuple[str, str]:
    """The dossier's state at a glance (its class, its words), from ``status``'s own reasons."""
    if not report.stale:
        return "a-jour", "à jour"
    if publish.in_progress(out, report.year):
        return "en-cours", "construction en cours"
    if not publish.built_before(out, report.year):
        return "jamais", "jamais construit"
    return "a-refaire", "à reconstruire"


def _fingerprint(*folders: Path) -> tuple:
    """Every file and folder under ``folders`` with its size and time: what ``status`` reads. A
    few milliseconds, where status itself loads and checks every year."""
    found = []
    for folder in folders:
        for root, dirs, files in os.walk(folder):
            for name in sorted(dirs) + sorted(files):
                try:
                    st = os.stat(os.path.join(root, name))
                except OSError:
                    continue  # removed while walked: the next request sees it gone
                found.append((root, name, st.st_mtime_ns, st.st_size))
    return tuple(found)


def _reports(state, convention: Path) -> list[status.YearStatus]:
    """``status``'s reports of a convention, computed again only when one of the files it reads
    changed (its data, signed originals, templates, published outputs): the board answers at once
    while nothing moves."""
    key = _fingerprint(convention, places.outputs_for(state.outputs, convention), state.templates)
    kept = state.reports.get(convention)
    if kept is not None and kept[0] == key:
        return kept[1]
    reports = status.status(convention, state.templates, state.outputs)
    state.reports[convention] = (key, reports)
    return reports


def _board(state) -> list[dict]:
    rows = []
    for convention in places.convention_dirs(state.conventions_dir):
        out = places.outputs_for(state.outputs, convention)
        try:
            reports = _reports(state, convention)
        except PipelineError as exc:
            rows.append({"convention": convention, "error": str(exc), "years": []})
            continue
        dated = status.calendar(reports, state.today())
        rows.append(
            {
                "convention": convention,
                "error": None,
                "calendar": dated,
                "next": status.due_next(dated),
                "late": [d for d in dated if d.mark == status.LATE],
                "years": [{"report": r, "state": year_state(r, out)} for r in reports],
            }
        )
    return rows


async def board(request: Request) -> Response:
    rows = await run_in_threadpool(_board, request.app.state)
    return render(request, "tableau.html", conventions=rows, today=request.app.state.today())


# ---------------------------------------------------------------------------------------------- a year


def _year_view(state, convention: Path, year: int) -> dict:
    out = places.outputs_for(state.outputs, convention)
    built = out / str(year)
    report = deposit.year_status(convention, state.templates, state.outputs, year)
    data = model.load(convention, year)
    planned = documents.plan(data)
    present = {p.name for p in built.iterdir() if p.is_file()} if built.is_dir() else set()
    files = []
    for d in planned:
        if {f"{d.stem}.pdf", f"{d.stem}.docx"} & present:
            files.append(
                {"title": d.title, "stem": d.stem, "pdf": f"{d.stem}.pdf" in present, "docx": f"{d.stem}.docx" in present}
            )
    named = {f["stem"] for f in files} | {f"dossier-{year}"}
    for stem in sorted({Path(n).stem for n in present if FILE_NAME.fullmatch(n)} - named):
        files.append({"title": stem, "stem": stem, "pdf": f"{stem}.pdf" in present, "docx": f"{stem}.docx" in present})
    slots = []
    for slot in deposit.slots(convention, year):
        line = deposit.line_for(report, slot)
        slots.append({"slot": slot, "line": line, "has_file": places.signed_original(convention, slot.stem).is_file()})
    # what status says of documents this dossier has no slot for (a compte rendu financier still to
    # come, announced by the dossier): the same facts as « make statut », none left out
    others = [line for line in report.lines if not any(item["line"] is line for item in slots)]
    return {
        "report": report,
        "state": year_state(report, out),
        "files": files,
        "slots": slots,
        "others": others,
        "dossier": f"dossier-{year}.pdf" in present,
        "pieces": _pieces_view(convention, year),
        "previewable": [{"key": d.key, "title": d.title} for d in planned],
    }


def _pieces_view(convention: Path, year: int) -> list[dict]:
    """Article 3's slots of a year, as the year's file gives them now."""
    return [
        {"slot": slot, "has_file": pieces.current_file(convention, year, slot) is not None}
        for slot in pieces.slots(convention, year)
    ]


async def year_page(request: Request, notice: dict | None = None, code: int = 200) -> Response:
    convention = _convention(request)
    year = _year(request, convention)
    try:
        view = await run_in_threadpool(_year_view, request.app.state, convention, year)
    except PipelineError as exc:  # the year's pieces can still be dropped: a missing one may be the fault
        try:
            slots = await run_in_threadpool(_pieces_view, convention, year)
        except PipelineError:
            slots = None
        return render(
            request,
            "annee-erreur.html",
            422 if code == 200 else code,
            convention=convention,
            year=year,
            why=str(exc),
            pieces=slots,
            notice=notice,
        )
    job = request.app.state.builds.latest(convention, year)
    return render(request, "annee.html", code, convention=convention, year=year, job=job, notice=notice, **view)


async def output_file(request: Request) -> Response:
    convention = _convention(request)
    year = _year(request, convention)
    name = request.path_params["name"]
    folder = _built(request, convention, year)
    if not FILE_NAME.fullmatch(name) or not (folder / name).is_file() or name not in {p.name for p in folder.iterdir()}:
        raise HTTPException(404, f"aucun document « {name} » dans le dossier {year} publié")
    path = folder / name
    if not path.resolve().is_relative_to(folder.resolve()):
        raise HTTPException(404, f"aucun document « {name} » dans le dossier {year} publié")
    inline = name.endswith(".pdf") and request.query_params.get("telecharger") is None
    return FileResponse(
        path,
        filename=name,
        content_disposition_type="inline" if inline else "attachment",
        media_type="application/pdf" if name.endswith(".pdf") else None,
    )


def _slot(convention: Path, year: int, stem: str) -> deposit.Slot:
    slot = next((s for s in deposit.slots(convention, year) if s.stem == stem), None)
    if slot is None:
        raise HTTPException(404, f"le dossier {year} n'attend aucun document signé nommé « {stem} »")
    return slot


async def signed_file(request: Request) -> Response:
    convention = _convention(request)
    year = _year(request, convention)
    slot = await run_in_threadpool(_slot, convention, year, request.path_params["stem"])
    path = places.signed_original(convention, slot.stem)
    if not path.is_file() or not path.resolve().is_relative_to(convention.resolve()):
        raise HTTPException(404, f"aucun original signé de « {slot.title} » n'a encore été déposé")
    return FileResponse(path, filename=path.name, content_disposition_type="attachment", media_type="application/pdf")


async def _limited_form(request: Request, limit: int):
    """The multipart form, refused as soon as the body passes ``limit`` bytes (a file part is
    otherwise unbounded in Starlette)."""
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > limit:
        raise TooLarge()

    async def stream():
        total = 0
        async for chunk in request.stream():
            total += len(chunk)
            if total > limit:
                raise TooLarge()
            yield chunk

    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise MultiPartException("formulaire attendu (multipart/form-data)")
    return await MultiPartParser(request.headers, stream(), max_files=1, max_fields=8, max_part_size=4096).parse()


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} Mo"


async def _received(request: Request, refuse, what: str) -> bytes | Response:
    """The one file of a change's form, its size and token checked; else the refusal."""
    state = request.app.state
    try:
        form = await _limited_form(request, state.max_upload + FORM_SLACK)
    except TooLarge:
        return await refuse(413, f"fichier trop gros : le bureau accepte au plus {_megabytes(state.max_upload)}")
    except MultiPartException as exc:
        return await refuse(400, f"envoi illisible : {exc.message}")
    if not guard.posted_token_ok(request, form):
        return await refuse(403, "jeton absent ou faux : rechargez la page du bureau, puis déposez à nouveau")
    upload = form.get("fichier")
    if not isinstance(upload, UploadFile):
        return await refuse(400, f"aucun fichier reçu : choisissez {what}, puis « Déposer »")
    content = await upload.read()
    request.state.fields = {k: v for k, v in form.items() if isinstance(v, str)}
    await form.close()
    if len(content) > state.max_upload:
        return await refuse(413, f"fichier trop gros : le bureau accepte au plus {_megabytes(state.max_upload)}")
    return content


async def drop_signed(request: Request) -> Response:
    """A signed file dropped on its slot: checked, stored, and what changed said."""
    state = request.app.state
    convention = _convention(request)
    year = _year(request, convention)
    stem = (await run_in_threadpool(_slot, convention, year, request.path_params["stem"])).stem  # else 404

    async def refuse(code: int, message: str) -> Response:
        if _wants_json(request):
            return JSONResponse({"ok": False, "erreur": message, "document": stem}, status_code=code)
        return await year_page(request, {"ok": False, "text": message, "stem": stem}, code)

    content = await _received(request, refuse, "le PDF signé")
    if isinstance(content, Response):
        return content
    try:
        result = await run_in_threadpool(deposit.store, convention, state.templates, state.outputs, year, stem, content)
    except PipelineError as exc:
        return await refuse(422, str(exc))
    rebuild = _rebuild(year, result.stale)
    assert result.report is not None  # store always says the year after the drop
    said = {
        "ok": True,
        "document": result.slot.title,
        "stem": result.slot.stem,
        "fichier": result.stored,
        "etat": result.after.state if result.after else "",
        "problemes": result.after.problems if result.after else [],
        "changement": result.changed,
        "reconstruire": rebuild,
        "a_reconstruire": bool(result.stale),
        "etat_annee": year_state(result.report, places.outputs_for(state.outputs, convention))[1],
    }
    if _wants_json(request):
        return JSONResponse(said)
    return await year_page(
        request, {"ok": True, "text": f"{result.stored} déposé — {result.changed}", "more": rebuild, "stem": stem}
    )


def _rebuild(year: int, stale: list[str]) -> str:
    """Whether the year is now to rebuild, and why, as the board says it."""
    if not stale:
        return f"le dossier {year} est à jour : rien à reconstruire"
    return f"le dossier {year} est à reconstruire : {'; '.join(stale[:4])}{' …' if len(stale) > 4 else ''}"


# ---------------------------------------------------------------------------------------------- pieces


def _piece(convention: Path, year: int, code: str) -> pieces.Slot:
    try:
        return pieces.slot_for(convention, year, code)
    except PipelineError as exc:
        raise HTTPException(404, str(exc)) from None


async def piece_file(request: Request) -> Response:
    convention = _convention(request)
    year = _year(request, convention)
    slot = await run_in_threadpool(_piece, convention, year, request.path_params["code"])
    path = pieces.current_file(convention, year, slot)
    if path is None:
        raise HTTPException(404, f"aucun fichier pour la pièce « {slot.label} »")
    return FileResponse(path, filename=path.name, content_disposition_type="attachment")


async def drop_piece(request: Request) -> Response:
    """A piece of article 3 dropped on its slot: recognised, checked as check checks it, stored,
    its year.yaml line rewritten; what changed said, and that the year is to rebuild."""
    state = request.app.state
    convention = _convention(request)
    year = _year(request, convention)
    slot = await run_in_threadpool(_piece, convention, year, request.path_params["code"])  # else 404

    async def refuse(code: int, message: str) -> Response:
        if _wants_json(request):
            return JSONResponse({"ok": False, "erreur": message, "piece": slot.code}, status_code=code)
        return await year_page(request, {"ok": False, "text": message, "piece": slot.code}, code)

    content = await _received(request, refuse, "le fichier de la pièce")
    if isinstance(content, Response):
        return content
    real = request.state.fields.get("specimen") != "oui"
    try:
        result = await run_in_threadpool(
            pieces.store, convention, state.templates, state.outputs, year, slot.code, content, real=real
        )
    except PipelineError as exc:
        return await refuse(422, str(exc))
    rebuild = _rebuild(year, result.stale)
    now = await run_in_threadpool(_piece, convention, year, slot.code)
    if _wants_json(request):
        return JSONResponse(
            {
                "ok": True,
                "piece": now.code,
                "fichier": now.fichier,
                "specimen": now.specimen,
                "rangee": result.stored,
                "changement": result.changed,
                "reconstruire": rebuild,
                "a_reconstruire": bool(result.stale),
                "etat_annee": year_state(result.report, places.outputs_for(state.outputs, convention))[1]
                if result.report
                else "à reconstruire",
            }
        )
    return await year_page(request, {"ok": True, "text": f"{slot.label} : {result.changed}", "more": rebuild, "piece": slot.code})


# ---------------------------------------------------------------------------------------------- templates


def _template_row(request: Request, convention: Path) -> modeles.Row:
    key = request.path_params["key"].removesuffix(".docx")
    try:
        return modeles.row_for(convention, request.app.state.templates, key)
    except PipelineError as exc:
        raise HTTPException(404, str(exc)) from None


async def templates_page(request: Request, notice: dict | None = None, code: int = 200) -> Response:
    convention = _convention(request)
    try:
        rows = await run_in_threadpool(modeles.rows, convention, request.app.state.templates)
    except PipelineError as exc:
        return render(request, "refus.html", 422, title=f"Modèles de {convention.name}", why=str(exc))
    try:
        years = model.dossier_years(convention)
    except PipelineError:
        years = []
    return render(
        request,
        "modeles.html",
        code,
        convention=convention,
        rows=rows,
        notice=notice,
        shared=request.app.state.templates,
        years=years,
    )


async def template_file(request: Request) -> Response:
    convention = _convention(request)
    row = _template_row(request, convention)
    if not row.exists:
        raise HTTPException(404, f"le modèle {row.name} n'existe pas encore")
    return FileResponse(
        row.path,
        filename=row.name,
        content_disposition_type="attachment",
        media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )


async def drop_template(request: Request) -> Response:
    """A new version of a template: judged by check before it replaces anything; stored as the
    convention's own copy, the previous own copy kept; its errors said as check says them."""
    state = request.app.state
    convention = _convention(request)
    row = _template_row(request, convention)

    async def refuse(code: int, message: str, lines: list[str] | None = None) -> Response:
        if _wants_json(request):
            return JSONResponse({"ok": False, "erreur": message, "modele": row.name, "problemes": lines or []}, status_code=code)
        return await templates_page(request, {"ok": False, "text": message, "lines": lines or [], "key": row.key}, code)

    content = await _received(request, refuse, "le modèle Word (.docx)")
    if isinstance(content, Response):
        return content
    try:
        verdict = await run_in_threadpool(modeles.store, convention, state.templates, state.outputs, row.key, content)
    except PipelineError as exc:
        return await refuse(422, str(exc))
    if verdict.problems:
        count = len(verdict.problems)
        return await refuse(
            422,
            f"la vérification (make check) trouve {count} erreur{'s' if count > 1 else ''} dans "
            f"cette version de {row.name} ; le modèle en place n'a pas changé",
            verdict.problems,
        )
    said = (
        f"{row.name} vérifié et enregistré sous {verdict.stored}"
        + (f" ; l'ancienne version est gardée sous {verdict.kept}" if verdict.kept else "")
        + (" ; le modèle commun reste inchangé pour les autres conventions" if verdict.was_shared else "")
        + " — reconstruisez les dossiers pour qu'ils en tiennent compte"
    )
    if _wants_json(request):
        return JSONResponse(
            {
                "ok": True,
                "modele": row.name,
                "changement": said,
                "avertissements": verdict.warnings,
                "non_essaye": verdict.untried,
            }
        )
    return await templates_page(request, {"ok": True, "text": said, "lines": verdict.warnings, "key": row.key})


# ---------------------------------------------------------------------------------------------- preview


def _previewed(request: Request) -> tuple[Path, int, str]:
    convention = _convention(request)
    year = _year(request, convention)
    key = request.path_params["key"]
    try:
        keys = {d.key for d in documents.plan(model.load(convention, year))}
    except PipelineError as exc:
        raise HTTPException(422, str(exc)) from None
    if key not in keys:
        raise HTTPException(404, f"le dossier {year} ne contient pas de document « {key} »")
    return convention, year, key


async def preview_version(request: Request) -> Response:
    convention, year, key = await run_in_threadpool(_previewed, request)
    now = await run_in_threadpool(apercu.version, convention, request.app.state.templates, key)
    return JSONResponse({"version": now})


async def preview_pdf(request: Request) -> Response:
    """The document filled by the build's road and converted, as ``make apercu`` shows it; its
    error, as the command says it, in its place."""
    convention, year, key = await run_in_threadpool(_previewed, request)
    done = await run_in_threadpool(request.app.state.previews.render, convention, year, key)
    if done.error is not None:
        return render(request, "apercu-erreur.html", 422, title="Aperçu impossible", why=f"erreur : {done.error}")
    return FileResponse(
        done.pdf,
        media_type="application/pdf",
        content_disposition_type="inline",
        filename=done.pdf.name,
        headers={"Cache-Control": "no-store", "X-Version": done.version},
    )


# ---------------------------------------------------------------------------------------------- builds


async def start_build(request: Request) -> Response:
    convention = _convention(request)
    year = _year(request, convention)
    try:
        form = await request.form(max_files=0, max_fields=4, max_part_size=1024)
    except HTTPException:
        raise HTTPException(400, "formulaire illisible") from None
    if not guard.posted_token_ok(request, form):
        raise HTTPException(403, "jeton absent ou faux : rechargez la page du bureau, puis relancez")
    final = form.get("version") == "definitive"
    job = request.app.state.builds.start(convention, year, final)
    if _wants_json(request):
        return JSONResponse({"ok": True, "travail": job.id, "flux": f"/travaux/{job.id}/flux"}, status_code=202)
    return RedirectResponse(f"/c/{convention.name}/{year}?travail={job.id}#construction", status_code=303)


def _job(request: Request) -> jobs.Job:
    job = request.app.state.builds.get(request.path_params["job"])
    if job is None:
        raise HTTPException(404, "cette construction n'est pas connue de ce bureau")
    return job


async def job_state(request: Request) -> Response:
    job = _job(request)
    said, done = job.since(0)
    return JSONResponse(
        {
            "travail": job.id,
            "convention": job.convention.name,
            "annee": job.year,
            "definitive": job.final,
            "fini": done,
            "reussi": job.ok,
            "dossier": f"/c/{job.convention.name}/{job.year}/f/{job.dossier.name}"
            if job.ok and job.dossier is not None
            else None,
            "messages": [{"type": s.kind, "texte": s.text} for s in said],
        }
    )


async def job_stream(request: Request) -> Response:
    """The build's progress as server-sent events, from its start (a page opened late sees it all)."""
    job = _job(request)

    async def events():
        index = 0
        while True:
            said, done = job.since(index)
            for s in said:
                data = "\n".join(f"data: {line}" for line in s.text.splitlines() or [""])
                yield f"event: {s.kind}\n{data}\n\n"
            index += len(said)
            if done:
                return
            await asyncio.sleep(0.1)

    return StreamingResponse(
        events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    )
