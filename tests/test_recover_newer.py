"""Recovery after a build killed between its two renames puts the previous folder back only where
nothing took its place: a newer publication (made meanwhile by a later build) is never replaced by
an older folder, and recovery does not fail on it. Bare folders, no lock held, milliseconds."""

from __future__ import annotations

from pipeline import publish


def test_recovery_never_puts_an_old_folder_back_over_a_newer_publication(tmp_path):
    outputs = tmp_path / "conv"
    newer = outputs / "2023"
    newer.mkdir(parents=True)
    (newer / "dossier-2023.pdf").write_bytes(b"%PDF nouveau")
    old = outputs / f"{publish.working_prefix('old', [2023])}x1y2"
    (old / "previous").mkdir(parents=True)
    (old / "previous" / "dossier-2023.pdf").write_bytes(b"%PDF ancien")
    publish.recover(outputs)
    assert (newer / "dossier-2023.pdf").read_bytes() == b"%PDF nouveau"
    assert sorted(p.name for p in newer.iterdir()) == ["dossier-2023.pdf"]
    assert not old.exists()  # the stale previous folder is gone


def test_recovery_puts_the_previous_folder_back_where_nothing_took_its_place(tmp_path):
    outputs = tmp_path / "conv"
    old = outputs / f"{publish.working_prefix('old', [2023])}x1y2"
    (old / "previous").mkdir(parents=True)
    (old / "previous" / "dossier-2023.pdf").write_bytes(b"%PDF ancien")
    publish.recover(outputs)
    assert (outputs / "2023" / "dossier-2023.pdf").read_bytes() == b"%PDF ancien" and not old.exists()
