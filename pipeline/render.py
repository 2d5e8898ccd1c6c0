"""Fill a Word template with a context: docxtpl in a strict, sandboxed, autoescaping Jinja.

Strict: an unknown variable is an error naming the template and the variable, never a blank.
Sandboxed: a template cannot reach Python internals, files or the environment.
Autoescaping: an '&' or '<' in the data reaches the document intact (docxtpl #105).
Reproducible: the filled .docx is written with fixed zip times (``write_docx``), same data, same bytes.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import re
import zipfile
from pathlib import Path
from typing import Any, Callable

import docx
import jinja2
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.shared import Cm
from docxtpl import DocxTemplate, InlineImage
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from pipeline.errors import TemplateProblem
from pipeline.french import FILTERS, suggestion, typo


def _french_output(value):
    """Every text a template prints gets French spacing before : ; ! ? and inside « »; a
    structure (a dict, a list, a record) is never printed as it is: the document would read
    « {'numero': 1, 'sujet': …} »."""
    if isinstance(value, str) and not hasattr(value, "__html__"):
        return typo(value)
    if isinstance(value, (dict, list, tuple, set)) or (dataclasses.is_dataclass(value) and not isinstance(value, type)):
        raise _Printed(value)
    return value


class _Printed(jinja2.TemplateRuntimeError):
    """A tag printed a structure: ``render`` finds which tag, and says what its elements are."""

    def __init__(self, value):
        self.value = value
        shown = str(value)
        shown = shown if len(shown) <= 60 else shown[:59] + "…"
        super().__init__(f"une balise imprime {_KINDS.get(type(value), 'un enregistrement')} et non un texte (« {shown} »)")


_KINDS = {dict: "un dictionnaire", list: "une liste", tuple: "une liste", set: "un ensemble"}
_TEXTY = ("titre", "nom", "libelle", "sigle", "date")  # the element a reader most likely meant, first


def _elements(value) -> list[str]:
    """The names of a structure's elements, the likeliest to print first (« nom », « titre »…)."""
    if isinstance(value, dict):
        names = [k for k in value if isinstance(k, str)]
    elif dataclasses.is_dataclass(value):
        names = [f.name for f in dataclasses.fields(value)]
    else:
        return []
    return sorted(names, key=lambda n: _TEXTY.index(n) if n in _TEXTY else len(_TEXTY))


def _printed_problem(name: str, template: Path, ctx: dict[str, Any], value) -> TemplateProblem:
    """What to write instead of a tag that printed a structure: its real elements (« .nom »,
    « .sigle »), the tag and its paragraph when they can be found."""
    expr, where, paragraph = _printing_tag(template, ctx, value)
    shown = expr or "…"
    what = str(_Printed(value))
    if isinstance(value, (list, tuple, set)):
        first = next(iter(value), None)
        inner = _elements(first)
        body = f"{{{{ x.{inner[0]} }}}}" if inner else "{{ x }}"
        fix = f"parcourez-la : {{% for x in {shown} %}}{body}{{% endfor %}}" + (
            f" (ses éléments : {_some(inner)})" if inner else f", ou écrivez {{{{ {shown}|join(', ') }}}}"
        )
    else:
        inner = _elements(value)
        fix = (
            (
                "imprimez l'un de ses éléments : "
                + " ou ".join(f"{{{{ {shown}.{n} }}}}" for n in inner[:2])
                + (f" (ses éléments : {_some(inner)})" if len(inner) > 2 else "")
            )
            if inner
            else "imprimez l'un de ses éléments"
        )
    return TemplateProblem.at(name, f"{what} — {fix}", where=where, paragraph=paragraph)


def _some(names: list[str]) -> str:
    return ", ".join(names[:8]) + (", …" if len(names) > 8 else "")


