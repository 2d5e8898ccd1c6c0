"""The yearly cycle at its edges, where an off-by-one goes unseen: the day before, the day itself,
31 December, a Saturday, the first year of a total, half a cent. No LibreOffice: the rules and
the bilan's figures are read from the data as the templates get them."""
import datetime as dt
from decimal import Decimal

import pytest

from helpers import INPUTS
from pipeline import french
from pipeline.convention import context, model


def edit(root, year, old, new):
    path = root / str(year) / "year.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def said(inputs, words: str) -> bool:
    return any(words in w for w in inputs.warnings)


# --------------------------------------------------------------------- bilan ≤ COPIL ≤ call


def test_a_call_dated_the_day_before_its_copil_is_a_breach(inputs_copy):
    edit(inputs_copy, 2023, "  date: 2023-03-28", "  date: 2023-03-13")  # a Monday; the COPIL is on the 14th
    assert said(model.load(inputs_copy, 2023), "l'appel 2023 est daté du 2023-03-13, avant le COPIL 2023")


def test_a_call_sent_the_day_of_its_copil_is_in_order(inputs_copy):
    edit(inputs_copy, 2023, "  date: 2023-03-28", "  date: 2023-03-14")
    assert model.load(inputs_copy, 2023).warnings == []


def test_a_bilan_dated_the_day_after_the_copil_that_examines_it_is_a_breach(inputs_copy):
    edit(inputs_copy, 2022, "  date: 2023-02-14\n  lieu:", "  date: 2023-03-15\n  lieu:")
    assert said(model.load(inputs_copy, 2023), "le COPIL 2023 est daté du 2023-03-14, avant le bilan 2022")


# --------------------------------------------------------------------- the payment and its call


def test_a_payment_received_after_the_copil_but_before_the_call_is_a_breach(inputs_copy):
    """A payment follows its call, not the committee: received on 20 March for a call of 28 March."""
    edit(inputs_copy, 2023, "  date_reception: 2023-06-13", "  date_reception: 2023-03-20")
    assert said(model.load(inputs_copy, 2024), "reçue le 2023-03-20, avant d'être appelée (appel du 2023-03-28)")


def test_a_payment_received_on_the_call_s_day_is_in_order(inputs_copy):
    edit(inputs_copy, 2023, "  date_reception: 2023-06-13", "  date_reception: 2023-03-28")
    assert not said(model.load(inputs_copy, 2024), "avant d'être appelée")


def test_a_payment_received_on_the_bilan_s_own_day_is_reported_received(inputs_copy):
    """The bilan of 2022 is dated 14 February 2023: money that arrived that day is not pending."""
    edit(inputs_copy, 2022, "  date_reception: 2022-06-14", "  date_reception: 2023-02-14")
    finances = context.build_context(model.load(inputs_copy, 2023), projet=True).bilan.finances
    assert finances.date_reception == dt.date(2023, 2, 14)
    assert finances.montant_recu == Decimal("20000.00") and finances.en_attente == Decimal("0.00")


def test_a_payment_received_the_day_after_the_bilan_is_pending(inputs_copy):
    edit(inputs_copy, 2022, "  date_reception: 2022-06-14", "  date_reception: 2023-02-15")
    finances = context.build_context(model.load(inputs_copy, 2023), projet=True).bilan.finances
    assert finances.date_reception is None and finances.en_attente == Decimal("20000.00")


# --------------------------------------------------------------------- the bilan looks back


def test_a_bilan_dated_31_december_of_its_own_year_is_a_breach(inputs_copy):
    """The year is not over until the 31st is: the bilan is drawn up after it."""
    edit(inputs_copy, 2022, "  date: 2023-02-14\n  lieu:", "  date: 2022-12-31\n  lieu:")
    assert said(model.load(inputs_copy, 2023), "le bilan 2022 est daté du 2022-12-31")


def test_a_bilan_dated_the_first_working_day_after_the_year_is_in_order(inputs_copy):
    edit(inputs_copy, 2022, "  date: 2023-02-14\n  lieu:", "  date: 2023-01-02\n  lieu:")
    assert not said(model.load(inputs_copy, 2023), "le bilan 2022 est daté")


# --------------------------------------------------------------------- the COPIL's own day


def test_a_copil_on_a_saturday_is_said_at_its_own_date(inputs_copy):
    """The warning points at copil.date, the line staff edit, not only at the list of meetings."""
    edit(inputs_copy, 2023, "2023-03-14", "2023-03-11")
    assert said(model.load(inputs_copy, 2023), "copil.date: le 2023-03-11 est un samedi")


def test_a_copil_on_a_public_holiday_is_said_at_its_own_date(inputs_copy):
    edit(inputs_copy, 2023, "2023-03-14", "2023-05-08")
    assert said(model.load(inputs_copy, 2023), "copil.date: le 2023-05-08 est un jour férié")


# --------------------------------------------------------------------- the final bilan's totals


def test_the_final_bilan_counts_every_year_of_the_period_the_first_included():
    final = context.build_context(model.load(INPUTS, 2025), projet=True).bilan_final
    per_year = [len(model.load(INPUTS, year).year.actions) for year in (2022, 2023, 2024)]
    assert final.annees == [2022, 2023, 2024]
    assert final.actions_par_annee == per_year and final.actions_total == sum(per_year)
    assert sum(c["total"] for c in final.chantiers) == sum(per_year)
    assert all(c["total"] == sum(c["par_annee"]) and len(c["par_annee"]) == 3 for c in final.chantiers)
    assert final.appele_total == final.prevu_total == Decimal("60000.00")


# --------------------------------------------------------------------- half a cent


@pytest.mark.parametrize("value, figures", [
    (Decimal("0.125"), "0,13\u00a0€"),
    (Decimal("1234.565"), "1\u202f234,57\u00a0€"),
    (2.675, "2,68\u00a0€"),       # a float as written, not as stored
    (Decimal("0.124"), "0,12\u00a0€"),
])
def test_half_a_cent_is_rounded_up_as_accounts_do(value, figures):
    assert french.montant(value) == figures


def test_an_amount_in_words_rounds_half_a_cent_up_too():
    assert french.montant_lettres(Decimal("2.005")) == "deux euros et un centime"
