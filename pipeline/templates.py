"""The Word templates as the build, ``check`` and the preview all see them: the one road that
fills a document and judges it (``fill``), the context it is filled with (signature spots noted),
the Jinja text of their parts, and their problems, each located.

One road: the build, ``check``'s trial fills and the live preview call ``fill`` with the same
context (the signed originals' states included), the same finishing and the same rules, so that
what ``check`` refuses is never published and what the preview shows is what is built.

Templates are checked the way they will be rendered (docxtpl's own clean-up of Word's runs,
the same sandboxed environment): syntax, unknown variables with the closest known name,
unknown filters, then a trial fill with each year's data, which catches the rest. A build
that fails to fill a template asks the same questions, so its error names the paragraph.
Each problem is a ``TemplateProblem`` whose place is in its attributes, not only in its words.
"""

from __future__ import annotations

import functools
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml import parse_xml
from jinja2 import meta, nodes

from pipeline import places, proofread, render, typesetting
from pipeline.convention import catalogue, context, documents, model, names, signed
from pipeline.convention import text as approved_text
from pipeline.errors import PipelineError, Place, TemplateProblem
from pipeline.french import minuscule, suggestion
from pipeline.office import external
from pipeline.pdf import marks


@dataclass(frozen=True)
class Finding:
    """What a rule says of a filled document: an error stops the build as it fails ``check``; a
    warning is said by both."""

    problem: TemplateProblem
    error: bool = True

    @property
    def message(self) -> str:
        return str(self.problem)


@dataclass
class Filled:
    """One document filled by the one road: its Word file, the signature blocks it marked, and
    what the rules found in it."""

    key: str
    template: Path
    docx: Path
    spots: list[marks.SignatureSpot] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[TemplateProblem]:
        return [f.problem for f in self.findings if f.error]

    @property
    def warnings(self) -> list[str]:
        return [f.message for f in self.findings if not f.error]


def fill(
    data: model.DossierData,
    template: Path,
    out: Path,
    *,
    final: bool,
    signatures: dict[str, signed.OriginalStatus] | None = None,
    pages: dict[str, int] | None = None,
) -> Filled:
    """The one road: fill the document ``template`` stands for (its name is the document's key)
    with the dossier ``data``, finish it as the build does, and judge it with every rule.

    A tag that cannot be filled raises its problem, located; what the filled document says
    wrong is in ``findings``. ``signatures``: the state of each document signed apart, as read in
    ``signes/``; ``pages``: each piece's dossier page (the bordereau's last fills)."""
    key = template.stem
    planned = next((d for d in documents.plan(data) if d.key == key), None)  # None: a template of no document
    # a document signed apart is signed as soon as its own data is real, before the dossier is
    # final: then it carries no PROJET mark (its signed original is compared with this rendering)
    ready = planned is not None and catalogue.signed_apart(key) and documents.not_ready_to_sign(planned, data) is None
    spots: list[marks.SignatureSpot] = []
    ctx = template_context(data, spots, projet=not final and not ready, pages=pages, signatures=signatures)
    try:
        docx = render.render(
            template,
            ctx.variables(),
            out,
            images(key, ctx),
            finish=finishing(key, planned, data) if planned is not None else None,
        )
    except TemplateProblem as exc:
        raise _located(template, exc, data, ctx) from None
    external.strip(docx)  # an image or field of the template linked to an address: never fetched
    filled = Filled(key, template, docx, spots)
    filled.findings += [Finding(TemplateProblem.at(template.name, wrong)) for wrong in catalogue.signature_problems(key, spots)]
    # every variable existed: does the document say what a document of this year must?
    filled.findings += [Finding(TemplateProblem(p, template=template.name)) for p in proofread.problems(template, docx, data)]
    filled.findings += [
        Finding(TemplateProblem(p, template=template.name), error=False) for p in proofread.warnings(template, docx, data)
    ]
    return filled


def stop_on_errors(filled: Filled) -> None:
    """What ``check`` refuses stops the build: the filled document's errors, all of them."""
    error = _as_one(filled.errors, filled.template.name)
    if error is not None:
        raise error


