"""One road to each document: the build, ``check`` and the preview fill a document by the same
function (``templates.fill``) and judge it by the same rules, so that what ``check`` refuses is
never published and what they make of a template is the same bytes."""

from __future__ import annotations

import shutil
from pathlib import Path

import docx
import pytest
from builder import convention
from helpers import CONV, INPUTS, TEMPLATES, build_years, cli

from pipeline import checks, preview, templates
from pipeline.convention import documents, model
from pipeline.errors import TemplateProblem

# mistakes staff make in their own copy of a template: the shared text, then what they wrote
MISTAKES = {
    "minutes dated with the call's date": (
        "pv-copil.docx",
        "Fait à {{ convention.lieu_signature }}, le {{ copil.date|date_fr }}",
        "Fait à {{ convention.lieu_signature }}, le {{ appel.date|date_fr }}",
        "ce document est daté du",
    ),
    "bilan titled with the dossier's year": (
        "bilan.docx",
        "Bilan {{ bilan.annee }} de la mise en œuvre de la convention",
        "Bilan {{ annee }} de la mise en œuvre de la convention",
        "ce bilan rend compte de 2022, pas de 2023",
    ),
}


def own_template(convention: Path, name: str, old: str, new: str) -> Path:
    """The convention's own copy of a shared template, one paragraph rewritten as staff would in Word."""
    folder = convention / "templates"
    folder.mkdir(exist_ok=True)
    shutil.copyfile(TEMPLATES / name, folder / name)
    document = docx.Document(folder / name)
    paragraph = next(p for p in document.paragraphs if p.text == old)
    for run in paragraph.runs[1:]:
        run.text = ""
    paragraph.runs[0].text = new
    document.save(folder / name)
    return folder / name


@pytest.mark.parametrize("mistake", MISTAKES)
def test_check_refuses_the_mistake_and_the_build_stops_on_it_publishing_nothing(office, inputs_copy, warm_outputs, mistake):
    name, old, new, said = MISTAKES[mistake]
    own_template(inputs_copy, name, old, new)
    report = checks.check_all(inputs_copy, TEMPLATES)
    refused = [line for code, line in report.problems if code == 3 and said in line]
    assert refused, report.problems
    with pytest.raises(TemplateProblem) as stopped:
        build_years([2023], inputs_copy, warm_outputs, office=office)
    assert said in str(stopped.value) and name in str(stopped.value)
    assert str(stopped.value) in {line.removesuffix(" (données 2023)") for line in refused} | set(refused)
    assert not (warm_outputs / CONV / "2023").exists()  # nothing published


def test_a_mistake_in_a_year_already_published_leaves_that_year_as_it_was(office, inputs_copy, warm_outputs):
    build_years([2023], inputs_copy, warm_outputs, office=office)
    published = {p.name: p.read_bytes() for p in (warm_outputs / CONV / "2023").iterdir()}
    name, old, new, _ = MISTAKES["minutes dated with the call's date"]
    own_template(inputs_copy, name, old, new)
    with pytest.raises(TemplateProblem):
        build_years([2023], inputs_copy, warm_outputs, office=office)
    assert {p.name: p.read_bytes() for p in (warm_outputs / CONV / "2023").iterdir()} == published


def test_the_command_line_build_exits_3_on_what_check_refuses(inputs_copy, tmp_path):
    name, old, new, said = MISTAKES["minutes dated with the call's date"]
    own_template(inputs_copy, name, old, new)
    args = ("--inputs", str(inputs_copy.parent), "--outputs", str(tmp_path / "out"))
    check = cli(*args, "check")
    built = cli(*args, "build", "2022")
    assert check.returncode == built.returncode == 3, (check.stderr, built.stderr)
    assert said in check.stderr and said in built.stderr
    assert "Traceback" not in built.stderr
    assert not (tmp_path / "out" / CONV / "2022").exists()


def test_a_warning_of_a_fill_is_said_by_the_build_check_and_the_preview(monkeypatch, office, inputs_copy, warm_outputs, tmp_path):
    """A rule's warning (not an error) goes the same road: the three say it, none stops."""
    warning = "modèle pv-copil.docx : avertissement d'essai"

    def one_warning(template, filled, data):
        return [warning] if template.stem == "pv-copil" else []

    monkeypatch.setattr(templates.proofread, "warnings", one_warning)
    report = checks.check_all(inputs_copy, TEMPLATES)
    assert warning in report.warnings and not report.problems
    said: list[str] = []
    build_years([2023], inputs_copy, warm_outputs, office=office, warn=said.append)
    assert f"avertissement : {warning}" in said
    shown: list[str] = []
    preview.render_once(inputs_copy, TEMPLATES, 2023, "pv-copil", office, tmp_path / "apercu", shown.append)
    assert f"avertissement : {warning}" in shown


