"""Le bureau's calendar of the cycle (``status.calendar``): a step met in several dossiers said
once, done if done in any; a document is done only once it comes back signed."""

from __future__ import annotations

import datetime as dt

from helpers import TEMPLATES
from reportlab.pdfgen import canvas

from pipeline import status


def test_a_step_done_in_one_dossier_is_done_whichever_comes_first():
    day = dt.date(2024, 6, 30)
    owed = status.Step(day, "Échéance du compte rendu financier de la participation 2023", 2023, False)
    sent = status.Step(day, owed.what, 2024, True)
    for reports in ([owed], [sent]), ([sent], [owed]):
        dated = status.calendar(
            [status.YearStatus(2023 + i, "Dossier", [], [], steps) for i, steps in enumerate(reports)], dt.date(2024, 7, 1)
        )
        assert [(d.step.what, d.mark) for d in dated] == [(owed.what, status.DONE)]


def test_a_document_put_back_unsigned_is_still_to_sign(inputs_copy, tmp_path):
    signes = inputs_copy / "signes"
    signes.mkdir(exist_ok=True)
    page = canvas.Canvas(str(signes / "bilan-2022.pdf"))  # the published bilan, put back as it was
    page.drawString(72, 760, "Bilan 2022")
    page.showPage()
    page.save()
    report = status.status(inputs_copy, TEMPLATES, tmp_path / "outputs", [2023])[0]
    [bilan] = [s for s in report.steps if "bilan" in s.what.lower() and s.year == 2023 and "2022" in s.what]
    assert not bilan.done


def test_a_crf_due_is_done_only_once_sent(inputs_copy, tmp_path):
    report = status.status(inputs_copy, TEMPLATES, tmp_path / "outputs", [2024])[0]
    [due] = [s for s in report.steps if s.what == "Échéance du compte rendu financier de la participation 2024"]
    assert due.day == dt.date(2025, 6, 30) and due.state.startswith("à faire signer") and not due.done
