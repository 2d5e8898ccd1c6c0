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

import jinja2
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
        shown = str(value)
        shown = shown if len(shown) <= 60 else shown[:59] + "…"
        raise jinja2.TemplateRuntimeError(
            f"une balise imprime {_KINDS.get(type(value), 'un enregistrement')} et non un texte (« {shown} ») — "
            "imprimez l'un de ses éléments (par exemple {{ x.titre }}) ou parcourez-la avec {% for %}")
    return value


_KINDS = {dict: "un dictionnaire", list: "une liste", tuple: "une liste", set: "un ensemble"}


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
    from docxtpl import DocxTemplate

    class Template(DocxTemplate):
        """docxtpl's template, its tag clean-up (a pure function of the XML) done once per text."""

        def patch_xml(self, src_xml):
            if src_xml not in _PATCHED:
                _PATCHED[src_xml] = super().patch_xml(src_xml)
            return _PATCHED[src_xml]

    return Template


def open_template(path: Path):
    """Open a .docx template, or say plainly why it cannot be used."""
    from docx.opc.exceptions import PackageNotFoundError

    name = path.name
    if not path.is_file():
        raise TemplateProblem(f"modèle {name} introuvable dans {path.parent}", template=name,
                              hint="restaurez-le depuis l'historique (git) ou indiquez le bon dossier --templates")
    if not zipfile.is_zipfile(path):
        raise TemplateProblem.at(name, "ce n'est pas un document Word (.docx)",
                                 hint="enregistrez-le depuis Word au format « Document Word (.docx) »")
    tpl = _template_class()(path)
    try:
        tpl.render_init()
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise TemplateProblem.at(name, f"fichier Word abîmé ({exc.__class__.__name__})",
                                 hint="rouvrez-le dans Word et enregistrez-le à nouveau, ou restaurez la version précédente") from None
    return tpl


def render(template: Path, context: dict[str, Any], out: Path, images: dict[str, tuple[bytes, float]] | None = None,
           finish: Callable[[Any], None] | None = None) -> Path:
    """Render one template to ``out``; every Jinja failure becomes a TemplateProblem.

    ``finish(document)`` last touches the filled python-docx document before it is saved."""
    from docx.shared import Cm
    from docxtpl import InlineImage

    tpl = open_template(template)
    ctx = dict(context)
    for key, (data, width_cm) in (images or {}).items():
        ctx[key] = InlineImage(tpl, io.BytesIO(data), width=Cm(width_cm))
    name = template.name
    try:
        tpl.render(ctx, _render_env(), autoescape=True)
    except jinja2.TemplateSyntaxError as exc:
        unknown = re.search(r"no filter named '([^']+)'", exc.message or "")
        raise TemplateProblem.at(
            name, f"balise mal formée près de « {_excerpt(exc)} » ({_syntax_reason(exc)})",
            name=unknown.group(1) if unknown else None,
            hint="corrigez la balise dans Word : chaque {{ se ferme par }}, chaque {% if %} par {% endif %}, "
                 "chaque {% for %} par {% endfor %}") from None
    except jinja2.UndefinedError as exc:
        what, unknown, element = undefined_message(str(exc), ctx)
        raise TemplateProblem.at(
            name, what, name=unknown, element=element,
            hint="vérifiez l'orthographe ; « python -m pipeline variables » liste les noms permis") from None
    except SecurityError as exc:
        raise TemplateProblem.at(
            name, f"accès interdit depuis un modèle ({exc})",
            hint="un modèle ne peut utiliser que les variables et filtres de la liste ; retirez cette balise") from None
    except jinja2.TemplateError as exc:
        raise TemplateProblem.at(name, str(exc)) from None
    except (TypeError, ValueError) as exc:
        raise TemplateProblem.at(name, f"une balise applique un filtre à une valeur qui ne convient pas ({exc})",
                                 hint="vérifiez le filtre utilisé (date_fr sur une date, montant sur un montant…)") from None
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
    from docx.oxml.ns import qn

    for tbl in document.element.body.iter(qn("w:tbl")):
        grid = tbl.find(qn("w:tblGrid"))
        first = tbl.find(qn("w:tr"))
        if grid is None or first is None:
            continue
        widths = []
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
APP_XML = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
           b'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
           b'<DocSecurity>0</DocSecurity></Properties>')


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
