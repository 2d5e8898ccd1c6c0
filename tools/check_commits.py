"""Commit messages as the house writes them (issue 31): a subject of at most 72 characters, a
blank line, then the why in the body for any change bigger than a few lines.

Checked from ``SINCE`` on: the history before it is kept as it was written. Run by ``make lint``.
"""

from __future__ import annotations

import subprocess
import sys

SINCE = "242b2c0"  # the last commit before the rule was enforced
SUBJECT_MAX = 72
BODY_AFTER_LINES = 20  # a change touching more lines than this says why in a body


def commits(since: str) -> list[str]:
    out = subprocess.run(["git", "rev-list", f"{since}..HEAD"], capture_output=True, text=True, check=True)
    return out.stdout.split()


def problems(rev: str) -> list[str]:
    message = (
        subprocess.run(["git", "log", "-1", "--format=%B", rev], capture_output=True, text=True, check=True)
        .stdout.rstrip("\n")
        .split("\n")
    )
    subject, rest = message[0], message[1:]
    found = []
    if len(subject) > SUBJECT_MAX:
        found.append(f"sujet de {len(subject)} caractères (au plus {SUBJECT_MAX})")
    if rest and rest[0].strip():
        found.append("une ligne vide doit séparer le sujet du corps")
    parents = subprocess.run(["git", "log", "-1", "--format=%P", rev], capture_output=True, text=True, check=True).stdout.split()
    if len(parents) == 1 and not any(line.strip() for line in rest):
        stat = subprocess.run(["git", "diff", "--shortstat", f"{rev}^", rev], capture_output=True, text=True, check=True).stdout
        changed = sum(
            int(word) for word, kind in zip(stat.split(), stat.split()[1:]) if kind.startswith(("insertion", "deletion"))
        )
        if changed > BODY_AFTER_LINES:
            found.append(f"{changed} lignes changées sans corps : dites pourquoi sous le sujet")
    return [f"{rev[:7]} « {subject[:50]} » : {p}" for p in found]


def main(argv: list[str] | None = None) -> int:
    since = (argv if argv is not None else sys.argv[1:] or [SINCE])[0]
    try:
        revs = commits(since)
    except (subprocess.CalledProcessError, FileNotFoundError):
        print("check_commits : pas d'historique git ici, rien à vérifier")
        return 0
    found = [p for rev in revs for p in problems(rev)]
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
