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

TOKEN = "jeton-de-test"
HOST = "testserver"
ORIGIN = f"http://{HOST}"
SIGNED_BILAN = [("bilan-association", "Pascal FRIQUET", dt.date(2023, 2, 20))]


class StandInSession(FakeOffice):
    """FakeOffice with the rest of a ``libreoffice.Session``'s face that the build uses."""

    def prestart(self, workers=None) -> None:
        pass

    @contextlib.contextmanager
    def stopped_on_failure(self):
        yield self

    def close(self) -> None:
        pass

    def convert(self, docs: list[Path], outdir: Path) -> list[Path]:
        """As ``Session.convert``: each document sent, then each answer awaited (the preview's call)."""
        pdfs = [(outdir / f"{d.stem}.pdf").resolve() for d in docs]
        for doc, pdf in zip(docs, pdfs):
            self.send(doc, pdf)
        for _ in docs:
            self.receive()
        return pdfs


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
