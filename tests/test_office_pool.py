"""The pool of LibreOffice workers (``office.libreoffice.Pool``) without LibreOffice: how many
there are, each on its own profile, and every one of them stopped."""

from __future__ import annotations

from pipeline.office import libreoffice


def test_two_workers_where_there_are_two_cores(monkeypatch):
    for cores, workers in ((None, 1), (1, 1), (2, 2), (8, 2)):
        monkeypatch.setattr(libreoffice.os, "cpu_count", lambda cores=cores: cores)
        assert libreoffice.workers() == workers
        assert libreoffice.Pool().size == workers


def test_each_worker_keeps_its_own_profile(tmp_path):
    profile = tmp_path / "libreoffice-profile"
    pool = libreoffice.Pool(profile=profile, size=3)
    assert [s.keep_profile for s in pool.sessions] == [
        profile,
        tmp_path / "libreoffice-profile-2",
        tmp_path / "libreoffice-profile-3",
    ]


def test_closing_the_pool_stops_every_worker():
    stopped = []

    class Worker:
        def __init__(self, name):
            self.name = name

        def close(self):
            stopped.append(self.name)

    pool = libreoffice.Pool(size=2)
    pool.sessions = [Worker("premier"), Worker("second")]
    with pool:
        pass
    assert stopped == ["premier", "second"]
