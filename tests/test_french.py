import datetime as dt
from decimal import Decimal

import pytest

from pipeline import french


def test_dates_follow_french_usage():
    assert french.date_fr(dt.date(2022, 1, 1)) == "1er janvier 2022"
    assert french.date_fr(dt.date(2023, 3, 15)) == "15 mars 2023"
    assert french.date_longue(dt.date(2023, 3, 15)) == "mercredi 15 mars 2023"
    assert french.date_fr(None) == "…"


def test_amounts_in_figures_use_narrow_and_plain_no_break_spaces():
    assert french.montant(Decimal("20000")) == "20\u202f000,00\u00a0€"
    assert french.montant(Decimal("1234567.5")) == "1\u202f234\u202f567,50\u00a0€"
    assert french.montant(Decimal("0.05")) == "0,05\u00a0€"


@pytest.mark.parametrize(
    "value, words",
    [
        (20000, "vingt mille euros"),
        (1, "un euro"),
        (80, "quatre-vingts euros"),
        (1000000, "un million d’euros"),
        (0, "zéro euro"),
        (2000000, "deux millions d’euros"),
        (1000000000, "un milliard d’euros"),
        (2500000, "deux millions cinq cent mille euros"),
        (Decimal("20000.50"), "vingt mille euros et cinquante centimes"),
        (Decimal("2.01"), "deux euros et un centime"),
    ],
)
def test_amounts_in_words(value, words):
    assert french.montant_lettres(value) == words


def test_amount_in_words_refuses_negative():
    with pytest.raises(ValueError):
        french.montant_lettres(Decimal("-1"))


def test_typography_inserts_no_break_spaces():
    assert french.typo("Objet : test ; ok ! « x »") == "Objet\u00a0: test\u202f; ok\u202f! «\u00a0x\u00a0»"
    assert french.typo("https://exemple.fr à 14:30") == "https://exemple.fr à 14:30"


@pytest.mark.parametrize(
    "n, singular, kwargs, text",
    [
        (0, "action", {}, "aucune action"),
        (1, "action", {}, "une action"),
        (2, "réunion", {}, "deux réunions"),
        (11, "action", {}, "onze actions"),
        (33, "action menée", {"pluriel": "actions menées"}, "trente-trois actions menées"),
        (21, "action", {}, "vingt et une actions"),
        (21, "chantier", {"feminin": False}, "vingt et un chantiers"),
        (148, "participant", {"feminin": False}, "148 participants"),
        (1, "chantier", {"feminin": False}, "un chantier"),
        (0, "chantier", {"feminin": False}, "aucun chantier"),
        (3, "fois", {}, "trois fois"),
    ],
)
def test_counts_agree_with_their_noun(n, singular, kwargs, text):
    """In words below 100, so that « onze actions sur six chantiers » never mixes figures and words."""
    assert french.compte(n, singular, **kwargs) == text


def test_engine_text_gets_apostrophes_and_keeps_place_names_whole():
    """The cover, sommaire and margin lines the engine draws: ’, and « Côte d’Azur » never cut."""
    text = french.typographie("l'Association des régions Provence-Alpes-Côte d'Azur et Corse : 7 chantiers")
    assert text == ("l’Association des régions Provence-Alpes-Côte\u00a0d’Azur et Corse\u00a0: 7\u00a0chantiers")


def test_de_contracts_before_an_article():
    from pipeline.french import de

    assert de("le Président de l'AR Hlm") == "du Président de l'AR Hlm"
    assert de("la Vice-Présidente") == "de la Vice-Présidente"
    assert de("les équipes techniques") == "des équipes techniques"
    assert de("l'association") == "de l'association"


def test_a_number_stays_with_the_word_it_counts_or_dates():
    from pipeline.french import typo

    assert typo("le 14 février 2023, 11 actions, le 1er mars") == "le 14\u00a0février 2023, 11\u00a0actions, le 1er\u00a0mars"
    # codes, identifiers and addresses keep their ordinary spaces
    assert typo("FR76 3000 4000, 13007 Marseille, AR-2023-012 du") == "FR76 3000 4000, 13007 Marseille, AR-2023-012 du"
