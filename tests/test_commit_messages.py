"""The commit-message rule ``make lint`` enforces (tools/check_commits.py), on a throw-away repository."""

import subprocess

from tools import check_commits


def _git(repo, *args):
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout


def _commit(repo, name, lines, message):
    (repo / name).write_text("".join(f"ligne {i}\n" for i in range(lines)))
    _git(repo, "add", name)
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", message)


def test_long_subject_and_missing_body_are_said(tmp_path, monkeypatch, capsys):
    _git(tmp_path, "init", "-q")
    _commit(tmp_path, "a.txt", 1, "Start")
    base = _git(tmp_path, "rev-parse", "HEAD").strip()
    _commit(tmp_path, "b.txt", 2, "Small change, no body needed")
    _commit(tmp_path, "c.txt", 30, "Big change with a body\n\nBecause the reader needs the why.")
    monkeypatch.chdir(tmp_path)
    assert check_commits.main([base]) == 0
    _commit(tmp_path, "d.txt", 1, "x" * 73)
    _commit(tmp_path, "e.txt", 30, "Big change without a body")
    assert check_commits.main([base]) == 1
    said = capsys.readouterr().out
    assert "sujet de 73 caractères" in said
    assert "30 lignes changées sans corps" in said
