"""The board reads status once while nothing moves, and again as soon as a file it reads changes."""

from __future__ import annotations

import contextlib

from bureau_helpers import TOKEN, app_for, convention_copy
from helpers import CONV
from starlette.testclient import TestClient

from pipeline import status


@contextlib.contextmanager
def _counted(monkeypatch):
    calls = []
    real = status.status

    def counting(*args, **kwargs):
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(status, "status", counting)
    yield calls


def test_the_board_is_read_again_only_when_a_file_changes(tmp_path, monkeypatch):
    inputs, outputs = convention_copy(tmp_path)
    with _counted(monkeypatch) as calls, TestClient(app_for(inputs, outputs)) as client:
        first = client.get(f"/?jeton={TOKEN}")
        again = client.get("/")
        assert first.status_code == again.status_code == 200
        assert len(calls) == 1 and first.text == again.text  # nothing changed: the same reports
        year = inputs / CONV / "2023" / "year.yaml"
        year.write_text(year.read_text(encoding="utf-8") + "\n# une note de la chargée de mission\n", encoding="utf-8")
        client.get("/")
        assert len(calls) == 2  # a data file changed: status reads it again
        (inputs / CONV / "signes").mkdir(exist_ok=True)
        (inputs / CONV / "signes" / "bilan-2022.pdf").write_bytes(b"%PDF-1.7\n")
        client.get("/")
        assert len(calls) == 3  # a file dropped in signes/: again