def _as_one(problems: list[TemplateProblem], template: str) -> TemplateProblem | None:
    """One template's problems as the one error a build raises: the problem itself when there is
    one, else all of them listed (each said once)."""
    unique = list({str(p): p for p in problems}.values())
    if len(unique) <= 1:
        return unique[0] if unique else None
    return TemplateProblem(f"{len(unique)} problèmes dans les modèles :\n  " + "\n  ".join(map(str, unique)), template=template)


def finishing(key: str, planned: documents.Planned, data: model.DossierData):
    """What the engine does to a filled document before it is saved: French typography but on
    the approved text, the signature marks, its properties."""

    def finish(document) -> None:
        if not catalogue.SPECS[key].approved_text:
            conv = data.convention
            people: list = [conv.metropole.representant, conv.association.representant, *data.year.copil.presents]
            whole = [conv.association.sigle, conv.metropole.sigle, *(f"{p.prenom} {p.nom}" for p in people if p.prenom)]
            typesetting.french(
                document, {i.sigle: minuscule(i.nom) for i in (conv.copil, conv.cotech)}, [w for w in whole if w and len(w) <= 30]
            )
        marks.signature_bookmarks(document)
        documents.set_properties(document, key, planned, data)

    return finish


def images(key: str, ctx: context.Context) -> dict | None:
    """The pictures a fill of document ``key`` gets, the build's, the preview's and check's
    alike: the chart, for the document that has one (drawn for no other)."""
    spec = catalogue.SPECS.get(key)
    return context.images(ctx) if spec is not None and spec.has_chart else None


def template_context(
    data: model.DossierData,
    spots: list | None = None,
    *,
    projet: bool = True,
    pages: dict[str, int] | None = None,
    signatures: dict[str, signed.OriginalStatus] | None = None,
) -> context.Context:
    """A dossier's context (a draft's by default), its signature tags noted in ``spots``:
    the trial fills of ``check`` and the build's real ones use the same."""
    ctx = context.build_context(data, projet=projet, pages=pages, signatures=signatures)
    ctx.signature = marks.make_signature([] if spots is None else spots)
    return ctx


def template_sources(tpl) -> list[tuple[str, str]]:
    """The Jinja text of each part of the document, as docxtpl will see it."""
    found = [("corps du document", tpl.patch_xml(tpl.get_xml()))]
    for uri, label in ((tpl.HEADER_URI, "en-tête"), (tpl.FOOTER_URI, "pied de page")):
        for _rel, part in tpl.get_headers_footers(uri):
            found.append((label, tpl.patch_xml(tpl.xml_to_string(parse_xml(part.blob)))))
    return found


def used_names(path: Path) -> set[str]:
    """The variables a template reads (its own loops' and « set »'s names aside)."""
    used: set[str] = set()
    for _where, xml in template_sources(render.open_template(path)):
        analysis = _analysed(xml)
        used |= analysis.undeclared if analysis.undeclared is not None else meta.find_undeclared_variables(analysis.ast)
    return used


@dataclass(frozen=True)
class _Analysis:
    """What the Jinja text of a template's part says of itself: its tree (read, never changed),
    the filters it names that do not exist, and the names it reads (None while a filter is
    unknown: the analysis compiles, which needs known filters)."""

    ast: nodes.Template
    unknown_filters: tuple[str, ...]
    undeclared: frozenset[str] | None


@functools.lru_cache(maxsize=128)
def _analysed(xml: str) -> _Analysis:
    """The analysis of one part's text, done once per distinct text: ``check`` asks it of each
    template for every convention, the bureau at each page, the build before each fill. A text
    Jinja refuses raises its TemplateSyntaxError (never kept). The shipped templates have 24
    parts, their analyses under a megabyte."""
    env = _analysis_env()
    ast = env.parse(xml)
    unknown = tuple(sorted({n.name for n in ast.find_all(nodes.Filter)} - set(env.filters)))
    return _Analysis(ast, unknown, None if unknown else frozenset(meta.find_undeclared_variables(ast)))


@functools.cache
def _analysis_env() -> jinja2.Environment:
    return render.make_env()