def _printing_tag(template: Path, ctx: dict[str, Any], value) -> tuple[str | None, str | None, str | None]:
    """The tag (« instances.copil », « c ») that printed ``value``, and where: each « {{ … }} » of the
    template is evaluated, a loop's name bound to its list's elements (docxtpl does not say where
    an error is, its #378). Only when a fill failed: opening the template again costs nothing then."""
    try:
        document = docx.Document(str(template))
    except Exception:  # noqa: BLE001 — the template opened for the fill; if not now, say it without a place
        return None, None, None
    places: list[tuple[str, str | None, str]] = [("paragraphe", None, p.text) for p in document.paragraphs]
    places += [
        ("tableau, cellule", None, p.text)
        for table in document.tables
        for row in table.rows
        for cell in row.cells
        for p in cell.paragraphs
    ]
    for section in document.sections:
        places += [
            ("paragraphe", part, p.text)
            for part, paras in (("en-tête", section.header.paragraphs), ("pied de page", section.footer.paragraphs))
            for p in paras
        ]
    plain = [(label, part, _straight(text)) for label, part, text in places]
    loops = [
        (m.group(1), m.group(2))
        for _l, _p, text in plain
        for m in re.finditer(r"\{%-?\s*(?:p|tr|tc|r)?\s*for\s+(\w+)\s+in\s+(.+?)\s*-?%\}", text)
    ]
    env = _render_env()
    for label, part, text in plain:
        for expr in (m.group(1).strip() for m in re.finditer(r"\{\{-?(.+?)-?\}\}", text)):
            if _prints(env, expr, ctx, loops, value):
                text = text.strip()
                shown = f"{label} « {text[:90]}{'…' if len(text) > 90 else ''} »"
                return expr, f"{part}, {shown}" if part else shown, text
    return None, None, None


def _prints(env, expr: str, ctx: dict[str, Any], loops: list[tuple[str, str]], value) -> bool:
    """Whether the tag ``expr`` gives ``value``, alone or with a loop's name bound to an element."""
    try:
        compiled = env.compile_expression(expr)
    except jinja2.TemplateError:
        return False
    bindings: list[dict] = [{}]
    for var, iterable in loops:
        if re.match(rf"{var}\b", expr):
            try:
                items = env.compile_expression(iterable)(**ctx)
            except Exception:  # noqa: BLE001 — a loop over another loop's name: not followed
                continue
            bindings += [{var: item} for item in list(items or [])[:50]]
    for bound in bindings:
        try:
            found = compiled(**{**ctx, **bound})
        except Exception:  # noqa: BLE001 — a name of a loop not bound here, a filter on the wrong type
            continue
        if found is value:
            return True
    return False


def _straight(text: str) -> str:
    """A tag as Word may have typed it, with straight quotes (docxtpl reads it so)."""
    return text.replace("\u2018", "'").replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')


def make_env() -> ImmutableSandboxedEnvironment:
    """The one Jinja environment every template is rendered in."""
    env = _CompilingOnce(undefined=jinja2.StrictUndefined, autoescape=True, finalize=_french_output)
    env.filters.update(FILTERS)
    return env


class _CompilingOnce(ImmutableSandboxedEnvironment):
    """Compiles each distinct template text once: the same template filled for three years,
    or the bordereau filled again with its page numbers, is not parsed again."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._compiled: dict[str, jinja2.Template] = {}

    def from_string(self, source, globals=None, template_class=None):
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        if source not in self._compiled:
            self._compiled[source] = super().from_string(source)
        return self._compiled[source]


@functools.cache
def _render_env() -> ImmutableSandboxedEnvironment:
    """The environment of every fill in this process, so that its compiled templates are kept."""
    return make_env()


_PATCHED: dict[str, str] = {}  # a template part's XML → docxtpl's patched version of it


@functools.cache
def _template_class():
    class Template(DocxTemplate):
        """docxtpl's template, its tag clean-up (a pure function of the XML) done once per text."""

        def patch_xml(self, src_xml):
            if src_xml not in _PATCHED:
                _PATCHED[src_xml] = super().patch_xml(src_xml)
            return _PATCHED[src_xml]

    return Template


