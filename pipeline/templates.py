"""The Word templates as the build and ``check`` both see them: the context they are filled with
(signature spots noted), the Jinja text of their parts, and their problems, each located.

Templates are checked the way they will be rendered (docxtpl's own clean-up of Word's runs,
the same sandboxed environment): syntax, unknown variables with the closest known name,
unknown filters, then a trial fill with each year's data, which catches the rest. A build
that fails to fill a template asks the same questions, so its error names the paragraph.
Each problem is a ``TemplateProblem`` whose place is in its attributes, not only in its words.
"""
from __future__ import annotations

import re
import tempfile
from pathlib import Path

import jinja2
from jinja2 import meta, nodes

from pipeline import proofread, render
from pipeline.convention import catalogue, context, model, names
from pipeline.errors import TemplateProblem
from pipeline.french import suggestion
from pipeline.pdf import marks


def images(key: str, ctx: context.Context) -> dict | None:
    """The pictures a fill of document ``key`` gets, the build's, the preview's and check's
    alike: the chart, for the document that has one (drawn for no other)."""
    spec = catalogue.SPECS.get(key)
    return context.images(ctx) if spec is not None and spec.has_chart else None


def template_context(data: model.DossierData, spots: list | None = None, *, projet: bool = True,
                     pages: dict[str, int] | None = None, signatures: dict[str, str] | None = None
                     ) -> context.Context:
    """A dossier's context (a draft's by default), its signature tags noted in ``spots``:
    the trial fills of ``check`` and the build's real ones use the same."""
    ctx = context.build_context(data, projet=projet, pages=pages, signatures=signatures)
    ctx.signature = marks.make_signature([] if spots is None else spots)
    return ctx


def template_sources(tpl) -> list[tuple[str, str]]:
    """The Jinja text of each part of the document, as docxtpl will see it."""
    from docx.oxml import parse_xml

    found = [("corps du document", tpl.patch_xml(tpl.get_xml()))]
    for uri, label in ((tpl.HEADER_URI, "en-tête"), (tpl.FOOTER_URI, "pied de page")):
        for _rel, part in tpl.get_headers_footers(uri):
            found.append((label, tpl.patch_xml(tpl.xml_to_string(parse_xml(part.blob)))))
    return found


def used_names(path: Path) -> set[str]:
    """The variables a template reads (its own loops' and « set »'s names aside)."""
    env = render.make_env()
    used: set[str] = set()
    for _where, xml in template_sources(render.open_template(path)):
        used |= meta.find_undeclared_variables(env.parse(xml))
    return used


def check_template(path: Path, loaded: list[model.DossierData], *, trial: bool = True,
                   fill: list[model.DossierData] | None = None) -> list[TemplateProblem]:
    """The problems of one template, each naming the template, where, and what to do.

    ``trial=False`` skips the trial fills (a build does the real one right after); ``fill``:
    the dossiers the template is part of (the bilan is not in the first year's), by default all.
    """
    try:
        tpl = render.open_template(path)
    except TemplateProblem as exc:
        return [exc]
    env = render.make_env()
    known = template_names(loaded)
    problems: list[TemplateProblem] = []
    for where, xml in template_sources(tpl):
        try:
            ast = env.parse(xml)
        except jinja2.TemplateSyntaxError as exc:
            line = xml.splitlines()[max(0, (exc.lineno or 1) - 1)] if xml else ""
            text = re.sub(r"<[^>]+>", "", line).strip()[:120]
            problems.append(TemplateProblem.at(
                path.name, f"balise mal formée ({render._syntax_reason(exc)}) — chaque {{{{ se ferme par }}}}, "
                           f"chaque {{% if %}} par {{% endif %}}, chaque {{% for %}} par {{% endfor %}}",
                where=f"{where}, paragraphe « {text} »", paragraph=text))
            continue
        unknown_filters = sorted({n.name for n in ast.find_all(nodes.Filter)} - set(env.filters))
        for flt in unknown_filters:
            tip = suggestion(flt, sorted(env.filters))
            tip = f" — {tip}" if tip else ""
            problems.append(TemplateProblem.at(path.name, f"filtre « {flt} » inconnu{tip}", name=flt,
                                               **_place(tpl, flt, part=where)))
        if not unknown_filters:  # the variable analysis compiles, which needs known filters
            top = {p for p in known.known if "." not in p}
            for name in sorted(meta.find_undeclared_variables(ast) - top):
                problems.append(TemplateProblem.at(path.name, f"variable « {name} » inconnue — {known.hint(name)}",
                                                   name=name, **_place(tpl, name, part=where)))
            for dotted in _wrong_paths(ast, known):
                problems.append(TemplateProblem.at(
                    path.name, f"« {dotted} » n'existe pas — {known.hint(dotted)}", name=dotted,
                    **_place(tpl, dotted, dotted.rsplit(".", 1)[-1], part=where)))
    if problems or not trial:
        return problems
    seen: set[str] = set()  # one year's fill stops at its first error: the next may show another
    with tempfile.TemporaryDirectory() as tmp:
        for data in loaded if fill is None else fill:  # a trial fill with each dossier's data catches the rest
            spots: list = []
            try:
                ctx = template_context(data, spots)
                render.render(path, ctx.variables(), Path(tmp) / path.name, images(path.stem, ctx))
            except TemplateProblem as exc:
                located = _empty_bilan(path, exc, tpl, ctx) or with_location(path, exc, tpl)
                if str(located) not in seen:
                    seen.add(str(located))
                    problems.append(_in_year(located, data.year.annee))
                continue
            said = [str(p) for p in problems]
            problems += [TemplateProblem.at(path.name, wrong) for wrong in catalogue.signature_problems(path.stem, spots)
                         if f"modèle {path.name} : {wrong}" not in said]
            # every variable existed: does the document say what a document of this year must?
            said = [str(p) for p in problems]
            problems += [TemplateProblem(p, template=path.name)
                         for p in proofread.problems(path, Path(tmp) / path.name, data) if p not in said]
    return problems


def build_error(path: Path, error: TemplateProblem, loaded: list[model.DossierData]) -> TemplateProblem:
    """What a build says when a template fails to fill: the template's problems as ``check``
    finds them, else the fill's own error, located (docxtpl locates errors only roughly, its #378)."""
    problems = check_template(path, loaded, trial=False) or [with_location(path, error)]
    if len(problems) == 1:
        return problems[0]
    return TemplateProblem(f"{len(problems)} problèmes dans les modèles :\n  " + "\n  ".join(map(str, problems)),
                           template=path.name)


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
    return TemplateProblem.at(path.name, "le bilan est vide la première année : entourez ce passage de "
                                         "{% if bilan %} … {% endif %}",
                              where=place["where"] or "corps du document", paragraph=place["paragraph"], name=dotted)


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
    return problem.placed(**place) if place["paragraph"] is not None else problem


def _in_year(problem: TemplateProblem, year: int) -> TemplateProblem:
    """A trial fill's problem, saying with which year's data it appeared."""
    return TemplateProblem(f"{problem} (données {year})", template=problem.template, where=problem.where,
                           paragraph=problem.paragraph, name=problem.name, element=problem.element)


def _place(tpl, *names: str, part: str | None = None) -> dict[str, str | None]:
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
