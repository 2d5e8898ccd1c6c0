"""convention.yaml against the convention's own text: what can be compared without reading
French (the chantiers counted, article 3's pieces, its amounts) and a disagreement is a warning."""

import dataclasses
from decimal import Decimal

from builder import convention
from helpers import INPUTS, ROOT, TEMPLATES

from pipeline import checks
from pipeline.convention import model, text
from pipeline.convention.model import PieceRequise

OTHER = ROOT / "tests" / "fixtures" / "mex-arhlm-2025-2027"


def test_the_shipped_conventions_agree_with_their_text():
    for root in (INPUTS, OTHER):
        conv, _ = model.load_convention(root)
        assert text.disagreements(conv, root / "templates" / "convention.docx") == []


def test_each_disagreement_is_named():
    conv, _ = model.load_convention(INPUTS)
    other = dataclasses.replace(
        conv,
        chantiers=conv.chantiers[:5],
        pieces_requises=[*conv.pieces_requises, PieceRequise(code="urssaf", libelle="Une attestation URSSAF")],
        convention=dataclasses.replace(conv.convention, montant_annuel=Decimal("12345.67")),
    )
    said = text.disagreements(other, INPUTS / "templates" / "convention.docx")
    assert "le texte compte 7 chantiers, convention.yaml en liste 5 (chantiers) : corrigez l'un ou l'autre" in said
    assert any("« Une attestation URSSAF » (pieces_requises) n'est pas dans la liste de l'article 3" in s for s in said)
    assert any("parle de 20000.00 €" in s and "12345.67 €" in s for s in said)
    fewer = dataclasses.replace(conv, pieces_requises=[p for p in conv.pieces_requises if p.code != "statuts"])
    assert text.disagreements(fewer, INPUTS / "templates" / "convention.docx") == [
        "l'article 3 du texte demande « les statuts de l'association et leur mise à jour, », qu'aucune pièce "
        "de pieces_requises ne nomme : ajoutez-la à convention.yaml"
    ]


def test_check_warns_of_a_disagreement_and_names_the_text(inputs_copy):
    convention(pieces_requises=lambda pieces: [*pieces, {"code": "urssaf", "libelle": "Une attestation URSSAF"}]).write(
        inputs_copy
    )
    warnings = checks.check_all(inputs_copy, TEMPLATES).warnings
    assert any(
        w.endswith(
            "templates/convention.docx : la pièce « Une attestation URSSAF » (pieces_requises) n'est "
            "pas dans la liste de l'article 3 du texte : retirez-la de convention.yaml, ou demandez au "
            "juriste si le texte l'oublie"
        )
        for w in warnings
    ), warnings


def test_a_build_warns_of_a_disagreement_once_and_still_publishes(inputs_copy, tmp_path):
    """The build reads the convention's text while LibreOffice converts, and says what it found
    after the fills, as check does (here with a stand-in for LibreOffice)."""
    from bureau_helpers import StandInSession
    from helpers import build_years

    convention(pieces_requises=lambda pieces: [*pieces, {"code": "urssaf", "libelle": "Une attestation URSSAF"}]).write(
        inputs_copy
    )
    warnings: list[str] = []
    dossier = build_years([2023], inputs_copy, tmp_path / "out", warn=warnings.append, office=StandInSession())[0]
    said = [w for w in warnings if "« Une attestation URSSAF » (pieces_requises) n'est pas dans la liste" in w]
    assert len(said) == 1 and said[0].startswith("avertissement : ") and said[0].endswith("si le texte l'oublie")
    assert dossier.is_file()
