"""What a build did, in order, for whoever watches it (the tests; a progress display could).

Kept apart and light: the recipe creates LibreOffice with a watcher before any document
library is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Literal

Kind = Literal["started", "queued", "converted", "assembled"]


@dataclass(frozen=True)
class Event:
    """``started`` (a LibreOffice process), ``queued`` (documents the cache lacks, put in line for
    LibreOffice together), ``converted`` (a PDF came back), ``assembled`` (a year's dossier is written)."""

    kind: Kind
    names: tuple[str, ...] = ()  # the documents' file names without suffix, or the year


Watch = Callable[[Event], None]


def unwatched(event: Event) -> None:
    """The default watcher: nobody."""
