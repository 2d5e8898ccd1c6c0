"""Several conventions built side by side: one process with its own LibreOffice per core.

Each lane is the same command on its share of the conventions (``build --all --lot i/n``);
its lines are passed on as they are once it ends, and the first failure's exit code is the
command's.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Callable

from pipeline import settings


def cores() -> int:
    """How many conventions are built at once: one per core, or PIPELINE_WORKERS."""
    return settings.workers() or len(os.sched_getaffinity(0)) or 1


def run(options: list[str], lanes: int, command: list[str], out: Callable[[str], None], err: Callable[[str], None]) -> int:
    """Run ``command`` (with the group's ``options``) in ``lanes`` processes, lane i of n given
    ``--lot i/n``; return the first failing lane's exit code, else 0."""
    base = [sys.executable, "-m", "pipeline", *options]
    with tempfile.TemporaryDirectory(prefix="lanes-") as tmp:
        runs = []
        for i in range(lanes):
            stdout, stderr = open(Path(tmp) / f"{i}.out", "w+"), open(Path(tmp) / f"{i}.err", "w+")
            runs.append(
                (
                    subprocess.Popen(base + command + ["--lot", f"{i}/{lanes}"], stdout=stdout, stderr=stderr, text=True),
                    stdout,
                    stderr,
                )
            )
        code = 0
        for proc, stdout, stderr in runs:
            proc.wait()
            for handle, show in ((stderr, err), (stdout, out)):
                handle.seek(0)
                for line in handle.read().splitlines():
                    show(line)
                handle.close()
            code = code or proc.returncode
    return code
