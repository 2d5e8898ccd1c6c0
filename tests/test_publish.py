"""Publishing is one step: a failure while publishing, or a build killed between its two
renames, never costs the previous outputs; recovery and the locks too. Each promise of
publish.py is first checked on bare folders (a work folder of plain files stands for a build, in
milliseconds, without LibreOffice), then the same promises through a real build."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys

import pytest
from builder import convention
from helpers import CONV, INPUTS, ROOT, TEMPLATES, build_years, cli
from test_errors import snapshot

from pipeline import manifest, publish
from pipeline.errors import OutputError

YEAR = 2023


def taken(inputs):
    """What a build of the year reads from ``inputs``, hashed once as a build does at its start."""
    return manifest.Manifest.taken(inputs, YEAR, TEMPLATES, final=False)


def work_folder(tmp_path, name: str, content: bytes):
    """What a build leaves in its work folder: the documents, and scratch that is not published."""
    work = tmp_path / name
    work.mkdir()
    (work / f"dossier-{YEAR}.pdf").write_bytes(b"%PDF-1.7 " + content)
    (work / f"appel-{YEAR}.docx").write_bytes(b"PK " + content)
    (work / "pieces-office").mkdir()
    (work / "notes.txt").write_text("brouillon")
    return work


@pytest.fixture()
def published(tmp_path):
    """outputs/<convention>/ holding a first publication of 2023."""
    out = tmp_path / "outputs"
    out.mkdir()
    publish.publish(work_folder(tmp_path, "first", b"v1"), YEAR, out, taken(INPUTS))
    return out


def leftovers(out):
    return sorted(p.name for p in out.iterdir() if p.name.startswith((".new-", ".old-", ".build-", ".pdf-")))


def test_publishing_puts_the_documents_and_their_manifest_in_place_and_leaves_nothing_behind(tmp_path, published):
    folder = published / str(YEAR)
    assert sorted(p.name for p in folder.iterdir()) == [f"appel-{YEAR}.docx", f"dossier-{YEAR}.pdf", manifest.NAME]
    assert publish.dossier_path(published, YEAR).read_bytes() == b"%PDF-1.7 v1"
    assert publish.built_before(published, YEAR) and not publish.built_before(published, YEAR + 1)
    assert publish.up_to_date(published, INPUTS, YEAR, TEMPLATES, final=False)
    assert not publish.up_to_date(published, INPUTS, YEAR, TEMPLATES, final=True)  # a draft is not the final
    assert leftovers(published) == []
    # a second publication replaces the first whole
    publish.publish(work_folder(tmp_path, "second", b"v2"), YEAR, published, taken(INPUTS))
    assert publish.dossier_path(published, YEAR).read_bytes() == b"%PDF-1.7 v2" and leftovers(published) == []


def test_a_change_of_the_years_data_makes_the_publication_stale(tmp_path):
    inputs = tmp_path / "inputs" / INPUTS.name
    shutil.copytree(INPUTS, inputs)
    out = tmp_path / "outputs"
    out.mkdir()
    publish.publish(work_folder(tmp_path, "w", b"v1"), YEAR, out, taken(inputs))
    assert publish.up_to_date(out, inputs, YEAR, TEMPLATES, final=False)
    path = inputs / str(YEAR) / "year.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# relu\n", encoding="utf-8")
    assert not publish.up_to_date(out, inputs, YEAR, TEMPLATES, final=False)


def test_a_disk_full_while_copying_keeps_the_previous_publication(tmp_path, published, monkeypatch):
    before = snapshot(published)
    original, copies = shutil.copy2, []

    def full_on_the_second(src, dst, *args, **kwargs):
        copies.append(src)
        if len(copies) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return original(src, dst, *args, **kwargs)

    monkeypatch.setattr(publish.shutil, "copy2", full_on_the_second)
    with pytest.raises(OutputError, match="impossible d'écrire"):
        publish.publish(work_folder(tmp_path, "w", b"v2"), YEAR, published, taken(INPUTS))
    assert snapshot(published) == before and leftovers(published) == []


def test_a_new_folder_refused_in_place_gives_the_previous_one_back(tmp_path, published, monkeypatch):
    before = snapshot(published)
    original, renames = os.rename, []

    def refuse_the_second(src, dst):
        renames.append(src)
        if len(renames) == 2:  # the previous folder went aside, the new one is refused in its place
            raise PermissionError(errno.EACCES, "Permission denied")
        return original(src, dst)

    monkeypatch.setattr(publish.os, "rename", refuse_the_second)
    with pytest.raises(OutputError):
        publish.publish(work_folder(tmp_path, "w", b"v2"), YEAR, published, taken(INPUTS))
    assert len(renames) == 3 and snapshot(published) == before and leftovers(published) == []


def test_a_publication_killed_between_its_two_renames_is_put_back_by_the_next_recovery(published):
    before = snapshot(published)
    aside = published / f"{publish.working_prefix('old', [YEAR])}k1ll3d"
    aside.mkdir()
    os.rename(published / str(YEAR), aside / "previous")  # where a kill -9 between the renames leaves it
    staging = published / f"{publish.working_prefix('new', [YEAR])}k1ll3d"
    staging.mkdir()
    (staging / "half.pdf").write_bytes(b"%PDF")
    publish.recover(published)
    assert snapshot(published) == before and leftovers(published) == []


def test_a_recovery_never_undoes_a_publication_whose_build_holds_its_lock(published):
    aside = published / f"{publish.working_prefix('old', [YEAR])}busy"
    aside.mkdir()
    os.rename(published / str(YEAR), aside / "previous")
    with publish.locks(published, [YEAR]):  # the build publishing right now
        publish.recover(published)
        assert (aside / "previous").is_dir() and not (published / str(YEAR)).exists()
    publish.recover(published)  # once it is gone, what it left is put right
    assert (published / str(YEAR)).is_dir() and leftovers(published) == []


def test_a_published_folder_and_its_files_are_ordinary_ones(tmp_path, published):
    reference = tmp_path / "ordinaire"
    reference.mkdir()
    (tmp_path / "ordinaire.txt").write_text("")
    folder = published / str(YEAR)
    assert folder.stat().st_mode & 0o777 == reference.stat().st_mode & 0o777  # not mkdtemp's 700
    ordinary = (tmp_path / "ordinaire.txt").stat().st_mode & 0o777
    assert {p.stat().st_mode & 0o777 for p in folder.iterdir()} == {ordinary}


def test_one_build_per_year_at_a_time_and_another_year_beside_it(tmp_path):
    with publish.locks(tmp_path, [2023, 2024]):
        with pytest.raises(OutputError, match="une autre construction de l'année 2024 est en cours"):
            with publish.locks(tmp_path, [2024]):
                pass
        with publish.locks(tmp_path, [2025]):  # another year builds beside it
            pass
    with publish.locks(tmp_path, [2024]):  # released on the way out
        pass


def test_a_refused_lock_releases_the_years_it_had_taken(tmp_path):
    with publish.locks(tmp_path, [2024]):
        with pytest.raises(OutputError):
            with publish.locks(tmp_path, [2023, 2024]):
                pass
        with publish.locks(tmp_path, [2023]):  # 2023 was let go when 2024 was refused
            pass


def test_a_pdf_with_signature_bytes_but_no_signed_field_is_rebuilt(tmp_path):
    out = tmp_path / "outputs"
    (out / str(YEAR)).mkdir(parents=True)
    (out / str(YEAR) / "appel-2023.pdf").write_bytes(b"%PDF-1.7 /ByteRange [0 1 2 3] not really a PDF")
    publish.keep_signed(out, YEAR, tmp_path / "signes")  # unreadable: simply rebuilt, no refusal
    publish.keep_signed(out, YEAR + 1, tmp_path / "signes")  # a year never built: nothing to keep


@pytest.mark.parametrize(
    "name, years",
    [
        (".pdf-2023_2024-ab12", ["2023", "2024"]),
        (".build-2023-x", ["2023"]),
        (".pdf-x1y2", []),
        (".new-abc-def", []),
        (".old-", []),
    ],
)
def test_a_working_folder_names_the_years_whose_locks_its_build_holds(tmp_path, name, years):
    assert publish._years_of(tmp_path / name) == years


def test_status_between_the_two_renames_says_a_publication_runs_or_puts_the_dossier_back(tmp_path):
    """Between a publication's two renames, status said « jamais construit » (battery A2)."""
    from pipeline import files, status

    outputs = tmp_path / "outputs"
    out = outputs / INPUTS.name
    out.mkdir(parents=True)
    publish.publish(work_folder(tmp_path, "first", b"v1"), YEAR, out, taken(INPUTS))
    aside = out / (publish.working_prefix("old", [YEAR]) + "x")
    aside.mkdir()
    os.rename(out / str(YEAR), aside / "previous")  # the build between its two renames
    lock = files.try_lock(publish.lock_path(out, YEAR))  # … and still running
    try:
        (said,) = status.status(INPUTS, TEMPLATES, outputs, [YEAR])
        assert said.stale == ["publication en cours : une construction remplace ce dossier — relancez dans un instant"]
    finally:
        lock.close()
    (said,) = status.status(INPUTS, TEMPLATES, outputs, [YEAR])  # killed there: the dossier is put back
    assert (out / str(YEAR) / manifest.NAME).is_file() and said.stale == []


