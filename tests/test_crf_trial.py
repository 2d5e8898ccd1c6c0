"""A convention none of whose years has drawn up its compte rendu financier yet (before June of
its second year): ``check`` still tries the CRF's two templates, on a trial sending whose dates
keep the CRF's own rules; and each year's own sending read."""

from __future__ import annotations

import re

from helpers import INPUTS, TEMPLATES

from pipeline import checks
from pipeline.convention import cycle, model, trial


def _without_crf(convention) -> None:
    for year in (2022, 2023, 2024):
        path = convention / str(year) / "year.yaml"
        text = path.read_text(encoding="utf-8")
        text = text[: text.index("\n# --- Le compte rendu financier")] + "\n"
        path.write_text(re.sub(r"  - crf\.[a-z_]+\n", "", text), encoding="utf-8")


def test_before_any_crf_check_tries_its_templates_on_a_trial_sending(inputs_copy, tmp_path):
    _without_crf(inputs_copy)
    assert model.crf_years(inputs_copy) == []
    report = checks.check_all(inputs_copy, TEMPLATES, outputs=tmp_path / "out")
    assert report.problems == [] and report.untried == []


def test_the_trial_sending_keeps_the_crf_s_dates_in_order():
    loaded = [model.load(INPUTS, year) for year in (2022, 2023)]
    made = trial.sending(loaded)
    assert made is not None and made.data.sending
    crf, n = made.data.year.crf, made.data.year.annee
    assert n == 2022 and crf is not None and crf.transmis_le is not None
    assert dt_order(crf.comptes_approuves_le, crf.date, crf.transmis_le, cycle.crf_due(n))


def dt_order(*days) -> bool:
    return all(a <= b for a, b in zip(days, days[1:]))


def test_check_reads_each_year_s_own_sending(inputs_copy, tmp_path):
    """The last year's CRF goes in no dossier: only its sending says its letter predates it."""
    assert checks.check_all(inputs_copy, TEMPLATES, outputs=tmp_path / "out").untried == []  # lettre-crf too
    path = inputs_copy / "2024" / "year.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("transmis_le: 2025-06-19", "transmis_le: 2025-06-16"), encoding="utf-8")
    report = checks.check_all(inputs_copy, TEMPLATES, outputs=tmp_path / "out")
    assert any("déposé le 2025-06-16, avant d'être établi" in line for _, line in report.problems)
