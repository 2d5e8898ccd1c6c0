"""The scheduler without LibreOffice: the shipped convention's years filled for real (docxtpl),
converted by a stand-in (tests/fakeoffice.py) that answers with a PDF of the length the test
chooses, and assembled for real. The feed's window and priority, the bordereau's rounds and their
limit, a document converted once for two years, the cache."""

import pytest
from fakeoffice import FakeOffice
from helpers import INPUTS, TEMPLATES
from pypdf import PdfReader

from pipeline import cache, dossier, schedule
from pipeline.convention import model
from pipeline.errors import OutputError
from pipeline.events import Event


def _docs(tmp_path, *names):
    """Documents for the feed alone (it never reads them)."""
    folder = tmp_path / "docs"
    folder.mkdir(exist_ok=True)
    for name in names:
        (folder / f"{name}.docx").write_bytes(b"")
    return [folder / f"{name}.docx" for name in names]


def test_the_feed_keeps_at_most_window_documents_in_libreoffice_s_hands(tmp_path):
    office = FakeOffice()
    feed = schedule.Feed(office)
    docs = _docs(tmp_path, "a", "b", "c", "d", "e")
    feed.add(docs, tmp_path / "pdf")
    assert len(office.pending) == schedule.WINDOW and len(feed.queue) == len(docs) - schedule.WINDOW
    arrived = []
    feed.run(lambda docx, pdf: arrived.append((docx.name, pdf.name, len(office.pending))))
    assert office.most_pending == schedule.WINDOW and feed.idle
    # the next one is sent as soon as a PDF arrives, before it is handled: LibreOffice never idles
    assert arrived == [
        ("a.docx", "a.pdf", 2),
        ("b.docx", "b.pdf", 2),
        ("c.docx", "c.pdf", 2),
        ("d.docx", "d.pdf", 1),
        ("e.docx", "e.pdf", 0),
    ]


def test_a_document_added_first_passes_the_queue(tmp_path):
    office = FakeOffice()
    feed = schedule.Feed(office)
    docs = _docs(tmp_path, "convention", "appel-2023", "bilan-2022", "pv-copil-2023")
    (urgent,) = _docs(tmp_path, "bordereau-2024")
    feed.add(docs, tmp_path)
    feed.add([urgent], tmp_path, first=True)
    feed.run(lambda docx, pdf: None)
    # the first two are already in LibreOffice's hands (WINDOW); the urgent one comes next
    assert office.received == [
        "convention.docx",
        "appel-2023.docx",
        "bordereau-2024.docx",
        "bilan-2022.docx",
        "pv-copil-2023.docx",
    ]


def test_a_document_handled_may_add_more_and_the_feed_goes_on(tmp_path):
    office = FakeOffice()
    feed = schedule.Feed(office, progress=True)  # the bar grows with what is added meanwhile
    first, later = _docs(tmp_path, "first"), _docs(tmp_path, "later")
    feed.add(first, tmp_path)
    feed.run(lambda docx, pdf: feed.add(later, tmp_path, first=True) if docx.stem == "first" else None)
    assert office.received == ["first.docx", "later.docx"]


def _year(tmp_path, year: int) -> dossier.YearBuild:
    """A year of the shipped convention filled as the build fills it, before any conversion."""
    job = dossier.YearBuild(model.load(INPUTS, year), tmp_path / "work" / str(year), TEMPLATES, final=False)
    job.work.mkdir(parents=True)
    dossier.fill_first_round(job)
    return job


def _run(tmp_path, office: FakeOffice, years, events: list | None = None) -> schedule.Schedule:
    """The recipe's calls: each year filled and handed in, the pieces made ready, one run."""
    builds = [_year(tmp_path, year) for year in years]
    (tmp_path / "pdf").mkdir(exist_ok=True)
    jobs = schedule.Schedule(
        office,
        cache.PdfCache(tmp_path / "cache"),
        tmp_path / "pdf",
        release=True,
        watch=(events if events is not None else []).append,
    )
    for job in builds:
        jobs.add(job)
    for job in builds:
        dossier.prepare_pieces(job)
    jobs.run()
    return jobs


def _bordereau_of(length):
    """Documents of two pages, and a bordereau of ``length(rounds before)`` pages."""
    return lambda doc, before: length(before) if doc.stem.startswith("bordereau") else 2


@pytest.fixture()
def fills(monkeypatch) -> list[int]:
    """The lengths each bordereau was filled for, in order."""
    lengths, fill = [], dossier.fill_bordereau

    def spy(job, pages, length):
        lengths.append(length)
        fill(job, pages, length)

    monkeypatch.setattr(dossier, "fill_bordereau", spy)
    return lengths


