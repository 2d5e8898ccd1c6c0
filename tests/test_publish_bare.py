"""Publishing, recovery and the locks on bare folders: a work folder of plain files stands for a
build, so each promise of publish.py is checked in milliseconds, without LibreOffice (the same
promises through a real build are in test_publish.py)."""
from __future__ import annotations

import errno
import os
import shutil

import pytest

from helpers import INPUTS, TEMPLATES
from pipeline import manifest, publish
from pipeline.errors import OutputError
from test_errors import snapshot


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


@pytest.mark.parametrize("name, years", [(".pdf-2023_2024-ab12", ["2023", "2024"]), (".build-2023-x", ["2023"]),
                                         (".pdf-x1y2", []), (".new-abc-def", []), (".old-", [])])
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
        said, = status.status(INPUTS, TEMPLATES, outputs, [YEAR])
        assert said.stale == ["publication en cours : une construction remplace ce dossier — relancez dans un "
                              "instant"]
    finally:
        lock.close()
    said, = status.status(INPUTS, TEMPLATES, outputs, [YEAR])  # killed there: the dossier is put back
    assert (out / str(YEAR) / manifest.NAME).is_file() and said.stale == []
