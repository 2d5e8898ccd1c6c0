"""Write the shipped convention's example compte-rendu-financier.xlsx for 2022, 2023 and 2024
(EXEMPLE figures: a partnership of about 50 000 € a year, the Métropole's 20 000 € among its
resources), with the same layout ``new-year`` gives (``scaffold.crf_sheet``).

    .venv/bin/python -m tools.make_crf_examples
"""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

from pipeline.convention import model, scaffold

ROOT = Path(__file__).resolve().parent.parent
CONVENTION = ROOT / "inputs" / "amp-arhlm-2022-2024"

ZERO = (D("0"), D("0"), None)
EXAMPLES = {
    2022: {
        "achats": (D("6000"), D("5400"), None),
        "autres_services_exterieurs": (
            D("4000"),
            D("4850"),
            "Séminaire annuel des trois métropoles (location de salle, déplacements des intervenants) plus coûteux que prévu.",
        ),
        "personnel": (D("34000"), D("35200"), None),
        "charges_indirectes": (D("6000"), D("6000"), None),
        "participation": (D("20000"), D("20000"), None),
        "ressources_propres": (D("30000"), D("31450"), None),
    },
    2023: {
        "achats": (D("6000"), D("6300"), None),
        "autres_services_exterieurs": (
            D("4500"),
            D("4200"),
            "Deux réunions du réseau accueillies gracieusement par des bailleurs.",
        ),
        "personnel": (D("35000"), D("36400"), None),
        "charges_indirectes": (D("6500"), D("6500"), None),
        "participation": (D("20000"), D("20000"), None),
        "ressources_propres": (D("32000"), D("33400"), None),
    },
    2024: {
        "achats": (D("6000"), D("4200"), "Publication du guide des attributions reportée au premier trimestre 2025."),
        "autres_services_exterieurs": (D("4500"), D("4650"), None),
        "personnel": (D("36000"), D("36900"), None),
        "charges_indirectes": (D("6500"), D("6500"), None),
        "participation": (D("20000"), D("20000"), None),
        "ressources_propres": (D("33000"), D("32250"), None),
    },
}


def main() -> None:
    conv, _ = model.load_convention(CONVENTION)
    from pipeline.convention import crf

    for year, figures in EXAMPLES.items():
        every = {r.code: figures.get(r.code, ZERO) for r in crf.RUBRIQUES}
        path = CONVENTION / str(year) / "compte-rendu-financier.xlsx"
        scaffold.crf_sheet(path, conv, every)
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
