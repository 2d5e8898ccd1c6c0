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


def _worker():
    """lo_worker.py, the script the pool's workers run (outside the venv), loaded as a module."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("lo_worker", libreoffice.WORKER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_worker_warms_up_only_while_no_document_waits(monkeypatch):
    """Once started, a worker converts a tiny document of its own while the pipeline still reads
    its data (what a first document loads is then loaded); never when a document already waits."""
    import os
    import zipfile

    worker = _worker()
    converted = []

    def convert(desktop, source, target):
        with zipfile.ZipFile(source) as docx:  # a real .docx: the Word filter is what is warmed
            assert "word/document.xml" in docx.namelist() and "Arial" in docx.read("word/document.xml").decode()
        with open(target, "wb") as pdf:
            pdf.write(b"%PDF-1.7\n")
        converted.append(target)

    monkeypatch.setattr(worker, "convert", convert)
    read, write = os.pipe()
    with os.fdopen(read) as requests, os.fdopen(write, "w") as pipeline:
        assert worker.warm_up(object(), requests) is True
        assert len(converted) == 1 and not os.path.exists(converted[0])  # its PDF thrown away
        pipeline.write('{"convert": []}\n')
        pipeline.flush()
        assert worker.warm_up(object(), requests) is False  # a request waits: it goes first
        assert len(converted) == 1


def test_a_warm_up_that_cannot_be_written_is_skipped(monkeypatch):
    """No room in the temporary folder (or LibreOffice gone): the worker goes on to the pipeline's
    requests, which say what is wrong."""
    import os

    worker = _worker()

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(worker.tempfile, "TemporaryDirectory", full)
    read, write = os.pipe()
    with os.fdopen(read) as requests, os.fdopen(write, "w"):
        assert worker.warm_up(object(), requests) is False
