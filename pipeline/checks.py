"""``check``: validate every year's data and every template without building anything.

The templates' own questions (their context, their problems, where each one is) are the
templates room's, shared with the build; here, what the command adds: every year and every
template at once, the signed originals, the report, the commented copies of ``--annotate``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import docx

from pipeline import originals_status, places, publish
from pipeline.convention import catalogue, documents, model, trial
from pipeline.errors import ExitCode, InputError, PipelineError, TemplateProblem
from pipeline.templates import check_template, template_context, template_names, text_disagreements, used_names


@dataclass
class CheckReport:
    """What ``check`` found: the problems as (exit code, line), the warnings, and what is only
    information."""

    problems: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    untried: list[str] = field(default_factory=list)  # the templates no fill could try, and why

    @property
    def exit_code(self) -> int:
        """The gravest problem's code (the highest), or OK."""
        return max((code for code, _ in self.problems), default=int(ExitCode.OK))


def check_all(
    convention_dir: Path,
    templates: Path,
    *,
    final: bool = False,
    outputs: Path | None = None,
    annotate_into: list[Path] | None = None,
    candidate: Path | None = None,
) -> CheckReport:
    """Every problem at once; the warnings; and what is only information: in the middle of a
    period, the later years have no data yet, which is no fault. The signed originals are
    checked too, their text against the documents published in ``outputs`` when those are today's.

    ``candidate``: a new version of one template (named as the template it would replace, e.g.
    ``appel.docx``), judged alone in its place, before it replaces anything (le bureau)."""
    report = CheckReport()
    problems, warnings, notes = report.problems, report.warnings, report.notes
    try:
        period = model.convention_years(convention_dir)
        years = model.dossier_years(convention_dir)
    except PipelineError as exc:
        return CheckReport(_lines(exc))
    if not years:  # a convention just created: its own file still says what is left to fill
        try:
            found, said = model.convention_findings(convention_dir, final=final)
        except PipelineError as exc:
            return CheckReport(_lines(exc))
        problems += [(int(ExitCode.INPUT), line) for line in found]
        warnings += said
    missing = [y for y in period if y not in years]
    if missing:
        notes.append(f"pas encore de données pour {', '.join(map(str, missing))}")
    loaded, states = [], {}
    for year in years:
        try:
            result = model.load(convention_dir, year, final=final)
            warnings.extend(w for w in result.warnings if w not in warnings)
            loaded.append(result)
            states[year] = _signed_originals(result, templates, outputs, final, problems, warnings, notes)
        except PipelineError as exc:
            problems.extend(line for line in _lines(exc) if line not in problems)
    # each year's own compte rendu financier, sent apart with its letter (make crf): its data and
    # signed originals checked, and its templates tried with it, as its build will fill them
    sendings, sending_states = [], {}
    for year in model.crf_years(convention_dir) if len(loaded) == len(years) else []:
        try:
            result = model.load_sending(convention_dir, year, final=final)
            warnings.extend(w for w in result.warnings if w not in warnings)
            sendings.append(result)
            sending_states[year] = _signed_originals(result, templates, outputs, final, problems, warnings, notes)
        except PipelineError as exc:
            problems.extend(line for line in _lines(exc) if line not in problems)
    # the roles no year with data plays yet (a bilan, the closing dossier): tried with trial data
    tried = [t for t in trial.trials(loaded) if t.data.year.annee not in years] if len(loaded) == len(years) else []
    # no year has drawn up its compte rendu financier yet (it waits for June N+1): a trial sending
    crf_trial = trial.sending(loaded) if len(loaded) == len(years) and not model.crf_years(convention_dir) else None
    tried += [crf_trial] if crf_trial is not None else []
    if tried:
        notes.append(
            "modèles essayés aussi avec des données d'essai, faute d'année qui joue ce rôle : "
            + ", ".join(f"{t.data.year.annee} ({t.role})" for t in tried)
        )
    known = template_names(loaded)  # the names every template may write: the same for each of them
    for spec in catalogue.DOCUMENTS:
        if candidate is not None and candidate.name != f"{spec.key}.docx":
            continue
        path = candidate or places.template_for(convention_dir, templates, f"{spec.key}.docx")
        if not path.is_file() and spec.own_text:
            problems.append(
                (
                    int(ExitCode.TEMPLATE),
                    f"{path.parent} : la convention n'a pas son propre texte "
                    f"(convention.docx) — chaque convention a le sien : placez-y le texte approuvé en Word",
                )
            )
            continue
        users = [i for i in loaded if spec.key in {d.key for d in documents.plan(i)}]
        faults = check_template(path, loaded, users=users, final=final, states=states, warnings=warnings, known=known)
        sent = [i for i in sendings if spec.key in {d.key for d in documents.plan(i)}]
        if not faults and sent:
            faults = check_template(path, loaded, users=sent, final=final, states=sending_states, warnings=warnings, known=known)
        users += sent
        trials = [t for t in tried if spec.key in {d.key for d in documents.plan(t.data)}]
        if not faults and trials:
            said = []
            faults = [
                _on_trial(fault, trials)
                for fault in check_template(path, loaded, users=[t.data for t in trials], final=final, warnings=said, known=known)
            ]
            warnings += [_on_trial_line(w, trials) for w in said if _on_trial_line(w, trials) not in warnings]
        if not users and not trials and path.is_file():
            why = (
                f"aucune année n'a encore de données : il le sera dès la première (make new-year YEAR={period[0]})"
                if not years
                else "les données ne se chargent pas : il le sera une fois leurs erreurs corrigées"
                if len(loaded) < len(years)
                else "aucun dossier de cette convention ne le contient"
            )
            report.untried.append(f"{model.display(path)} non essayé : {why}")
        problems.extend((int(ExitCode.TEMPLATE), str(fault)) for fault in faults)
        if annotate_into is not None and path.is_file():
            written = annotate(path, faults)  # a fixed template loses its stale copy
            if written is not None:
                annotate_into.append(written)
    if candidate is None:
        warnings += [w for w in text_disagreements(convention_dir, templates) if w not in warnings]
    return report


