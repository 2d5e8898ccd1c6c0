"""YAML reading that remembers where every key and item came from (file and line).

A value means what staff wrote, never what YAML 1.1 would make of it: only ``true`` and
``false`` are booleans (« NO », « on », « yes » stay texts), numbers are decimal (« 010 » is ten,
never eight), « 14:30 » is not 870 minutes, and a number keeps its spelling for a text field
(``WrittenInt``: a SIRET « 00012345600001 » or a reference « 012 » stay as written). Dates are kept
as text here (no implicit timestamps) so that an impossible date such as 2023-02-30 is reported
by the model with its line, instead of crashing the YAML parser. These are the rules of YAML 1.2
for what a data file holds.

A file the parser refuses is said in French, at its line, with what to do (``_french``): the
parser's own English never reaches staff.
"""

from __future__ import annotations

import pickle
import re
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

import yaml

from pipeline.errors import InputError


class LineDict(dict):
    """A mapping that knows the line of each of its keys."""

    line: int = 0
    lines: dict


class LineList(list):
    """A sequence that knows the line of each of its items."""

    line: int = 0
    lines: list


class WrittenInt(int):
    """A whole number that remembers how it was written: ``010`` is ten for a number field and
    « 010 » for a text field (a code, a reference, a postal code)."""

    written: str

    def __new__(cls, value, written: str | None = None):
        number = super().__new__(cls, value)
        number.written = str(value) if written is None else written
        return number


class WrittenFloat(float):
    """A decimal number that remembers how it was written (« 1.10 » stays « 1.10 » in a text,
    « 20000.00 » reaches an amount without passing through binary floating point)."""

    written: str

    def __new__(cls, value, written: str | None = None):
        number = super().__new__(cls, value)
        number.written = str(value) if written is None else written
        return number


_QUOTES = 'écrivez la valeur entre guillemets droits ("…")'


class _Refused(yaml.MarkedYAMLError):
    """A file the parser accepts but whose meaning would not be what staff wrote."""

    def __init__(self, problem: str, todo: str, mark):
        super().__init__(problem=problem, problem_mark=mark)
        self.todo = todo


# YAML 1.2's core schema, without the YAML 1.1 readings that change what staff wrote
_RESOLVERS = [
    ("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")),
    ("tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789")),
    ("tag:yaml.org,2002:float", re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)$"), list("-+.0123456789")),
    ("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]),
]
_TIMESTAMP = (
    "tag:yaml.org,2002:timestamp",
    dict(yaml.resolver.Resolver.yaml_implicit_resolvers["2"])["tag:yaml.org,2002:timestamp"],
    list("0123456789"),
)


def _resolvers(dates: bool) -> dict:
    table: dict = {}
    for tag, regexp, firsts in _RESOLVERS + ([_TIMESTAMP] if dates else []):
        for first in firsts:
            table.setdefault(first, []).append((tag, regexp))
    return table


def _number(kind, written: bool):
    def construct(loader, node):
        text = loader.construct_scalar(node)
        try:
            value = int(text, 10) if kind is int else float(text)
        except ValueError:  # only where a tag (« !!int ») asks for a number that is none
            raise _Refused(
                f"« {text} » n'est pas un nombre écrit en chiffres", "retirez « !!int » ou « !!float »", node.start_mark
            ) from None
        return (WrittenInt if kind is int else WrittenFloat)(value, text) if written else value

    return construct


def _source_char(loader, mark) -> str:
    """The character of the file at ``mark`` (libyaml's marks do not carry the text)."""
    lines = getattr(loader, "source_lines", [])
    if mark is None or mark.line >= len(lines):
        return ""
    line = lines[mark.line]
    return line[mark.column] if mark.column < len(line) else ""


def _refuse_anchor(loader, node) -> None:
    """« &Co » at the start of a value is a YAML anchor: the « &Co » is silently dropped."""
    if _source_char(loader, node.start_mark) == "&":
        raise _Refused("une valeur ne peut pas commencer par « & »", _QUOTES, node.start_mark)


