"""``check``: validate every year's data and every template without building anything."""
from __future__ import annotations

from pathlib import Path

from pipeline import documents, model, render
from pipeline.errors import ExitCode, InputError, PipelineError


def check_all(inputs: Path, templates: Path, *, final: bool = False) -> tuple[list[tuple[int, str]], list[str]]:
    """Every problem at once, as (exit code, line); and the warnings."""
    problems: list[tuple[int, str]] = []
    warnings: list[str] = []
    try:
        years = model.convention_years(inputs)
    except PipelineError as exc:
        return _lines(exc), warnings
    contexts = []
    for year in years:
        try:
            loaded = model.load(inputs, year, final=final)
            warnings.extend(loaded.warnings)
            contexts.append(loaded)
        except PipelineError as exc:
            problems.extend(_lines(exc))
    for spec in documents.DOCUMENTS:
        try:
            render.open_template(templates / f"{spec.key}.docx")
        except PipelineError as exc:
            problems.extend(_lines(exc))
    return problems, warnings


def _lines(exc: PipelineError) -> list[tuple[int, str]]:
    if isinstance(exc, InputError) and len(exc.problems) > 1:
        return [(int(exc.exit_code), p) for p in exc.problems]
    return [(int(exc.exit_code), str(exc))]


def exit_code(problems: list[tuple[int, str]]) -> list[int]:
    return [code for code, _ in problems] or [int(ExitCode.OK)]