# --------------------------------------------------------------------------- through a real build


@pytest.fixture()
def previous(tmp_path, built):
    """outputs/ holding a previous 2023 build, and inputs changed since, so a build really publishes."""
    outputs = tmp_path / "outputs"
    shutil.copytree(built / "2023", outputs / CONV / "2023")
    # its PDF cache too: only the two documents the change touches are converted again
    shutil.copytree(built.parent / ".cache" / "pdf", outputs / ".cache" / "pdf")
    inputs = convention().year(2023, appel={"reference": "AR-2023-013"}).write(tmp_path / "inputs" / CONV)
    return inputs, outputs


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
    assert len(copies) == 3 and snapshot(outputs) == before and leftovers(outputs / CONV) == []


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
    assert snapshot(outputs) == before and leftovers(outputs / CONV) == []


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
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_BETWEEN_RENAMES, str(inputs), str(TEMPLATES), str(outputs)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert killed.returncode == 9, killed.stderr
    assert not (outputs / CONV / "2023").exists()  # between the two renames: the previous folder is aside
    # the next command fails on bad data, before building: it still puts the previous outputs back
    path = inputs / "2023" / "year.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  reference: AR-2023-013", "  reference: [oups"), encoding="utf-8")
    result = cli("--inputs", str(inputs), "--outputs", str(outputs), "build", "2023")
    assert result.returncode == 2, result.stderr
    assert snapshot(outputs) == before and leftovers(outputs / CONV) == []


