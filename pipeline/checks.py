"""``check``: validate every year's data and every template without building anything.

Templates are checked the way they will be rendered (docxtpl's own clean-up of Word's runs,
the same sandboxed environment): syntax, unknown variables with the closest known name,
unknown filters, then a trial fill with each year's data, which catches the rest.
"""
from __future__ import annotations

import re
import tempfile
import zipfile
from pathlib import Path

import jinja2
from jinja2 import meta, nodes

from pipeline import places, proofread, render
from pipeline.convention import catalogue, context, documents, model, names
from pipeline.errors import ExitCode, InputError, PipelineError, TemplateProblem
from pipeline.french import suggestion
from pipeline.pdf import marks


def check_all(inputs: Path, templates: Path, *, final: bool = False, outputs: Path | None = None,
              annotate_into: list[Path] | None = None) -> tuple[list[tuple[int, str]], list[str], list[str]]:
    """Every problem at once, as (exit code, line); the warnings; and what is only information:
    in the middle of a period, the later years have no data yet, which is no fault. The signed
    originals are checked too, their text against the documents published in ``outputs`` when
    those are today's."""
    problems: list[tuple[int, str]] = []
    warnings: list[str] = []
    notes: list[str] = []
    try:
        period = model.convention_years(inputs)
        years = model.dossier_years(inputs)
    except PipelineError as exc:
        return _lines(exc), warnings, notes
    if not years:  # a convention just created: its own file still says what is left to fill
        try:
            found, said = model.convention_findings(inputs, final=final)
        except PipelineError as exc:
            return _lines(exc), warnings, notes
        problems += [(int(ExitCode.INPUT), line) for line in found]
        warnings += said
    missing = [y for y in period if y not in years]
    if missing:
        notes.append(f"pas encore de données pour {', '.join(map(str, missing))}")
    loaded = []
    for year in years:
        try:
            result = model.load(inputs, year, final=final)
            warnings.extend(w for w in result.warnings if w not in warnings)
            loaded.append(result)
            _signed_originals(result, templates, outputs, final, problems, warnings, notes)
        except PipelineError as exc:
            problems.extend(line for line in _lines(exc) if line not in problems)
    for spec in catalogue.DOCUMENTS:
        path = places.template_for(inputs, templates, f"{spec.key}.docx")
        if not path.is_file() and spec.own_text:
            problems.append((int(ExitCode.TEMPLATE), f"{path.parent} : la convention n'a pas son propre texte "
                             f"(convention.docx) — chaque convention a le sien : placez-y le texte approuvé en Word"))
            continue
        users = [i for i in loaded if spec.key in {d.key for d in documents.plan(i)}]
        found = check_template(path, loaded, fill=users)
        problems.extend((int(ExitCode.TEMPLATE), line) for line in found)
        if annotate_into is not None and path.is_file():
            written = annotate(path, found)  # a fixed template loses its stale copy
            if written is not None:
                annotate_into.append(written)
    warnings += _text_disagrees(inputs, templates)
    return problems, warnings, notes


def _text_disagrees(inputs: Path, templates: Path) -> list[str]:
    """Where convention.yaml and the convention's own text disagree (chantiers, article 3): a
    warning, since only a person can tell which is wrong."""
    from docx.opc.exceptions import PackageNotFoundError

    from pipeline.convention import text

    path = places.template_for(inputs, templates, "convention.docx")
    try:
        conv, _ = model.load_convention(inputs)
        said = text.disagreements(conv, path) if path.is_file() else []
    except (PipelineError, PackageNotFoundError, ValueError, KeyError, zipfile.BadZipFile):
        return []  # a broken file or text: reported by the checks of data and templates
    return [f"{model.display(path)} : {line}" for line in said]


def _signed_originals(inputs: model.Inputs, templates: Path, outputs: Path | None, final: bool,
                      problems: list, warnings: list, notes: list) -> None:
    """The signed originals of one dossier: a breach is an error with --final, else a warning."""
    from pipeline import publish, status

    out = places.outputs_for(outputs, inputs.root) if outputs is not None else None
    year = inputs.year.annee
    today = out is not None and publish.up_to_date(out, inputs.root, year, templates, final=final)
    if not today and any(places.signed_original(inputs.root, d.stem).is_file() for d in documents.plan(inputs)):
        note = f"{year} : le texte des documents signés sera comparé aux données à la construction (make dossier YEAR={year})"
        if note not in notes:
            notes.append(note)
    for message, breach in status.signed_problems(inputs, out / str(year) if today else None):
        if breach and final:
            line = (int(ExitCode.SIGNATURE), message)
            if line not in problems:
                problems.append(line)
        elif message + (" (erreur avec --final)" if breach else "") not in warnings:
            warnings.append(message + (" (erreur avec --final)" if breach else ""))