def test_a_bordereau_of_the_assumed_length_is_sent_once_and_the_dossier_assembled(tmp_path, fills):
    events = []
    office = FakeOffice(_bordereau_of(lambda before: 1))
    jobs = _run(tmp_path, office, [2023], events)
    # the biggest first; the bordereau once the others' lengths are known, ahead of what is queued
    assert events == [
        Event("queued", ("bilan-2022", "convention", "pv-copil-2023", "appel-2023")),
        Event("converted", ("bilan-2022",)),
        Event("converted", ("convention",)),
        Event("converted", ("pv-copil-2023",)),
        Event("converted", ("appel-2023",)),
        Event("queued", ("bordereau-2023",)),
        Event("converted", ("bordereau-2023",)),
        Event("assembled", ("2023",)),
    ]
    (year,) = jobs.years
    assert (year.rounds, year.settled, year.assembled) == (1, True, True) and fills == [1]
    assert jobs.converted == 5 and office.released
    job = year.build
    assert all(c.state == "placed" and c.source is not None for c in jobs.conversions.values())
    for converted in job.files.values():  # each document's record names its conversion
        assert jobs.conversions[converted.digest].targets == [converted.pdf]
    assert all(job.files[key].reader is not None for key in dossier.first_round(job))  # opened as each arrived
    dossier_pdf = job.work / "dossier-2023.pdf"
    parts = sum(len(PdfReader(job.files[k].pdf).pages) for k in job.keys)
    assert len(PdfReader(dossier_pdf).pages) > parts  # the cover and the sommaire before them


def test_a_bordereau_longer_than_assumed_is_filled_again_then_the_dossier_assembled(tmp_path, fills):
    events = []
    office = FakeOffice(_bordereau_of(lambda before: 3))
    jobs = _run(tmp_path, office, [2023], events)
    (year,) = jobs.years
    assert (year.rounds, year.bordereau_length, year.assembled) == (2, 3, True) and fills == [1, 3]
    assert office.sent.count("bordereau-2023.docx") == 2
    assert [e.kind for e in events][-5:] == ["queued", "converted", "queued", "converted", "assembled"]
    job = year.build
    assert year.awaited is jobs.conversions[job.files["bordereau"].digest]  # the second round's is the one in place
    assert len(PdfReader(job.files["bordereau"].pdf).pages) == 3
    layout = dossier.dossier_layout(job, {d: c.pages for d, c in jobs.conversions.items()})
    keys = [e.key for e in dossier.entries(job)]
    after = keys[keys.index("bordereau") + 1]  # the pages the bordereau gives start after its real length
    assert layout.starts[after] == layout.starts["bordereau"] + 3


def test_a_bordereau_whose_length_never_settles_stops_the_build(tmp_path, fills):
    office = FakeOffice(_bordereau_of(lambda before: 2 + before))  # one page longer at each round
    with pytest.raises(OutputError, match="la longueur du bordereau ne se stabilise pas"):
        _run(tmp_path, office, [2023])
    assert office.sent.count("bordereau-2023.docx") == schedule.MAX_BORDEREAU_ROUNDS
    assert fills == list(range(1, schedule.MAX_BORDEREAU_ROUNDS + 1))


def test_a_document_identical_in_two_years_is_converted_once(tmp_path):
    office = FakeOffice()
    jobs = _run(tmp_path, office, [2023, 2024])
    assert office.sent.count("convention.docx") == 1
    # 2023's bordereau, which its dossier waits for, passes 2024's documents still queued
    assert office.sent.index("bordereau-2023.docx") < office.sent.index("appel-2024.docx")
    (convention,) = [c for c in jobs.conversions.values() if c.source and c.source.name == "convention.docx"]
    assert [t.parent.name for t in convention.targets] == ["2023", "2024"]
    first, second = (y.build.work / "convention.pdf" for y in jobs.years)
    assert first.read_bytes() == second.read_bytes()
    assert all(y.assembled for y in jobs.years)


def test_a_pdf_in_the_cache_is_not_sent_again(tmp_path):
    _run(tmp_path / "first", FakeOffice(), [2022, 2023])
    events = []
    office = FakeOffice()
    again = tmp_path / "again"
    again.mkdir()
    (tmp_path / "first" / "cache").rename(again / "cache")  # the next build's work folders, the same cache
    jobs = _run(again, office, [2022, 2023], events)
    assert office.sent == [] and jobs.converted == 0
    assert {c.state for c in jobs.conversions.values()} == {"cached"}
    assert events == [Event("assembled", ("2022",)), Event("assembled", ("2023",))]
    for year in (2022, 2023):
        first, second = (root / "work" / str(year) / f"dossier-{year}.pdf" for root in (tmp_path / "first", again))
        assert first.read_bytes() == second.read_bytes()


def test_the_closing_dossier_has_no_bordereau_to_wait_for(tmp_path):
    events = []
    jobs = _run(tmp_path, FakeOffice(), [2025], events)
    (year,) = jobs.years
    assert year.rounds == 0 and year.assembled and dossier.piece_list(year.build) is None
    assert events[-1] == Event("assembled", ("2025",))