def open_template(path: Path):
    """Open a .docx template, or say plainly why it cannot be used."""
    name = path.name
    if not path.is_file():
        raise TemplateProblem(
            f"modèle {name} introuvable dans {path.parent}",
            template=name,
            hint="restaurez-le depuis l'historique (git) ou indiquez le bon dossier --templates",
        )
    if not zipfile.is_zipfile(path):
        raise TemplateProblem.at(
            name, "ce n'est pas un document Word (.docx)", hint="enregistrez-le depuis Word au format « Document Word (.docx) »"
        )
    tpl = _template_class()(path)
    try:
        tpl.render_init()
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise TemplateProblem.at(
            name,
            f"fichier Word abîmé ({exc.__class__.__name__})",
            hint="rouvrez-le dans Word et enregistrez-le à nouveau, ou restaurez la version précédente",
        ) from None
    return tpl


def render(
    template: Path,
    context: dict[str, Any],
    out: Path,
    images: dict[str, tuple[bytes, float]] | None = None,
    finish: Callable[[Any], None] | None = None,
) -> Path:
    """Render one template to ``out``; every Jinja failure becomes a TemplateProblem.

    ``finish(document)`` last touches the filled python-docx document before it is saved."""

    tpl = open_template(template)
    ctx = dict(context)
    for key, (data, width_cm) in (images or {}).items():
        ctx[key] = InlineImage(tpl, io.BytesIO(data), width=Cm(width_cm))
    name = template.name
    try:
        tpl.render(ctx, _render_env(), autoescape=True)
    except jinja2.TemplateSyntaxError as exc:
        filter_named = re.search(r"no filter named '([^']+)'", exc.message or "")
        raise TemplateProblem.at(
            name,
            f"balise mal formée près de « {_excerpt(exc)} » ({_syntax_reason(exc)})",
            name=filter_named.group(1) if filter_named else None,
            hint="corrigez la balise dans Word : chaque {{ se ferme par }}, chaque {% if %} par {% endif %}, "
            "chaque {% for %} par {% endfor %}",
        ) from None
    except jinja2.UndefinedError as exc:
        what, unknown, element = undefined_message(str(exc), ctx)
        raise TemplateProblem.at(
            name,
            what,
            name=unknown,
            element=element,
            hint="vérifiez l'orthographe ; « python -m pipeline variables » liste les noms permis",
        ) from None
    except SecurityError as exc:
        raise TemplateProblem.at(
            name,
            f"accès interdit depuis un modèle ({exc})",
            hint="un modèle ne peut utiliser que les variables et filtres de la liste ; retirez cette balise",
        ) from None
    except _Printed as exc:
        raise _printed_problem(name, template, ctx, exc.value) from None
    except jinja2.TemplateError as exc:
        raise TemplateProblem.at(name, str(exc)) from None
    except (TypeError, ValueError) as exc:
        raise TemplateProblem.at(
            name,
            f"une balise applique un filtre à une valeur qui ne convient pas ({exc})",
            hint="vérifiez le filtre utilisé (date_fr sur une date, montant sur un montant…)",
        ) from None
    except (OverflowError, MemoryError, RecursionError):  # the sandbox's « range too big », a runaway loop
        located = _loop_paragraph(tpl)
        raise TemplateProblem.at(
            name,
            "une boucle ou un calcul sans mesure : un modèle ne fait que quelques "
            "dizaines de tours (une ligne par action, par pièce…)",
            where=located and f"paragraphe « {located[:90]} »",
            paragraph=located,
            hint="parcourez les données ({% for a in bilan.actions %}), pas un range() : retirez cette boucle",
        ) from None
    _fit_table_grids(tpl.docx)
    if finish:
        finish(tpl.docx)
    out.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    tpl.save(buf)
    write_docx(buf.getvalue(), out)
    return out