def test_check_says_nothing_is_correct_after_a_warning(inputs_copy):
    convention().year(2023, appel={"date": "2023-03-01"}).write(inputs_copy)  # before the COPIL: a draft's warning
    done = cli("--inputs", str(inputs_copy.parent), "check")
    assert done.returncode == 0 and "avertissement" in done.stderr, done.stderr
    assert "tout est correct" not in done.stdout and "avertissement" in done.stdout


def _fills(monkeypatch) -> dict[str, list[bytes]]:
    """Every document ``templates.fill`` writes, by name, in the order written."""
    made: dict[str, list[bytes]] = {}
    real = templates.fill

    def spy(data, template, out, **kwargs):
        filled = real(data, template, out, **kwargs)
        sending = "-envoi" if data.sending else ""  # the CRF N's own sending, apart from dossier N's CRF N-2
        made.setdefault(f"{template.stem}-{data.year.annee}{sending}", []).append(filled.docx.read_bytes())
        return filled

    monkeypatch.setattr(templates, "fill", spy)
    monkeypatch.setattr(preview, "fill", spy)  # the preview names it on import
    return made


def test_build_check_and_preview_fill_the_same_bytes_for_every_shipped_template_and_year(monkeypatch, office, tmp_path):
    """The published Word files are the build's fills; check's and the preview's fills of the same
    document are the same bytes (the bordereau aside: only the build knows its pages)."""
    made = _fills(monkeypatch)
    years = model.dossier_years(INPUTS)
    outputs = tmp_path / "out"
    build_years(years, INPUTS, outputs, office=office)
    built = {k: v[-1] for k, v in made.items()}
    made.clear()
    report = checks.check_all(INPUTS, TEMPLATES)
    assert not report.problems
    checked = {k: v[-1] for k, v in made.items()}
    compared = 0
    for year in years:
        data = model.load(INPUTS, year)
        for d in documents.plan(data):
            published = (outputs / CONV / str(year) / f"{d.stem}.docx").read_bytes()
            key = f"{d.key}-{year}"
            assert built[key] == published
            if d.key == "bordereau":
                continue
            assert checked[key] == published, key
            made.clear()
            preview.render_once(INPUTS, TEMPLATES, year, d.key, office, tmp_path / "apercu", lambda _: None)
            assert made[key][-1] == published, key
            compared += 1
    assert compared >= 14  # 4 years, every document but the bordereaux


def test_the_same_findings_on_every_road(tmp_path):
    """``fill`` is what check and the build call: its findings for a faulty template are check's."""
    conv = tmp_path / CONV
    shutil.copytree(INPUTS, conv)
    name, old, new, said = MISTAKES["minutes dated with the call's date"]
    path = own_template(conv, name, old, new)
    data = model.load(conv, 2023)
    filled = templates.fill(data, path, tmp_path / "pv.docx", final=False)
    assert [said in str(p) for p in filled.errors] == [True]
    problems = templates.check_template(path, [data])
    assert [str(p) for p in problems] == [str(p) for p in filled.errors]


def _only_years(convention: Path, *keep: int) -> Path:
    for year in (2022, 2023, 2024, 2025):
        if year not in keep:
            shutil.rmtree(convention / str(year))
    return convention


def test_in_the_first_year_check_tries_the_bilan_and_closing_templates_with_trial_data(inputs_copy):
    """A new convention has only its first year: the bilan, the final bilan and the transmission
    letter are still filled, with a trial dossier for each role, and a faulty one is refused."""
    _only_years(inputs_copy, 2022)
    clean = checks.check_all(inputs_copy, TEMPLATES)
    assert clean.problems == [] and clean.untried == []
    assert any("données d'essai" in n and "2023 (année intermédiaire)" in n and "2025 (clôture)" in n for n in clean.notes), (
        clean.notes
    )
    name, old, new, _ = MISTAKES["bilan titled with the dossier's year"]
    own_template(inputs_copy, name, old, new)
    report = checks.check_all(inputs_copy, TEMPLATES)
    refused = [line for _, line in report.problems]
    assert refused and all("bilan.docx" in line and "données d'essai" in line for line in refused), refused
    assert any("rôle « clôture »" in line for line in refused)