def test_a_published_folder_is_an_ordinary_folder(office, previous):
    inputs, outputs = previous
    build_years([2023], inputs, outputs, office=office)
    reference = outputs / "ordinaire"
    reference.mkdir()
    assert (outputs / CONV / "2023").stat().st_mode & 0o777 == reference.stat().st_mode & 0o777
    # and ordinary files in it: a colleague copies the documents to have them signed
    (outputs / "ordinaire.txt").write_text("")
    ordinary = (outputs / "ordinaire.txt").stat().st_mode & 0o777
    assert {p.name: p.stat().st_mode & 0o777 for p in (outputs / CONV / "2023").iterdir()} == {
        p.name: ordinary for p in (outputs / CONV / "2023").iterdir()
    }


def test_two_years_of_one_convention_build_side_by_side(office, tmp_path):
    """The 2024 build starts (and recovers leftovers) while the 2023 one converts: neither
    touches the other's working folders, both publish."""
    import time

    outputs = tmp_path / "outputs"
    first = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "--outputs", str(outputs), "build", "2023"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any((outputs / CONV).glob(".pdf-2023-*")):
        time.sleep(0.02)
    second = cli("--outputs", str(outputs), "build", "2024")
    _, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    assert second.returncode == 0, second.stderr
    assert (outputs / CONV / "2023" / "dossier-2023.pdf").is_file() and (outputs / CONV / "2024" / "dossier-2024.pdf").is_file()
    assert leftovers(outputs / CONV) == []