def _fit_table_grids(document) -> None:
    """Give each table the column widths of its first row after loops added columns.

    docxtpl's {%tc %} loops make every column the same width; the widths set in the
    template's cells are what the author meant, and Word and LibreOffice read the grid.
    """
    for tbl in document.element.body.iter(qn("w:tbl")):
        grid = tbl.find(qn("w:tblGrid"))
        first = tbl.find(qn("w:tr"))
        if grid is None or first is None:
            continue
        widths: list[int] = []
        for tc in first.findall(qn("w:tc")):
            w = tc.find(f"{qn('w:tcPr')}/{qn('w:tcW')}")
            span = tc.find(f"{qn('w:tcPr')}/{qn('w:gridSpan')}")
            if w is None or w.get(qn("w:type")) != "dxa" or span is not None:
                widths = []
                break
            widths.append(w.get(qn("w:w")))
        cols = grid.findall(qn("w:gridCol"))
        if widths and len(widths) == len(cols):
            for col, width in zip(cols, widths):
                col.set(qn("w:w"), width)
            # a fixed table width (LibreOffice writes one) would squeeze the added columns
            tbl_w = tbl.find(f"{qn('w:tblPr')}/{qn('w:tblW')}")
            if tbl_w is not None and tbl_w.get(qn("w:type")) == "dxa":
                tbl_w.set(qn("w:w"), str(sum(int(w) for w in widths)))


def undefined_message(raw: str, ctx: dict[str, Any]) -> tuple[str, str | None, bool]:
    """Turn Jinja's "'x' is undefined" into staff words, with the closest known name; with the
    name in question, and whether it is an element of another value (« bilan.actions »)."""
    m = re.search(r"'([^']+)' is undefined", raw)
    if m:
        name = m.group(1)
        tip = suggestion(name, ctx)
        return f"variable « {name} » inconnue{' — ' + tip if tip else ''}", name, False
    m = re.search(r"has no attribute '([^']+)'", raw)
    if m:
        return f"la variable utilisée n'a pas d'élément « {m.group(1)} »", m.group(1), True
    m = re.search(r"no filter named '([^']+)'", raw)
    if m:
        tip = suggestion(m.group(1), FILTERS)
        return f"filtre « {m.group(1)} » inconnu{' — ' + tip if tip else ''}", m.group(1), False
    return raw, None, False


def _excerpt(exc: jinja2.TemplateSyntaxError) -> str:
    context = getattr(exc, "docx_context", None)
    text = " ".join(s.strip() for s in context if s.strip()) if context else (exc.source or "")
    text = re.sub(r"<[^>]+>", "", text)
    text = re.sub(r"\s+", " ", text).strip()
    return text[:120] + ("…" if len(text) > 120 else "")


def _syntax_reason(exc: jinja2.TemplateSyntaxError) -> str:
    msg = exc.message or ""
    if "no filter named" in msg:
        return undefined_message(msg, {})[0]
    if "Unexpected end of template" in msg:
        return "une balise ouvrante n'est jamais fermée"
    if "unexpected '}'" in msg or "unexpected end of print statement" in msg:
        return "accolades déséquilibrées"
    if "Encountered unknown tag" in msg:
        tag = re.search(r"unknown tag '([^']+)'", msg)
        return f"balise « {tag.group(1) if tag else '?'} » inconnue ou mal placée"
    return msg


# python-docx stamps zip entries with the current time: a filled document gets fixed ones instead
ZIP_TIME = (1980, 1, 1, 0, 0, 0)

# the template's application properties (« Microsoft Macintosh Word », its Normal.dotm) would be
# untrue of the filled document: it says nothing of the software that made it
APP_XML = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    b'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    b"<DocSecurity>0</DocSecurity></Properties>"
)


def write_docx(data: bytes, out: Path) -> None:
    """Rewrite a .docx with fixed zip entry times (same content, same bytes) and neutral
    application properties."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, APP_XML if item.filename == "docProps/app.xml" else source.read(item.filename))
    out.write_bytes(buf.getvalue())


def _loop_paragraph(tpl) -> str | None:
    """The first paragraph of a template holding a range() loop, for an error that names it."""
    for paragraph in tpl.docx.paragraphs:
        if re.search(r"\brange\s*\(", paragraph.text):
            return paragraph.text.strip()
    return None