def _no_crf_yet(convention: Path, year: int) -> None:
    """The year as it stands before its accounts are approved: no « crf: » block yet."""
    path = convention / str(year) / "year.yaml"
    text = path.read_text(encoding="utf-8")
    text = text[: text.index("\n# --- Le compte rendu financier")] + "\n"
    for field in ("date", "comptes_approuves_le", "regle_repartition", "transmis_le"):
        text = text.replace(f"  - crf.{field}\n", "")
    path.write_text(text, encoding="utf-8")


def test_before_any_crf_check_tries_the_sending_s_templates_with_a_trial_sending(inputs_copy):
    """A fresh convention has no compte rendu financier until June of its second year: its two
    templates are still filled, with a trial sending labelled as such, and a faulty one is refused."""
    from pipeline.convention import cycle, trial

    _only_years(inputs_copy, 2022)
    _no_crf_yet(inputs_copy, 2022)
    assert model.crf_years(inputs_copy) == []
    clean = checks.check_all(inputs_copy, TEMPLATES)
    assert clean.problems == [] and clean.untried == [], (clean.problems, clean.untried)
    assert any("2022 (envoi du compte rendu financier)" in n for n in clean.notes), clean.notes
    made = trial.sending([model.load(inputs_copy, 2022)])
    block = made.data.year.crf
    assert [d.stem for d in documents.plan(made.data)] == ["crf-2022", "lettre-crf-2022"]
    assert block.comptes_approuves_le.year == 2023 and block.comptes_approuves_le.month == 6
    assert block.comptes_approuves_le < block.date < block.transmis_le <= cycle.crf_due(2022)
    # the letter dated with the CRF's date, not the day it leaves: only a fill with data sees it
    own_template(
        inputs_copy,
        "lettre-crf.docx",
        "{{ crf.lieu }}, le {{ crf.transmis_le|date_fr }}",
        "{{ crf.lieu }}, le {{ crf.date|date_fr }}",
    )
    refused = [line for _, line in checks.check_all(inputs_copy, TEMPLATES).problems]
    assert refused and all(
        "lettre-crf.docx" in line
        and "données d'essai 2022, rôle « envoi du compte rendu "
        "financier » : aucune année n'a encore de compte rendu financier établi"
        in line
        for line in refused
    ), refused


def test_a_template_no_fill_could_try_is_said_and_check_does_not_say_all_is_correct(inputs_copy):
    _only_years(inputs_copy)
    report = checks.check_all(inputs_copy, TEMPLATES)
    assert len(report.untried) == 9 and all("make new-year YEAR=2022" in line for line in report.untried)
    done = cli("--inputs", str(inputs_copy.parent), "check")
    assert done.returncode == 0 and "tout est correct" not in done.stdout
    assert "9 modèles non essayés" in done.stdout


def test_a_trial_dossier_moves_every_date_to_its_year(inputs_copy):
    from pipeline.convention import trial

    _only_years(inputs_copy, 2022)
    made = {t.role: t.data for t in trial.trials([model.load(inputs_copy, 2022)])}
    middle, closing = made["année intermédiaire"], made["clôture"]
    assert middle.year.annee == 2023 and middle.year.copil.date.year == 2023 and middle.year.appel.date.year == 2023
    assert middle.bilan_year.annee == 2022 and middle.bilan_year.bilan.date < middle.year.copil.date
    assert closing.closing and closing.year.appel is None and closing.year.transmission.date > closing.year.copil.date
    assert sorted(closing.reported) == [2022, 2023, 2024]
    assert [d.key for d in documents.plan(closing)] == ["transmission", "bilan", "bilan-final", "crf", "pv-copil"]


def test_the_choice_of_convention_is_hinted_with_the_command_staff_ran(tmp_path):
    from helpers import ROOT

    inputs = tmp_path / "inputs"
    shutil.copytree(INPUTS, inputs / CONV)
    shutil.copytree(ROOT / "tests" / "fixtures" / "mex-arhlm-2025-2027", inputs / "mex-arhlm-2025-2027")
    status = cli("--inputs", str(inputs), "status", "2025")
    assert status.returncode == 2 and f"« make statut YEAR=2025 CONVENTION={CONV} »" in status.stderr, status.stderr
    assert "make dossier" not in status.stderr
