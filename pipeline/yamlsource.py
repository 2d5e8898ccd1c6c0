"""YAML reading that remembers where every key and item came from (file and line).

Dates are kept as text here (no implicit timestamps) so that an impossible date such as
2023-02-30 is reported by the model with its line, instead of crashing the YAML parser.
"""
from __future__ import annotations

import re
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


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """PyYAML's safe loader, through libyaml when installed (ten times faster to read a year)."""


# No implicit dates: "2023-02-30" must reach the model as text, with its line.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, str):
            key = str(key)
        if key in result:
            raise yaml.MarkedYAMLError(
                problem=f"la clé « {key} » apparaît deux fois (déjà ligne {result.lines[key]})",
                problem_mark=key_node.start_mark,
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = line
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_yaml(path: Path, display: str) -> LineDict:
    """Read one YAML file; any syntax problem becomes an InputError naming file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{display}: fichier introuvable", hint="créez-le ou vérifiez le dossier --inputs") from None
    except UnicodeDecodeError:
        raise InputError(
            f"{display}: le fichier n'est pas en UTF-8",
            hint="enregistrez-le en UTF-8 depuis votre éditeur",
        ) from None
    except OSError as exc:
        raise InputError(f"{display}: illisible ({exc.strerror})") from None
    try:
        data = yaml.load(text, Loader=_Loader)  # _Loader derives from SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        what = exc.problem or "syntaxe YAML incorrecte"
        raise InputError(
            f"{display}{line}: syntaxe YAML incorrecte : {what}",
            hint="vérifiez l'indentation, les deux-points et les guillemets de cette ligne",
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(f"{display}: syntaxe YAML incorrecte : {exc}") from None
    if data is None:
        raise InputError(f"{display}: le fichier est vide", hint="remplissez-le à partir de l'exemple fourni")
    if not isinstance(data, LineDict):
        raise InputError(
            f"{display}:1: le fichier doit contenir des rubriques « clé: valeur », pas {type(data).__name__}"
        )
    return data


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
