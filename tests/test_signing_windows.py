"""Every signing window at its edges: a signature on the first allowed day, on the last allowed
day, and one day outside. The windows are the convention's (``documents.signature_window``) and
judged by ``signed.out_of_window``, the one place the build, ``check``, ``status`` and ``sign``
ask; no LibreOffice, no PDF: the rule is asked directly, with the data of the shipped convention
(its deliberation dated, and the convention signed on two days where a test says so)."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
import yaml
from helpers import INPUTS

from pipeline.convention import documents, model, signed

ONE = dt.timedelta(days=1)


def edit_yaml(path, change) -> None:
    """A data file changed as staff would change it, by its keys (the comments are not kept)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _dated(terms: dict, signatures: dict | None) -> None:
    terms["deliberation"] = {"numero": "22-0456", "date": dt.date(2022, 2, 17)}
    if signatures is None:
        terms["date_signature"] = dt.date(2022, 2, 28)
    else:
        terms.pop("date_signature", None)
        terms["signatures"] = signatures


def convention(tmp_path_factory, signatures: dict | None = None):
    """A copy of the shipped inputs whose convention has its deliberation (17 February 2022) and
    its signature date, or each party's own day (``signatures``)."""
    root = tmp_path_factory.mktemp("fenetres") / INPUTS.name
    shutil.copytree(INPUTS, root)
    edit_yaml(root / "convention.yaml", lambda conv: _dated(conv["convention"], signatures))
    return root


@pytest.fixture(scope="module")
def dated(tmp_path_factory):
    return convention(tmp_path_factory)


@pytest.fixture(scope="module")
def in_turn(tmp_path_factory):
    return convention(tmp_path_factory, {"association": dt.date(2022, 2, 24), "metropole": dt.date(2022, 2, 28)})


def doc(root, year: int, key: str):
    data = model.load(root, year)
    return next(d for d in documents.plan(data) if d.key == key), data


def allowed(planned, data, day, who=None) -> bool:
    return signed.out_of_window(planned, data, "Pascal FRIQUET", day, who) is None


# --------------------------------------------------------------------- the letter, signed on its date


@pytest.mark.parametrize("year,key", [(2023, "appel"), (2025, "transmission")])
def test_a_letter_is_signed_on_its_own_date_and_on_no_other_day(dated, year, key):
    letter, data = doc(dated, year, key)
    assert allowed(letter, data, letter.date, "association")
    for day in (letter.date - ONE, letter.date + ONE):
        said = signed.out_of_window(letter, data, "Pascal FRIQUET", day, "association")
        assert said is not None and "une lettre se signe le jour où elle est datée" in said, (day, said)


# --------------------------------------------------------------------- the bilan, before its committee


def test_a_bilan_is_signed_from_its_own_date_until_the_committee_that_examines_it(dated):
    bilan, data = doc(dated, 2023, "bilan")
    committee = data.year.copil.date
    assert bilan.date < committee
    assert allowed(bilan, data, bilan.date) and allowed(bilan, data, committee)
    assert "avant la date du document" in signed.out_of_window(bilan, data, "X", bilan.date - ONE)
    late = signed.out_of_window(bilan, data, "X", committee + ONE)
    assert late is not None and f"après le COPIL du {signed.date_fr(committee)} qui l'examine" in late


def test_the_final_bilan_is_signed_at_the_latest_on_the_closing_committee_s_day(dated):
    final, data = doc(dated, 2025, "bilan-final")
    assert allowed(final, data, final.date) and allowed(final, data, data.year.copil.date)
    assert not allowed(final, data, data.year.copil.date + ONE)


# --------------------------------------------------------------------- the minutes, before the letter


def test_the_minutes_are_signed_from_the_meeting_until_the_call_s_own_day(dated):
    minutes, data = doc(dated, 2023, "pv-copil")
    call = data.year.appel.date
    assert allowed(minutes, data, minutes.date) and allowed(minutes, data, call)
    assert not allowed(minutes, data, minutes.date - ONE)
    late = signed.out_of_window(minutes, data, "X", call + ONE)
    assert late is not None and "après l'appel de participation" in late


def test_the_closing_minutes_are_signed_at_the_latest_on_the_transmission_s_day(dated):
    minutes, data = doc(dated, 2025, "pv-copil")
    sent = data.year.transmission.date
    assert allowed(minutes, data, sent)
    assert "après la lettre de transmission" in signed.out_of_window(minutes, data, "X", sent + ONE)


# --------------------------------------------------------------------- the convention, before the first call


@pytest.mark.parametrize("year", [2022, 2023, 2024])
def test_the_convention_is_signed_between_its_deliberation_and_the_first_year_s_call(dated, year):
    """Whichever year's dossier asks: the first call closes the window, not this year's."""
    terms, data = doc(dated, year, "convention")
    voted, first = data.convention.convention.deliberation.date, data.first_call
    assert first == model.load(dated, 2022).year.appel.date
    assert allowed(terms, data, voted) and allowed(terms, data, first)
    assert "avant la délibération" in signed.out_of_window(terms, data, "X", voted - ONE)
    late = signed.out_of_window(terms, data, "X", first + ONE)
    assert late is not None and "après le premier appel de participation" in late


def test_the_convention_signed_on_two_days_each_party_on_its_own(in_turn):
    terms, data = doc(in_turn, 2023, "convention")
    assert data.convention.convention.date_signature == dt.date(2022, 2, 28)  # dated at its last signature
    assert allowed(terms, data, dt.date(2022, 2, 24), "association")
    assert allowed(terms, data, dt.date(2022, 2, 28), "metropole")
    swapped = signed.out_of_window(terms, data, "X", dt.date(2022, 2, 24), "metropole")
    assert swapped is not None and "(signatures.metropole)" in swapped and "28 février 2022" in swapped
    assert not allowed(terms, data, dt.date(2022, 2, 28), "association")


def test_the_convention_signed_another_day_than_its_date_is_said(dated):
    terms, data = doc(dated, 2022, "convention")
    said = signed.out_of_window(terms, data, "X", dt.date(2022, 2, 25), "metropole")
    assert said is not None and "(date_signature)" in said
