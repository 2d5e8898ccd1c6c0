"""Who owns LibreOffice during a run, without starting one: the caller opens it and stops it, a
build never closes it but stops it at once when it fails, before its working folders go."""

import pytest
from helpers import CONV, TEMPLATES

from pipeline import build
from pipeline.errors import ConversionError
from pipeline.office import libreoffice


def quiet(message: str) -> None:
    pass


class Recorded(libreoffice.Session):
    """The real session's rules, with no LibreOffice behind them: what was asked of it is noted."""

    def __init__(self, outputs=None):
        super().__init__()
        self.outputs = outputs
        self.closed: list[set] = []  # at each close, the folders under outputs/ then

    def prestart(self, workers=None) -> None:
        pass

    def send(self, doc, pdf) -> None:
        raise KeyboardInterrupt()  # Ctrl-C while LibreOffice converts

    def close(self) -> None:
        self.closed.append(folders(self.outputs) if self.outputs else set())


def folders(root):
    return {p for p in root.rglob("*") if p.is_dir()}


def test_a_failing_build_stops_libreoffice_before_its_working_folders_are_removed(inputs_copy, tmp_path):
    outputs = tmp_path / "out"
    office = Recorded(outputs)
    with pytest.raises(KeyboardInterrupt):
        build.build_years(
            [2023], build.BuildRequest(inputs_copy, TEMPLATES, outputs), build.Runtime(office, log=quiet, warn=quiet)
        )
    assert len(office.closed) == 1  # stopped once, by the build, as it failed
    working = office.closed[0] - folders(outputs)
    assert working  # its working folders were still there when it was stopped, and are gone now
    assert not (outputs / CONV / "2023").exists()


def test_the_guard_stops_only_on_failure():
    office = Recorded()
    with office.stopped_on_failure():
        pass
    assert office.closed == []  # the owner stops it, later
    with pytest.raises(ValueError), office.stopped_on_failure():
        raise ValueError()
    assert len(office.closed) == 1


def test_the_owner_stops_libreoffice_however_the_run_ends(tmp_path, monkeypatch):
    closed = []
    monkeypatch.setattr(libreoffice.Session, "close", lambda self: closed.append(self))
    with build.runtime_for(tmp_path) as runtime:
        assert runtime.office.proc is None  # not started: a build with nothing to do never starts it
    with pytest.raises(RuntimeError), build.runtime_for(tmp_path):
        raise RuntimeError()
    assert len(closed) == 2 * libreoffice.workers()  # every worker, each time


def test_each_convention_is_built_from_its_own_request_and_libreoffice_released_after_the_last(monkeypatch):
    calls = []
    monkeypatch.setattr(
        build,
        "build_years",
        lambda years, request, runtime, release: (
            calls.append((years, request.convention_dir, release)) or [request.convention_dir / str(years[0])]
        ),
    )
    requests = [build.BuildRequest(TEMPLATES.parent / name, TEMPLATES, TEMPLATES.parent / "out") for name in "abc"]
    runtime = build.Runtime(Recorded(), log=quiet, warn=quiet)
    paths = list(build.build_conventions(requests, 2023, runtime))
    assert [(years, folder.name, release) for years, folder, release in calls] == [
        ([2023], "a", False),
        ([2023], "b", False),
        ([2023], "c", True),
    ]
    assert [p.parent.name for p in paths] == ["a", "b", "c"]
    assert runtime.office.closed == []  # the caller's to stop


def test_a_hang_is_said_so_with_the_hint_of_its_moment():
    office = libreoffice.Session()
    with pytest.raises(ConversionError) as starting:
        office._next(0.01, "le démarrage de LibreOffice", starting=True)
    with pytest.raises(ConversionError) as converting:
        office._next(0.01, "la conversion de bilan-2022.docx")
    assert starting.value.hung and converting.value.hung
    assert "réinstallez LibreOffice" in starting.value.hint and "abîmé" in converting.value.hint
    assert not ConversionError("LibreOffice s'est arrêté").hung


class Held:
    """A worker of a pool, without LibreOffice: started or not, and what it was sent."""

    def __init__(self, started: bool):
        self.proc, self.pending = (object() if started else None), []

    @property
    def live(self) -> bool:
        return self.proc is not None

    def prestart(self) -> None:
        self.proc = self.proc or object()

    def send(self, doc, pdf) -> None:
        self.proc = self.proc or object()  # a worker not started starts on its first document
        self.pending.append(doc)


def test_a_pool_uses_no_more_workers_than_prestarted():
    """A lone year's documents all go to the one worker started for it, however many wait (a
    second start would cost more than it converts); a run that asks for every worker gets them."""
    pool = libreoffice.Pool(size=2)
    pool.sessions = [Held(started=False), Held(started=False)]
    pool.prestart(workers=1)
    assert pool.size == 1 and pool.sessions[1].proc is None
    for doc in ("convention", "bilan", "pv-copil", "appel"):
        pool.send(doc, None)
    assert [s.pending for s in pool.sessions] == [["convention", "bilan", "pv-copil", "appel"], []]
    assert pool.sessions[1].proc is None  # never started
    pool.prestart()  # several years: every worker, each given the next document in turn
    assert pool.size == 2 and pool.sessions[1].proc is not None
    pool.send("bordereau", None)
    assert pool.sessions[1].pending == ["bordereau"]


class Prestarts:
    """Stands for the build's LibreOffice: notes how many workers each start asks for, and stops
    the build there (nothing is converted)."""

    def __init__(self):
        self.asked: list[int | None] = []

    def prestart(self, workers=None) -> None:
        self.asked.append(workers)
        raise KeyboardInterrupt()


@pytest.mark.parametrize("years, asked", [([2023], [1]), ([2023, 2024], [None])])
def test_a_lone_year_starts_one_libreoffice_several_years_every_one(inputs_copy, tmp_path, years, asked):
    office = Prestarts()
    with pytest.raises(KeyboardInterrupt):
        build.build_years(
            years, build.BuildRequest(inputs_copy, TEMPLATES, tmp_path / "out"), build.Runtime(office, log=quiet, warn=quiet)
        )
    assert office.asked == asked


def test_prestarting_one_worker_leaves_the_others_for_later(monkeypatch):
    started = []
    monkeypatch.setattr(libreoffice.Session, "prestart", lambda self, workers=None: started.append(self))
    pool = libreoffice.Pool(size=2)
    pool.prestart(workers=1)
    assert started == pool.sessions[:1]
    pool.prestart()
    assert started == [pool.sessions[0], *pool.sessions]
