"""House rules a newcomer relies on: one home for the environment settings, listed in the
README; one list of system packages, read by the install script and the engine's hints; the
engine asks the catalogue about a document instead of comparing its key."""

import ast
import re
import subprocess
from pathlib import Path

from pipeline.convention import catalogue
from pipeline.office import programs

ROOT = Path(__file__).resolve().parent.parent


def test_every_environment_variable_is_read_in_settings_and_listed_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    read = set()
    for path in (ROOT / "pipeline").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        names = set(re.findall(r"""os\.environ\.get\(\s*["']([A-Z0-9_]+)""", text))
        if path.name == "settings.py":  # read through small helpers: every name it quotes
            names |= set(re.findall(r"""\(\s*["']([A-Z][A-Z0-9_]{3,})["']""", text))
        if path.name not in ("settings.py", "lo_worker.py"):  # the worker runs in LibreOffice's Python
            assert not names, f"{path.relative_to(ROOT)} reads {names}: read it through pipeline/settings.py"
        read |= names
    assert {"PIPELINE_SOFFICE", "PIPELINE_PKCS12_PASSWORD", "SOURCE_DATE_EPOCH", "LO_START_TIMEOUT"} <= read
    for name in read:
        assert f"| `{name}` |" in readme, f"{name} is missing from the README's table of variables"


def test_one_list_of_system_packages():
    listed = [
        line.strip()
        for line in (ROOT / "pipeline" / "office" / "packages.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert "libreoffice-writer-nogui" in listed and programs.APT_PACKAGES.split() == listed
    script = (ROOT / "tools" / "setup-system.sh").read_text(encoding="utf-8")
    assert "packages.txt" in script and "libreoffice-writer-nogui" not in script
    shown = subprocess.run(
        ["sh", "-c", ". /dev/stdin; echo $PACKAGES"],
        input=script.split("missing=")[0].replace('"$(dirname "$0")', f'"{ROOT}/tools'),
        capture_output=True,
        text=True,
    )
    assert shown.stdout.split() == listed, shown.stderr


def _key_literal(node: ast.AST, literals: set[str]) -> str | None:
    """The document key (or template name) a literal spells, alone or in a tuple, list or set."""
    if isinstance(node, ast.Constant) and node.value in literals:
        return node.value
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return next((said for e in node.elts if (said := _key_literal(e, literals))), None)
    return None


def test_the_engine_asks_the_catalogue_instead_of_comparing_document_keys():
    """Outside convention/, no module compares a document key to a literal (« key == 'bilan' »)
    or keeps one as a constant: it asks the document's spec (lists_pieces, has_chart, own_text,
    signed_once…), so that a document added to the catalogue needs no engine change."""
    keys = {spec.key for spec in catalogue.DOCUMENTS}
    literals = keys | {f"{key}.docx" for key in keys}
    found = []
    for path in sorted((ROOT / "pipeline").rglob("*.py")):
        where = path.relative_to(ROOT)
        if where.parts[1] == "convention":  # the catalogue's own package may name its documents
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Compare) and any(isinstance(op, (ast.Eq, ast.NotEq, ast.In, ast.NotIn)) for op in node.ops):
                said = next((s for side in (node.left, *node.comparators) if (s := _key_literal(side, literals))), None)
                if said:
                    found.append(f"{where}:{node.lineno} compares with « {said} »")
        for node in tree.body:
            value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
            if value is not None and (said := _key_literal(value, literals)):
                found.append(f"{where}:{node.lineno} keeps « {said} » as a constant")
    assert not found, "ask the catalogue's DocumentSpec instead:\n" + "\n".join(found)


def _imports(path: Path) -> set[str]:
    """The pipeline modules a file imports, at its top, inside a function or under ``if
    TYPE_CHECKING:`` (a type read only by a checker is still an arrow: the model's loop with the
    rules hid there, and splitting the schema from the loader dissolved it)."""
    import ast

    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in found if name.startswith("pipeline.") and _module_file(name) is not None}


def _module_file(name: str) -> Path | None:
    base = ROOT.joinpath(*name.split("."))
    return next((p for p in (base.with_suffix(".py"), base / "__init__.py") if p.is_file()), None)


def test_the_recipe_does_not_need_the_check_command():
    """The build fills templates through the templates room, not through ``check``'s module."""
    for start in ("pipeline.build", "pipeline.schedule", "pipeline.dossier"):
        seen, todo = set(), [start]
        while todo:
            name = todo.pop()
            if name not in seen:
                seen.add(name)
                todo += _imports(_module_file(name))
        assert "pipeline.checks" not in seen, f"{start} reaches pipeline.checks"


def test_pdf_holds_only_pdf_craft():
    """No module of pipeline/pdf/ draws pictures (the chart is the convention's) or writes a .docx
    (render.write_docx does)."""
    import ast

    for path in sorted((ROOT / "pipeline" / "pdf").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = {node.module} | {f"{node.module}.{a.name}" for a in node.names}
            elif isinstance(node, ast.Import):
                names = {a.name for a in node.names}
            else:
                names = set()
            drawing = {n for n in names if n.startswith("matplotlib") or n in ("PIL.ImageDraw", "PIL.ImageFont")}
            assert not drawing, f"{path.name} imports {drawing}"
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "ZipFile":
                mode = [a.value for a in node.args[1:2] if isinstance(a, ast.Constant)]
                mode += [k.value.value for k in node.keywords if k.arg == "mode" and isinstance(k.value, ast.Constant)]
                assert not any(str(m).startswith(("w", "a", "x")) for m in mode), f"{path.name} writes a zip (.docx)"
            if isinstance(node, ast.FunctionDef):
                assert "docx" not in node.name, f"{path.name} defines {node.name}"


def test_no_import_cycle_even_counting_the_imports_inside_functions():
    """The floors hold: no module of pipeline/ reaches itself again through what it imports, at
    its top or lazily inside a function (a cycle hidden by a lazy import breaks the day someone
    moves that import up)."""
    modules = {
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__") for p in (ROOT / "pipeline").rglob("*.py")
    }
    graph = {name: _imports(_module_file(name)) & modules for name in modules}
    for name in graph:  # a package's own __init__ is not an arrow back up
        graph[name] = {m for m in graph[name] if not name.startswith(m + ".") and m != name}
    cycles, state = [], {}

    def visit(name, path):
        state[name] = "open"
        for nxt in sorted(graph[name]):
            if state.get(nxt) == "open":
                cycles.append(" → ".join(path[path.index(nxt) :] + [nxt]))
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert not cycles, "import cycles:\n" + "\n".join(cycles)