def variables(convention: Path, templates: Path, template: str | None,
              year: int | None) -> tuple[int, list[tuple[str, str, str, str]]]:
    """What ``variables`` lists: (name, type, meaning, value) of every variable, with the values of
    ``year`` (by default the first with a bilan); with ``template``, only those it uses."""
    from pipeline.convention import reference

    years = model.dossier_years(convention) or model.convention_years(convention)
    inputs = model.load(convention, year or years[min(1, len(years) - 1)])
    only = None
    if template:
        path = places.template_for(convention, templates, template if template.endswith(".docx")
                                   else f"{template}.docx")
        env = render.make_env()
        only = set()
        for _where, xml in template_sources(render.open_template(path)):
            only |= meta.find_undeclared_variables(env.parse(xml))
    return inputs.year.annee, reference.rows(template_context(inputs), only)


def template_context(inputs: model.Inputs, spots: list | None = None, *, projet: bool = True,
                     pages: dict[str, int] | None = None, signatures: dict[str, str] | None = None
                     ) -> context.Context:
    """A dossier's context (a draft's by default), its signature tags noted in ``spots``:
    the trial fills of ``check`` and the build's real ones use the same."""
    ctx = context.build_context(inputs, projet=projet, pages=pages, signatures=signatures)
    ctx.signature = marks.make_signature([] if spots is None else spots)
    return ctx


def check_template(path: Path, loaded: list[model.Inputs], *, trial: bool = True,
                   fill: list[model.Inputs] | None = None) -> list[str]:
    """The problems of one template, each naming the template, where, and what to do.

    ``trial=False`` skips the trial fills (a build does the real one right after); ``fill``:
    the dossiers the template is part of (the bilan is not in the first year's), by default all.
    """
    try:
        tpl = render.open_template(path)
    except TemplateProblem as exc:
        return [str(exc)]
    env = render.make_env()
    known = template_names(loaded)
    problems = []
    for where, xml in template_sources(tpl):
        try:
            ast = env.parse(xml)
        except jinja2.TemplateSyntaxError as exc:
            line = xml.splitlines()[max(0, (exc.lineno or 1) - 1)] if xml else ""
            text = re.sub(r"<[^>]+>", "", line).strip()[:120]
            problems.append(f"modèle {path.name} ({where}, paragraphe « {text} ») : balise mal formée "
                            f"({render._syntax_reason(exc)}) — chaque {{{{ se ferme par }}}}, chaque {{% if %}} par "
                            f"{{% endif %}}, chaque {{% for %}} par {{% endfor %}}")
            continue
        unknown_filters = sorted({n.name for n in ast.find_all(nodes.Filter)} - set(env.filters))
        for flt in unknown_filters:
            tip = suggestion(flt, sorted(env.filters))
            tip = f" — {tip}" if tip else ""
            problems.append(f"modèle {path.name} ({where}{_around(tpl, flt)}) : filtre « {flt} » inconnu{tip}")
        if not unknown_filters:  # the variable analysis compiles, which needs known filters
            top = {p for p in known.known if "." not in p}
            for name in sorted(meta.find_undeclared_variables(ast) - top):
                problems.append(f"modèle {path.name} ({where}{_around(tpl, name)}) : variable « {name} » inconnue "
                                f"— {known.hint(name)}")
            for dotted in _wrong_paths(ast, known):
                problems.append(f"modèle {path.name} ({where}{_around(tpl, dotted) or _around(tpl, dotted.rsplit('.', 1)[-1])})"
                                f" : « {dotted} » n'existe pas — {known.hint(dotted)}")
    if problems or not trial:
        return problems
    with tempfile.TemporaryDirectory() as tmp:
        for inputs in loaded if fill is None else fill:  # a trial fill with each dossier's data catches the rest
            spots: list = []
            try:
                ctx = template_context(inputs, spots)
                render.render(path, ctx.variables(), Path(tmp) / path.name, context.images(ctx) or None)
            except TemplateProblem as exc:
                line = f"{_empty_bilan(path, str(exc), tpl, ctx) or with_location(path, str(exc), tpl)} " \
                       f"(données {inputs.year.annee})"
                if line.rsplit(" (données", 1)[0] not in [p.rsplit(" (données", 1)[0] for p in problems]:
                    problems.append(line)  # one year's fill stops at its first error: the next may show another
                continue
            problems += [f"modèle {path.name} : {problem}" for problem in catalogue.signature_problems(path.stem, spots)
                         if f"modèle {path.name} : {problem}" not in problems]
            # every variable existed: does the document say what a document of this year must?
            problems += [p for p in proofread.problems(path, Path(tmp) / path.name, inputs) if p not in problems]
    return problems


def template_names(loaded: list[model.Inputs]) -> names.Names:
    """The names templates may write, from every dossier's context; with no data that loads,
    from the context's types alone, so that data errors do not hide template errors."""
    return names.names(context.Context, [template_context(inputs) for inputs in loaded])


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


