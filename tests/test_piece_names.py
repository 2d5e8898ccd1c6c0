"""The name a piece dropped in le bureau is stored under: the one the year already gives it (its
suffix the new file's), else one made from its code; never the browser's."""

from __future__ import annotations

from pipeline.bureau import pieces


def test_a_dropped_piece_keeps_the_name_the_year_gives_it():
    named = pieces.Slot("statuts_association", "Les statuts", fichier="pieces/statuts-signes-2021.pdf")
    assert pieces._target_name(named, ".png") == "pieces/statuts-signes-2021.png"


def test_a_piece_named_outside_its_folder_or_not_at_all_is_named_from_its_code():
    for fichier in (None, "../ailleurs/statuts.pdf", "statuts.pdf"):
        slot = pieces.Slot("statuts_association", "Les statuts", fichier=fichier)
        assert pieces._target_name(slot, ".pdf") == "pieces/statuts-association.pdf"