def _on_trial_line(line: str, trials: list[trial.Trial]) -> str:
    """A trial fill's finding, saying it was found with trial data and for which role."""
    for t in trials:
        year = t.data.year.annee
        if f"(données {year})" in line:
            why = (
                "aucune année n'a encore de compte rendu financier établi"
                if t.data.sending
                else "aucune année n'a encore de données pour ce rôle"
            )
            return line.replace(f"(données {year})", f"(données d'essai {year}, rôle « {t.role} » : {why})")
    return line


def _on_trial(fault: TemplateProblem, trials: list[trial.Trial]) -> TemplateProblem:
    said = _on_trial_line(str(fault), trials)
    return (
        fault
        if said == str(fault)
        else TemplateProblem(
            said, template=fault.template, where=fault.where, paragraph=fault.paragraph, name=fault.name, element=fault.element
        )
    )


def _signed_originals(
    data: model.DossierData, templates: Path, outputs: Path | None, final: bool, problems: list, warnings: list, notes: list
) -> dict:
    """The signed originals of one dossier, examined once: their text compared with the
    documents published in ``outputs`` when those are today's (else by the next build); a
    breach is an error with --final, else a warning. Returns their states, which the trial
    fills give the build's road, as the build's fills have them."""
    out = places.outputs_for(outputs, data.convention_dir) if outputs is not None else None
    if out is not None and data.sending:
        out = places.crf_outputs(out)
    year = data.year.annee
    today = out is not None and publish.up_to_date(out, data.convention_dir, year, templates, final=final)
    if not today and any(places.signed_original(data.convention_dir, d.stem).is_file() for d in documents.plan(data)):
        make = f"make crf YEAR={year}" if data.sending else f"make dossier YEAR={year}"
        what = f"{year} (compte rendu financier envoyé à part)" if data.sending else str(year)
        note = f"{what} : le texte des documents signés sera comparé aux données à la construction ({make})"
        if note not in notes:
            notes.append(note)
    states = originals_status.of_year(
        data, rendered=originals_status.published(out / str(year) if today and out is not None else None)
    )
    for finding in (f for state in states.values() for f in state.findings):
        if finding.stops(final=final):
            line = (int(ExitCode.SIGNATURE), finding.message)
            if line not in problems:
                problems.append(line)
        elif finding.said(final=final) not in warnings:
            warnings.append(finding.said(final=final))
    return states


def variables(
    convention: Path, templates: Path, template: str | None, year: int | None
) -> tuple[int, list[tuple[str, str, str, str]]]:
    """What ``variables`` lists: (name, type, meaning, value) of every variable, with the values of
    ``year`` (by default the first with a bilan); with ``template``, only those it uses."""
    # lazy: only « variables » reads the reference (~60 ms)
    from pipeline.convention import reference

    years = model.dossier_years(convention) or model.convention_years(convention)
    data = model.load(convention, year or years[min(1, len(years) - 1)])
    only = None
    if template:
        only = used_names(
            places.template_for(convention, templates, template if template.endswith(".docx") else f"{template}.docx")
        )
    return data.year.annee, reference.rows(template_context(data), only)


def _lines(exc: PipelineError) -> list[tuple[int, str]]:
    if isinstance(exc, InputError) and len(exc.problems) > 1:
        return [(int(exc.exit_code), p) for p in exc.problems]
    return [(int(exc.exit_code), str(exc))]


ANNOTATOR = "Vérification des modèles"
ANNOTATED = ".erreurs.docx"


def annotate(path: Path, problems: list[TemplateProblem]) -> Path | None:
    """Write ``<name>.erreurs.docx`` beside a faulty template: a copy with a Word comment on each
    faulty tag, saying what is wrong and what to write instead; the template itself is never
    touched. A template without problems loses its stale copy."""
    target = path.with_name(path.stem + ANNOTATED)
    if not problems:
        target.unlink(missing_ok=True)
        return None
    document = docx.Document(str(path))
    body = list(_all_paragraphs(document))
    for problem in problems:
        anchor = _anchor(body, problem)
        said = problem.said  # the comment sits in the template: its name goes without saying
        if anchor is None:  # a header, a footer, or a tag gone missing: the first paragraph carries it
            anchor = next((p for p in body if p.runs), None)
            said = f"(ailleurs dans le modèle) {problem}"
        if anchor is None:
            continue
        document.add_comment(anchor.runs, text=said, author=ANNOTATOR, initials="VM")
    document.save(str(target))
    return target


def _all_paragraphs(document):
    yield from document.paragraphs
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs


def _anchor(paragraphs, problem: TemplateProblem):
    """The paragraph a problem is about: the one it names, else one with a tag using its name."""
    for needle in (problem.paragraph, problem.name):
        for paragraph in paragraphs:
            if paragraph.runs and needle and needle in paragraph.text and "{" in paragraph.text:
                return paragraph
    return None
