"""The bureau under test: the shipped convention copied, its app with a known token, and a build
runtime whose LibreOffice is the scheduler's stand-in (tests/fakeoffice.py), so that a build
from a page takes a second, not LibreOffice's start and conversions."""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import time
from pathlib import Path

from fakeoffice import FakeOffice
from helpers import CONV, INPUTS, TEMPLATES

from pipeline import build
from pipeline.bureau.site import create_app
from pipeline.office import libreoffice

TOKEN = "jeton-de-test"
HOST = "testserver"
ORIGIN = f"http://{HOST}"
SIGNED_BILAN = [("bilan-association", "Pascal FRIQUET", dt.date(2023, 2, 20))]


class StandInSession(FakeOffice, libreoffice._Office):
    """FakeOffice with the rest of a ``libreoffice.Session``'s face that the build uses: its
    batch conversion (the preview's call) and its context, on the stand-in's send and receive."""

    def prestart(self, workers=None) -> None:
        pass

    def close(self) -> None:
        pass


@contextlib.contextmanager
def stand_in_runtime(**told):
    yield build.Runtime(StandInSession(), **told)


def convention_copy(root: Path) -> tuple[Path, Path]:
    """The shipped convention under root/inputs/, and root/out for its outputs."""
    inputs = root / "inputs"
    shutil.copytree(INPUTS, inputs / CONV)
    return inputs, root / "out"


def app_for(inputs: Path, outputs: Path, **options):
    options.setdefault("runtime", stand_in_runtime)
    options.setdefault("office", StandInSession)
    return create_app(inputs, TEMPLATES, outputs, token=TOKEN, hosts=(HOST,), **options)


def wait_for(job: dict, client, seconds: float = 60) -> dict:
    """The build's state once it is over."""
    deadline = time.monotonic() + seconds
    while True:
        state = client.get(f"/travaux/{job['travail']}").json()
        if state["fini"] or time.monotonic() > deadline:
            return state
        time.sleep(0.05)