def check_template(
    path: Path,
    loaded: list[model.DossierData],
    *,
    trial: bool = True,
    users: list[model.DossierData] | None = None,
    final: bool = False,
    states: dict[int, dict[str, signed.OriginalStatus]] | None = None,
    warnings: list[str] | None = None,
    known: names.Names | None = None,
) -> list[TemplateProblem]:
    """The problems of one template, each naming the template, where, and what to do.

    ``trial=False`` skips the trial fills (a build does the real one right after); ``users``:
    the dossiers the template is part of (the bilan is not in the first year's), by default all.
    Each trial fill goes the build's road (``fill``), with ``final`` and each year's signed
    originals' ``states``; its warnings are added to ``warnings``. ``known``: the names
    ``template_names(loaded)`` gives, when the caller checks several templates with the same data.
    """
    try:
        tpl = render.open_template(path)
    except TemplateProblem as exc:
        return [exc]
    env = _analysis_env()
    known = template_names(loaded) if known is None else known
    problems: list[TemplateProblem] = []
    for where, xml in template_sources(tpl):
        try:
            analysis = _analysed(xml)
        except jinja2.TemplateSyntaxError as exc:
            line = xml.splitlines()[max(0, (exc.lineno or 1) - 1)] if xml else ""
            text = re.sub(r"<[^>]+>", "", line).strip()[:120]
            problems.append(
                TemplateProblem.at(
                    path.name,
                    f"balise mal formée ({render._syntax_reason(exc)}) — chaque {{{{ se ferme par }}}}, "
                    f"chaque {{% if %}} par {{% endif %}}, chaque {{% for %}} par {{% endfor %}}",
                    where=f"{where}, paragraphe « {text} »",
                    paragraph=text,
                )
            )
            continue
        ast, unknown_filters = analysis.ast, analysis.unknown_filters
        for flt in unknown_filters:
            tip = suggestion(flt, sorted(env.filters))
            tip = f" — {tip}" if tip else ""
            problems.append(
                TemplateProblem.at(path.name, f"filtre « {flt} » inconnu{tip}", name=flt, **_place(tpl, flt, part=where))
            )
        if analysis.undeclared is not None:  # the variable analysis compiles, which needs known filters
            top = {p for p in known.known if "." not in p}
            for name in sorted(analysis.undeclared - top):
                problems.append(
                    TemplateProblem.at(
                        path.name,
                        f"variable « {name} » inconnue — {known.hint(name)}",
                        name=name,
                        **_place(tpl, name, part=where),
                    )
                )
            for dotted in _wrong_paths(ast, known):
                problems.append(
                    TemplateProblem.at(
                        path.name,
                        f"« {dotted} » n'existe pas — {known.hint(dotted)}",
                        name=dotted,
                        **_place(tpl, dotted, dotted.rsplit(".", 1)[-1], part=where),
                    )
                )
    if problems or not trial:
        return problems
    seen: set[str] = {str(p) for p in problems}  # one year's fill stops at its first error: the next may show another
    with tempfile.TemporaryDirectory() as tmp:
        for data in loaded if users is None else users:  # a trial fill with each dossier's data catches the rest
            try:
                filled = fill(data, path, Path(tmp) / path.name, final=final, signatures=(states or {}).get(data.year.annee))
            except TemplateProblem as exc:
                located = _in_year(exc, data.year.annee)
                if str(located) not in seen:
                    seen.add(str(located))
                    problems.append(located)
                continue
            for problem in filled.errors:
                if str(problem) not in seen:
                    seen.add(str(problem))
                    problems.append(problem)
            if warnings is not None:
                warnings += [w for w in filled.warnings if w not in warnings]
    return problems


def text_disagreements(convention_dir: Path, templates: Path) -> list[str]:
    """Where convention.yaml and the convention's own text disagree (chantiers, article 3): a
    warning, from ``check`` and the build alike, since only a person can tell which is wrong."""

    path = places.template_for(convention_dir, templates, "convention.docx")
    try:
        conv, _ = model.load_convention(convention_dir)
        said = approved_text.disagreements(conv, path) if path.is_file() else []
    except (PipelineError, PackageNotFoundError, ValueError, KeyError, zipfile.BadZipFile):
        return []  # a broken file or text: reported by the checks of data and templates
    return [f"{model.display(path)} : {line}" for line in said]


def _located(path: Path, error: TemplateProblem, data: model.DossierData, ctx: context.Context) -> TemplateProblem:
    """A fill's error said as ``check`` says it: the template's problems as its analysis finds
    them, else the fill's own error, located (docxtpl locates errors only roughly, its #378)."""
    analysed = _as_one(check_template(path, [data], trial=False), path.name)
    if analysed is not None:
        return analysed
    try:
        tpl = render.open_template(path)
    except TemplateProblem as exc:
        return exc
    return _empty_bilan(path, error, tpl, ctx) or with_location(path, error, tpl)