def _empty_bilan(path: Path, message: str, tpl, ctx) -> str | None:
    """The first year has no bilan: a template that reads one outside « {% if bilan %} » fails
    there, and « vérifiez l'orthographe » would send its author the wrong way."""
    named = re.search(r"n'a pas d'élément « (\w+) »", message)
    if ctx.bilan is not None or not named:
        return None
    dotted = f"bilan.{named.group(1)}"
    if not any(re.search(rf"\bbilan\s*\.\s*{named.group(1)}\b", xml) for _where, xml in template_sources(tpl)):
        return None
    return (f"modèle {path.name} ({_around(tpl, dotted).lstrip(', ') or 'corps du document'}) : le bilan est vide "
            f"la première année : entourez ce passage de {{% if bilan %}} … {{% endif %}}")


def with_location(path: Path, message: str, tpl=None) -> str:
    """Add to a rendering error the paragraph or cell that uses the name it quotes.

    docxtpl does not say where an error is (its #378): the name is looked for in the text.
    """
    named = re.search(r"« ([\w.]+) »", message)
    if not named:
        return message
    try:
        tpl = tpl or render.open_template(path)
    except TemplateProblem:
        return message
    where = _around(tpl, named.group(1))
    if not where:
        return message
    return message.replace(f"modèle {path.name} :", f"modèle {path.name} ({where.lstrip(', ')}) :", 1)


def template_sources(tpl) -> list[tuple[str, str]]:
    """The Jinja text of each part of the document, as docxtpl will see it."""
    from docx.oxml import parse_xml

    found = [("corps du document", tpl.patch_xml(tpl.get_xml()))]
    for uri, label in ((tpl.HEADER_URI, "en-tête"), (tpl.FOOTER_URI, "pied de page")):
        for _rel, part in tpl.get_headers_footers(uri):
            found.append((label, tpl.patch_xml(tpl.xml_to_string(parse_xml(part.blob)))))
    return found


def _around(tpl, name: str) -> str:
    """', paragraphe « … »' (or ', tableau, cellule « … »') where the name appears, so staff
    find it in Word."""
    doc = tpl.docx
    places = [("paragraphe", p) for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                places.extend(("tableau, cellule", p) for p in cell.paragraphs)
    for section in doc.sections:
        places.extend(("paragraphe", p) for p in section.header.paragraphs + section.footer.paragraphs)
    for label, p in places:
        if re.search(rf"\b{re.escape(name)}\b", p.text) and ("{" in p.text):
            text = p.text.strip()
            return f", {label} « {text[:90]}{'…' if len(text) > 90 else ''} »"
    return ""


def _lines(exc: PipelineError) -> list[tuple[int, str]]:
    if isinstance(exc, InputError) and len(exc.problems) > 1:
        return [(int(exc.exit_code), p) for p in exc.problems]
    return [(int(exc.exit_code), str(exc))]


def exit_code(problems: list[tuple[int, str]]) -> list[int]:
    return [code for code, _ in problems] or [int(ExitCode.OK)]


ANNOTATOR = "Vérification des modèles"
ANNOTATED = ".erreurs.docx"


def annotate(path: Path, problems: list[str]) -> Path | None:
    """Write ``<name>.erreurs.docx`` beside a faulty template: a copy with a Word comment on each
    faulty tag, saying what is wrong and what to write instead; the template itself is never
    touched. A template without problems loses its stale copy."""
    import docx

    target = path.with_name(path.stem + ANNOTATED)
    if not problems:
        target.unlink(missing_ok=True)
        return None
    document = docx.Document(path)
    body = list(_all_paragraphs(document))
    for problem in problems:
        anchor = _anchor(body, problem)
        if anchor is None:  # a header, a footer, or a tag gone missing: the first paragraph carries it
            anchor = next((p for p in body if p.runs), None)
            problem = f"(ailleurs dans le modèle) {problem}"
        if anchor is None:
            continue
        document.add_comment(anchor.runs, text=_short(problem, path), author=ANNOTATOR, initials="VM")
    document.save(target)
    return target


def _all_paragraphs(document):
    yield from document.paragraphs
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs


def _anchor(paragraphs, problem: str):
    """The paragraph a problem is about: the one quoting the text the message quotes."""
    quoted = re.findall(r"« ([^»]+?) »", problem)
    for needle in quoted:
        needle = needle.rstrip("…").strip()
        for paragraph in paragraphs:
            if paragraph.runs and needle and needle in paragraph.text and "{" in paragraph.text:
                return paragraph
    return None


def _short(problem: str, path: Path) -> str:
    """The message without the template's name (the comment sits in it)."""
    return re.sub(rf"^modèle {re.escape(path.name)}( \([^)]*\))? : ", "", problem)