def _construct_mapping(loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.lines = {}
    for key_node, value_node in node.value:
        _refuse_anchor(loader, value_node)
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, str):
            key = getattr(key, "written", str(key))
        if key in result:
            raise _Refused(
                f"la clé « {key} » apparaît deux fois (déjà ligne {result.lines[key]})",
                "gardez une seule des deux lignes",
                key_node.start_mark,
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = line
    return result


def _construct_sequence(loader, node: yaml.SequenceNode) -> LineList:
    for child in node.value:
        _refuse_anchor(loader, child)
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.lines = [child.start_mark.line + 1 for child in node.value]
    return result


def loader_over(base: Any) -> Any:
    """The loader of the data files on one of PyYAML's safe loaders (libyaml's, or PyYAML's own
    where libyaml is missing): YAML 1.2's readings, lines kept, numbers as written."""
    loader: Any = type(f"Data{base.__name__}", (base,), {"yaml_constructors": dict(base.yaml_constructors)})
    loader.yaml_implicit_resolvers = _resolvers(dates=False)
    loader.add_constructor("tag:yaml.org,2002:int", _number(int, written=True))
    loader.add_constructor("tag:yaml.org,2002:float", _number(float, written=True))
    loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
    return loader


def plain_loader_over(base: Any) -> Any:
    """The same loader with plain values (dates as dates, numbers as numbers), for ``cycle.peek``:
    the same refusals (a key twice, « & »…), only the scalars are read otherwise."""
    loader: Any = loader_over(base)
    loader.__name__ = f"Plain{base.__name__}"
    loader.yaml_implicit_resolvers = _resolvers(dates=True)
    loader.add_constructor("tag:yaml.org,2002:int", _number(int, written=False))
    loader.add_constructor("tag:yaml.org,2002:float", _number(float, written=False))
    return loader


_FAST = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # through libyaml when installed (ten times faster)
_Loader = loader_over(_FAST)
PlainLoader = plain_loader_over(_FAST)


def load_yaml(path: Path, display: str, *, loader: type | None = None) -> LineDict:
    """Read one YAML file; any syntax problem becomes an InputError naming file and line."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{display}: fichier introuvable", hint="créez-le ou vérifiez le dossier --inputs") from None
    except OSError as exc:
        raise InputError(f"{display}: illisible ({exc.strerror})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{display}:{line}: le fichier n'est pas en UTF-8 (un caractère de cette ligne est illisible)",
            hint="enregistrez-le en UTF-8 depuis votre éditeur (« Enregistrer sous », codage UTF-8), puis vérifiez "
            "les accents de cette ligne",
        ) from None
    lines = text.splitlines()
    try:
        result = _parse(loader or _Loader, text, lines)
    except yaml.MarkedYAMLError as exc:
        line, what, todo = _french(exc, lines)
        raise InputError(f"{display}:{line}: syntaxe YAML incorrecte : {what}", hint=todo) from None
    except yaml.YAMLError:  # a character the parser refuses, not placed by a mark
        line, what, todo = _unreadable(text)
        raise InputError(f"{display}:{line}: syntaxe YAML incorrecte : {what}", hint=todo) from None
    if result is None:
        raise InputError(f"{display}: le fichier est vide", hint="remplissez-le à partir de l'exemple fourni")
    if not isinstance(result, LineDict):
        raise InputError(f"{display}:1: le fichier doit contenir des rubriques « clé: valeur », pas {type(result).__name__}")
    return result


_PARSED: OrderedDict[tuple[type, str], bytes] = OrderedDict()  # (loader, text) → its result, pickled
_PARSED_MAX = 128
_PARSED_LOCK = threading.Lock()  # the bureau reads from several threads


def _parse(loader: type, text: str, lines: list[str]):
    """The file's values, read once per distinct text: a build, ``check`` and ``status`` read the
    same year.yaml several times, the bureau at every page. Each caller gets its own copy (a
    pickled one, four times cheaper than reading again); a text the reader refuses is never kept."""
    key = (loader, text)
    with _PARSED_LOCK:
        kept = _PARSED.get(key)
        if kept is not None:
            _PARSED.move_to_end(key)
    if kept is not None:
        return pickle.loads(kept)
    reader = loader(text)
    reader.source_lines = lines  # for the checks that look at what the file wrote (« & »)
    try:
        result = reader.get_single_data()
    finally:
        reader.dispose()
    pickled = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    with _PARSED_LOCK:
        _PARSED[key] = pickled
        if len(_PARSED) > _PARSED_MAX:
            _PARSED.popitem(last=False)
    return result


# --------------------------------------------------------------------------- the parser's problems, in French

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")


def _unreadable(text: str) -> tuple[int, str, str]:
    """The reader's refusal: an invisible control character (often pasted from another program)."""
    found = _CONTROL.search(text)
    if found is None:
        return 1, "le fichier contient un caractère que YAML refuse", "enregistrez-le à nouveau en texte UTF-8"
    line = text[: found.start()].count("\n") + 1
    return (
        line,
        f"caractère invisible (U+{ord(found.group()):04X}) dans cette ligne",
        "effacez-le (il vient souvent d'un copier-coller) et retapez les caractères autour",
    )


def _french(exc: yaml.MarkedYAMLError, lines: list[str]) -> tuple[int, str, str]:
    """(line, what is wrong, what to do) for one of the parser's problems, whichever parser
    (libyaml or PyYAML) worded it; a generic sentence at the line when none fits."""
    if isinstance(exc, _Refused):
        return exc.problem_mark.line + 1, exc.problem, exc.todo
    problem, context = exc.problem or "", exc.context or ""
    mark, opened = exc.problem_mark or exc.context_mark, exc.context_mark or exc.problem_mark
    line, start = (mark.line + 1 if mark else 1), (opened.line + 1 if opened else 1)  # start: where it began
    char = _char(lines, mark)
    quote = _open_quote(lines, mark.line) if mark else None
    if quote is not None:
        at, q = quote
        return at, f"guillemet « {q} » ouvert et jamais fermé", f"fermez-le à la fin de la valeur, sur la même ligne ({q}…{q})"
    if "mapping values are not allowed" in problem:
        return line, "deux-points suivi d'une espace au milieu d'une valeur", _QUOTES
    indent = re.sub(r"^(\s*).*$", r"\1", lines[mark.line], flags=re.S) if mark and mark.line < len(lines) else ""
    if "tab character" in problem or char == "\t" or "\t" in indent:
        return line, "tabulation dans l'indentation", "indentez avec des espaces, comme les lignes voisines"
    if ("cannot start any token" in problem or "node content" in problem) and char.strip():
        return line, f"une valeur ne peut pas commencer par « {char} »", _QUOTES
    if "could not find expected ':'" in problem:
        return (
            start,
            "ligne sans deux-points après sa clé",
            "écrivez « clé: valeur » ; un texte qui continue à la ligne suivante s'indente davantage que sa clé",
        )
    if "alias" in problem or "alias" in context or "anchor" in context:
        first = _char(lines, opened) if "anchor" in context or "alias" in context else char
        return line, f"une valeur ne peut pas commencer par « {first or '*'} »", _QUOTES
    if "tag" in problem:
        return line, "une valeur ne peut pas commencer par « ! »", _QUOTES
    if "escape" in problem:
        return (
            line,
            "barre oblique inverse « \\ » entre guillemets doubles",
            "doublez-la (\\\\) ou mettez la valeur entre guillemets simples ('…')",
        )
    if "']'" in problem:
        return (
            start,
            "crochet « [ » ouvert et jamais fermé",
            "fermez la liste par « ] » sur la même ligne ; si le crochet fait partie du texte, " + _QUOTES,
        )
    if "'}'" in problem:
        return (
            start,
            "accolade « { » ouverte et jamais fermée",
            "fermez-la par « } » sur la même ligne ; si l'accolade fait partie du texte, " + _QUOTES,
        )
    if "block scalar" in context:
        return (
            line,
            "après « | » ou « > », le texte commence à la ligne suivante",
            "passez à la ligne après le signe, ou " + _QUOTES,
        )
    if "block collection" in context or "'-' indicator" in problem:
        return line, "indentation incorrecte dans une liste", "chaque élément commence par « - », aligné sur les autres éléments"
    if "expected key" in problem or "block end" in problem:
        if char == "-":
            return line, "élément de liste « - » mal placé", "indentez-le sous la clé de sa liste"
        before = lines[mark.line][: mark.column].rstrip() if mark and mark.line < len(lines) else ""
        if before.endswith(('"', "'")):
            return (
                line,
                "du texte suit le guillemet fermant",
                "mettez toute la valeur entre guillemets, ou retirez les guillemets",
            )
        return (
            line,
            "indentation incorrecte",
            "alignez cette ligne sur les clés de sa rubrique (le même nombre d'espaces en début de ligne)",
        )
    return line, "ligne mal écrite", "vérifiez l'indentation, les deux-points et les guillemets de cette ligne"


def _char(lines: list[str], mark) -> str:
    if mark is None or mark.line >= len(lines):
        return ""
    line = lines[mark.line]
    return line[mark.column] if mark.column < len(line) else ""


_OPENING = re.compile(r"""^\s*(?:-\s+)*(?:[^\s#'"][^#]*?:\s+(?:-\s+)*)?(["'])(.*)$""")


def _closes(quote: str, text: str) -> int | None:
    """Where a quoted value opened before ``text`` ends in it (the position after the closing
    quote), or None: « '' » is an apostrophe inside single quotes, « \\" » a quote inside double."""
    i = 0
    while i < len(text):
        if quote == '"' and text[i] == "\\":
            i += 2
            continue
        if text[i] == quote:
            if quote == "'" and text[i + 1 : i + 2] == "'":
                i += 2
                continue
            return i + 1
        i += 1
    return None


def _open_quote(lines: list[str], problem_line: int) -> tuple[int, str] | None:
    """The line (1-based) and the quote of a quoted value opened and not closed on its own line,
    when the parser's problem comes from it: the value ran on to the next quote of the file (or to
    its end), and what followed no longer made sense."""
    opened: tuple[int, str] | None = None
    for number, text in enumerate(lines[: problem_line + 1]):
        if opened is not None:
            if _closes(opened[1], text) is None:
                continue
            if number == problem_line:
                return opened[0] + 1, opened[1]
            opened = None
            continue
        match = _OPENING.match(text)
        if match and _closes(match.group(1), match.group(2)) is None:
            opened = (number, match.group(1))
    return (opened[0] + 1, opened[1]) if opened is not None else None


def line_of(data: LineDict, dotted: str) -> int | None:
    """The line where a 'a.b[2].c' path sits in loaded YAML, for checks made after loading."""
    node: Any = data
    line = getattr(data, "line", None)
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", dotted):
        if part.startswith("["):
            index = int(part[1:-1]) - 1
            if not isinstance(node, LineList) or index >= len(node):
                return line
            line, node = node.lines[index], node[index]
        else:
            if not isinstance(node, LineDict) or part not in node:
                return line
            line, node = node.lines[part], node[part]
    return line
