"""The build's one LibreOffice: documents converted in the order asked, a first one ahead of the queue."""
from pipeline import convert


def test_a_document_asked_first_passes_the_queue(built, tmp_path):
    docs = [built / "2022" / f"{key}-2022.docx" for key in ("convention", "appel", "bilan", "pv-copil")]
    urgent = built / "2023" / "bordereau-2023.docx"
    arrived = []
    with convert.Session() as office:
        office.submit(docs, tmp_path)
        office.submit([urgent], tmp_path, first=True)
        office.collect(on_done=lambda docx, pdf: arrived.append(docx.name))
    # the first two are already in LibreOffice's hands (convert.WINDOW); the urgent one comes next
    assert arrived == [docs[0].name, docs[1].name, urgent.name, docs[2].name, docs[3].name]
    assert sorted(p.name for p in tmp_path.glob("*.pdf")) == sorted(d.with_suffix(".pdf").name for d in docs + [urgent])
