"""Recovery after a killed build touches only what dead builds left: the working folders of a
build still running (another year of the same convention) or publishing are never removed.
Bare folders and a lock held by another process: no LibreOffice, milliseconds."""

from __future__ import annotations

import subprocess
import sys

import pytest

from pipeline import publish


@pytest.fixture()
def holder():
    """Another process holding the locks of the given years, as a running build does."""
    started = []

    def hold(outputs, *years):
        code = (
            "import fcntl, sys, time\n"
            "handles = [open(p, 'a') for p in sys.argv[1:]]\n"
            "[fcntl.flock(h, fcntl.LOCK_EX) for h in handles]\n"
            "print('held', flush=True)\n"
            "time.sleep(60)\n"
        )
        process = subprocess.Popen(
            [sys.executable, "-c", code, *(str(outputs / f".lock-{y}") for y in years)], stdout=subprocess.PIPE, text=True
        )
        assert process.stdout.readline().strip() == "held"
        started.append(process)
        return process

    yield hold
    for process in started:
        process.kill()
        process.wait()


def _working(outputs, kind, years):
    folder = outputs / f"{publish.working_prefix(kind, years)}x1y2_z"
    folder.mkdir(parents=True)
    (folder / "bilan-2022.pdf").write_bytes(b"%PDF-1.7 en cours")
    return folder


def test_a_running_build_of_another_year_keeps_its_working_folders(tmp_path, holder):
    outputs = tmp_path / "conv"
    running = [_working(outputs, "build", [2023]), _working(outputs, "pdf", [2023]), _working(outputs, "pdf", [2022, 2023])]
    dead = [_working(outputs, "build", [2024]), _working(outputs, "new", [2024])]
    build_2023 = holder(outputs, 2023)
    publish.recover(outputs)  # what a build of 2024 does first
    assert all(f.is_dir() for f in running)  # the 2023 build goes on with its files
    assert not any(f.exists() for f in dead)
    build_2023.kill()
    build_2023.wait()
    publish.recover(outputs)  # once it is dead, its leftovers go
    assert not any(f.exists() for f in running)


def test_a_publish_in_progress_is_not_undone_by_a_recovery(tmp_path, holder):
    """Between the two renames of a publish, the previous folder waits in .old-*: a recovery
    running then must not put it back (the new folder would have nowhere to go)."""
    outputs = tmp_path / "conv"
    old = outputs / f"{publish.working_prefix('old', [2023])}abc"
    (old / "previous").mkdir(parents=True)
    (old / "previous" / "dossier-2023.pdf").write_bytes(b"%PDF ancien")
    publishing = holder(outputs, 2023)
    publish.recover(outputs)
    assert (old / "previous" / "dossier-2023.pdf").is_file() and not (outputs / "2023").exists()
    publishing.kill()
    publishing.wait()
    publish.recover(outputs)  # the publish was killed between its renames: the previous folder comes back
    assert (outputs / "2023" / "dossier-2023.pdf").read_bytes() == b"%PDF ancien" and not old.exists()


def test_a_folder_naming_no_year_is_left_alone(tmp_path):
    outputs = tmp_path / "conv"
    (outputs / ".pdf-inconnu").mkdir(parents=True)
    publish.recover(outputs)
    assert (outputs / ".pdf-inconnu").is_dir()
