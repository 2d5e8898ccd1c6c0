"""Shared fixtures and the one hook; the plain helpers are in helpers.py.

Which tests need the real LibreOffice is said in ONE way: by the fixture ``office``. A test that
starts LibreOffice asks for it, directly or through a fixture that does (``built``, ``signed``…),
and the hook below marks every test whose fixtures include it « office », so that « make
test-fast » (``-m "not office"``) leaves it out. A module-wide mark was the other way: it also
took out the pure tests that live beside the builds (a plan, a rule, a message), and two ways
disagreed. A fixture goes where the need goes: a test that reads the built dossiers needs
LibreOffice because ``built`` does, without a mark of its own to forget.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from pathlib import Path
from typing import Iterator

import pytest
from helpers import CONV, INPUTS, build_years, shipped_stems

from pipeline.office import libreoffice


@pytest.fixture(scope="session")
def office() -> Iterator[libreoffice.Session]:
    """The real LibreOffice: asked for by every test that starts it (see the module's docstring).
    One for the session, started on first use and stopped at the end: the tests not about
    LibreOffice's own start, stop or profile build with it (``build_years(…, office=office)``)
    and save a start at each build; the others start their own, as staff's builds do."""
    with libreoffice.Session() as session:
        yield session


@contextlib.contextmanager
def once_per_run(tmp_path_factory, name: str) -> Iterator[tuple[Path, bool]]:
    """A folder ``name`` made once for the whole run: under pytest-xdist, the first worker to ask
    makes it while the others wait, then all read it (``make test`` runs a worker per core); a
    run on one process has its own. Yields (folder, whether to make it)."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # the workers' common folder
    folder, done = root / name, root / f"{name}.fait"
    with open(root / f"{name}.verrou", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.is_file():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            yield folder, True
            done.touch()
        else:
            yield folder, False


@pytest.fixture(scope="session")
def built(office, tmp_path_factory) -> Path:
    """outputs/<convention>/ after building every year of the shipped convention in one run, with
    its own LibreOffice as staff's builds have (test_build looks for it, by its profile, once gone).
    Made once for the run, all workers' tests reading it: none writes into it."""
    with once_per_run(tmp_path_factory, "outputs-built") as (outputs, make):
        if make:
            build_years(list(shipped_stems()), INPUTS, outputs)
    return outputs / CONV


@pytest.fixture()
def warm_outputs(built, tmp_path) -> Path:
    """An outputs folder (tmp_path/out) holding the PDF cache of the session's build: a test about
    one change has LibreOffice convert only the documents that change, not every one again (a
    second or more per build). Not for a test about converting, starting or the cache itself."""
    outputs = tmp_path / "out"
    shutil.copytree(built.parent / ".cache" / "pdf", outputs / ".cache" / "pdf")
    return outputs


@pytest.fixture()
def inputs_copy(tmp_path) -> Path:
    """A copy of the shipped inputs that a test may break."""
    target = tmp_path / "inputs" / CONV
    shutil.copytree(INPUTS, target)
    return target


def pytest_collection_modifyitems(items):
    """« office » on every test that asks for the fixture ``office``, directly or not."""
    for item in items:
        if "office" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.office)