def template_names(loaded: list[model.DossierData]) -> names.Names:
    """The names templates may write, from every dossier's context; with no data that loads,
    from the context's types alone, so that data errors do not hide template errors."""
    return names.names(context.Context, [template_context(data) for data in loaded])


def _wrong_paths(ast, known: names.Names) -> list[str]:
    """The dotted names (« bilan.finances.reste », « dates['appel'] ») a template writes that
    cannot exist; names its own loops and « set » define are its own."""
    own = {n.name for n in ast.find_all(nodes.Name) if n.ctx in ("store", "param")}
    wrong = []
    for node in ast.find_all((nodes.Getattr, nodes.Getitem)):
        parts = []
        while isinstance(node, (nodes.Getattr, nodes.Getitem)):
            if isinstance(node, nodes.Getattr):
                parts.append(node.attr)
            elif isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
                parts.append(node.arg.value)
            else:
                parts = []  # an index computed at fill time: from there on, not ours to judge
            node = node.node
        if not isinstance(node, nodes.Name) or node.name in own or not parts:
            continue
        bad = known.missing(".".join([node.name, *reversed(parts)]))
        if bad and "." in bad and bad not in wrong:
            wrong.append(bad)
    return sorted(wrong)


def _empty_bilan(path: Path, error: TemplateProblem, tpl, ctx) -> TemplateProblem | None:
    """The first year has no bilan: a template that reads one outside « {% if bilan %} » fails
    there, and « vérifiez l'orthographe » would send its author the wrong way."""
    if ctx.bilan is not None or not error.element or not re.fullmatch(r"\w+", error.name or ""):
        return None
    dotted = f"bilan.{error.name}"
    if not any(re.search(rf"\bbilan\s*\.\s*{error.name}\b", xml) for _where, xml in template_sources(tpl)):
        return None
    place = _place(tpl, dotted)
    return TemplateProblem.at(
        path.name,
        "le bilan est vide la première année : entourez ce passage de {% if bilan %} … {% endif %}",
        where=place["where"] or "corps du document",
        paragraph=place["paragraph"],
        name=dotted,
    )


def with_location(path: Path, problem: TemplateProblem, tpl=None) -> TemplateProblem:
    """A rendering error said with the paragraph or cell that uses the name it is about.

    docxtpl does not say where an error is (its #378): the name is looked for in the text.
    """
    if not problem.name:
        return problem
    try:
        tpl = tpl or render.open_template(path)
    except TemplateProblem:
        return problem
    place = _place(tpl, problem.name)
    return problem.placed(place["where"] or "", place["paragraph"]) if place["paragraph"] is not None else problem


def _in_year(problem: TemplateProblem, year: int) -> TemplateProblem:
    """A trial fill's problem, saying with which year's data it appeared."""
    return TemplateProblem(
        f"{problem} (données {year})",
        template=problem.template,
        where=problem.where,
        paragraph=problem.paragraph,
        name=problem.name,
        element=problem.element,
    )


def _place(tpl, *names: str, part: str | None = None) -> Place:
    """``where`` and ``paragraph`` of a problem about the first of ``names`` a paragraph (or a table's
    cell) shows beside a tag: « <part>, paragraphe « … » », so that staff find it in Word; ``part``
    alone when none does."""
    for name in names:
        for label, text in _paragraphs(tpl):
            if re.search(rf"\b{re.escape(name)}\b", text) and "{" in text:
                text = text.strip()
                shown = f"{label} « {text[:90]}{'…' if len(text) > 90 else ''} »"
                return {"where": f"{part}, {shown}" if part else shown, "paragraph": text}
    return {"where": part, "paragraph": None}


def _paragraphs(tpl):
    """(label, text) of every paragraph of a template: its body's, its tables' cells', its
    headers' and footers'."""
    doc = tpl.docx
    yield from (("paragraphe", p.text) for p in doc.paragraphs)
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from (("tableau, cellule", p.text) for p in cell.paragraphs)
    for section in doc.sections:
        yield from (("paragraphe", p.text) for p in section.header.paragraphs + section.footer.paragraphs)
