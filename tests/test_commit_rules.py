"""The commit-message rule (tools/check_commits.py) at its edges: a subject of exactly 72
characters, a body glued to its subject, a change of exactly the lines allowed without a body,
and a merge, whose changes were said by the commits it joins."""

from __future__ import annotations

import subprocess

from tools import check_commits


def _git(repo, *args):
    return subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", *args], capture_output=True, text=True, check=True
    ).stdout


def _commit(repo, name, lines, message):
    (repo / name).write_text("".join(f"ligne {i}\n" for i in range(lines)))
    _git(repo, "add", name)
    _git(repo, "commit", "-q", "-m", message)
    return _git(repo, "rev-parse", "HEAD").strip()


def _repo(tmp_path, monkeypatch):
    _git(tmp_path, "init", "-q", "-b", "main")
    _commit(tmp_path, "a.txt", 1, "Start")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_subject_of_72_characters_and_a_change_of_20_lines_pass(tmp_path, monkeypatch):
    repo = _repo(tmp_path, monkeypatch)
    assert check_commits.problems(_commit(repo, "b.txt", 1, "x" * 72)) == []
    assert check_commits.problems(_commit(repo, "c.txt", 20, "Twenty lines, no body")) == []
    [said] = check_commits.problems(_commit(repo, "d.txt", 21, "Twenty-one lines, no body"))
    assert "21 lignes changées sans corps" in said


def test_a_body_glued_to_its_subject_is_said(tmp_path, monkeypatch):
    repo = _repo(tmp_path, monkeypatch)
    [said] = check_commits.problems(_commit(repo, "b.txt", 1, "Subject\nBody right under it"))
    assert "une ligne vide doit séparer le sujet du corps" in said


def test_a_merge_needs_no_body(tmp_path, monkeypatch):
    repo = _repo(tmp_path, monkeypatch)
    _git(repo, "checkout", "-q", "-b", "side")
    _commit(repo, "b.txt", 30, "Big change on a side branch\n\nBecause it is needed.")
    _git(repo, "checkout", "-q", "main")
    _commit(repo, "c.txt", 1, "Small change on main")
    _git(repo, "merge", "-q", "--no-ff", "-m", "Merge side", "side")
    merge = _git(repo, "rev-parse", "HEAD").strip()
    assert len(_git(repo, "log", "-1", "--format=%P", merge).split()) == 2
    assert check_commits.problems(merge) == []
