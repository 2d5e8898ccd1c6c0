"""Publishing is one step: a failure while publishing, or a build killed between its two
renames, never costs the previous outputs."""
import errno
import os
import shutil
import subprocess
import sys

import pytest

from helpers import CONV, INPUTS, ROOT, TEMPLATES, build_years, cli
from pipeline import publish
from pipeline.errors import OutputError
from test_errors import snapshot


@pytest.fixture()
def previous(tmp_path, built):
    """outputs/ holding a previous 2023 build, and inputs changed since, so a build really publishes."""
    outputs = tmp_path / "outputs"
    shutil.copytree(built / "2023", outputs / CONV / "2023")
    # its PDF cache too: only the two documents the change touches are converted again
    shutil.copytree(built.parent / ".cache" / "pdf", outputs / ".cache" / "pdf")
    inputs = tmp_path / "inputs" / CONV
    shutil.copytree(INPUTS, inputs)
    path = inputs / "2023" / "year.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("AR-2023-012", "AR-2023-013"), encoding="utf-8")
    return inputs, outputs


def leftovers(outputs):
    return [p.name for p in (outputs / CONV).iterdir() if p.name.startswith((".new-", ".old-", ".build-", ".pdf-"))]


def test_a_write_failing_midway_through_publishing_keeps_the_previous_outputs(office, previous, monkeypatch):
    inputs, outputs = previous
    before = snapshot(outputs)
    copies = []
    original = shutil.copy2

    def disk_full_on_the_third(src, dst, *args, **kwargs):
        copies.append(src)
        if len(copies) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return original(src, dst, *args, **kwargs)

    monkeypatch.setattr(publish.shutil, "copy2", disk_full_on_the_third)
    with pytest.raises(OutputError) as info:
        build_years([2023], inputs, outputs, office=office)
    assert "impossible d'écrire" in str(info.value)
    assert len(copies) == 3 and snapshot(outputs) == before and leftovers(outputs) == []


def test_a_folder_that_cannot_take_the_place_of_the_previous_one_gives_it_back(office, previous, monkeypatch):
    inputs, outputs = previous
    before = snapshot(outputs)
    renames = []
    original = os.rename

    def refused_second(src, dst):
        renames.append((src, dst))
        if len(renames) == 2:  # outputs/2023 moved aside, the new folder refused in its place
            raise PermissionError(errno.EACCES, "Permission denied")
        return original(src, dst)

    monkeypatch.setattr(publish.os, "rename", refused_second)
    with pytest.raises(OutputError):
        build_years([2023], inputs, outputs, office=office)
    assert len(renames) == 3  # the previous folder was put back at once
    assert snapshot(outputs) == before and leftovers(outputs) == []


KILLED_BETWEEN_RENAMES = """
import os, sys
from pathlib import Path
from pipeline import build, publish
calls = []
original = os.rename
def rename(src, dst):
    original(src, dst)
    calls.append(src)
    if len(calls) == 1:
        os._exit(9)  # killed right after outputs/2023 was moved aside
publish.os.rename = rename
request = build.BuildRequest(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
with build.runtime_for(request.outputs, log=lambda m: None, warn=lambda m: None) as runtime:
    build.build_years([2023], request, runtime)
"""


def test_a_build_killed_between_the_two_renames_is_recovered_by_the_next_command(previous):
    inputs, outputs = previous
    before = snapshot(outputs)
    killed = subprocess.run([sys.executable, "-c", KILLED_BETWEEN_RENAMES, str(inputs), str(TEMPLATES), str(outputs)],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert killed.returncode == 9, killed.stderr
    assert not (outputs / CONV / "2023").exists()  # between the two renames: the previous folder is aside
    # the next command fails on bad data, before building: it still puts the previous outputs back
    path = inputs / "2023" / "year.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  reference: AR-2023-013", "  reference: [oups"),
                    encoding="utf-8")
    result = cli("--inputs", str(inputs), "--outputs", str(outputs), "build", "2023")
    assert result.returncode == 2, result.stderr
    assert snapshot(outputs) == before and leftovers(outputs) == []


def test_a_published_folder_is_an_ordinary_folder(office, previous):
    inputs, outputs = previous
    build_years([2023], inputs, outputs, office=office)
    reference = outputs / "ordinaire"
    reference.mkdir()
    assert (outputs / CONV / "2023").stat().st_mode & 0o777 == reference.stat().st_mode & 0o777
    # and ordinary files in it: a colleague copies the documents to have them signed
    (outputs / "ordinaire.txt").write_text("")
    ordinary = (outputs / "ordinaire.txt").stat().st_mode & 0o777
    assert {p.name: p.stat().st_mode & 0o777 for p in (outputs / CONV / "2023").iterdir()} == \
        {p.name: ordinary for p in (outputs / CONV / "2023").iterdir()}


def test_two_years_of_one_convention_build_side_by_side(office, tmp_path):
    """The 2024 build starts (and recovers leftovers) while the 2023 one converts: neither
    touches the other's working folders, both publish."""
    import time

    outputs = tmp_path / "outputs"
    first = subprocess.Popen([sys.executable, "-m", "pipeline", "--outputs", str(outputs), "build", "2023"],
                             cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any((outputs / CONV).glob(".pdf-2023-*")):
        time.sleep(0.02)
    second = cli("--outputs", str(outputs), "build", "2024")
    _, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    assert second.returncode == 0, second.stderr
    assert (outputs / CONV / "2023" / "dossier-2023.pdf").is_file() and (outputs / CONV / "2024" / "dossier-2024.pdf").is_file()
    assert leftovers(outputs) == []
