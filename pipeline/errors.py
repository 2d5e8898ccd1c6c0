"""Errors the pipeline raises on purpose: each carries an exit code and a message for staff.

The CLI prints ``str(error)`` as one line; a traceback only appears with ``--verbose``.
"""

from __future__ import annotations

from enum import IntEnum
from typing import TypedDict


class ExitCode(IntEnum):
    """Exit codes, documented in the README; distinct by kind of failure."""

    OK = 0
    INPUT = 2  # bad data in inputs/ (YAML, values, pieces)
    TEMPLATE = 3  # a Word template is missing, corrupt or has a bad tag
    TOOL = 4  # an external program (LibreOffice, qpdf…) is missing
    CONVERSION = 5  # LibreOffice failed, crashed or hung
    OUTPUT = 6  # outputs/ cannot be written, or another build holds the lock
    SIGNATURE = 7  # signing or verifying failed
    INTERRUPTED = 130


class PipelineError(Exception):
    """Base of every error meant for the user: what is wrong, where, what to do."""

    exit_code = ExitCode.INPUT

    def __init__(self, message: str, *, hint: str | None = None):
        self.message = message
        self.hint = hint
        super().__init__(message)

    def __str__(self) -> str:
        return f"{self.message} — {self.hint}" if self.hint else self.message


class InputError(PipelineError):
    """Data in inputs/ is unreadable or invalid."""

    exit_code = ExitCode.INPUT

    def __init__(self, problems: list[str] | str, *, hint: str | None = None):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        if len(self.problems) == 1:
            message = self.problems[0]
        else:
            message = f"{len(self.problems)} problèmes dans les données :\n" + "\n".join(f"  {p}" for p in self.problems)
        super().__init__(message, hint=hint)


class Place(TypedDict):
    """Where in a template a problem is: the part and paragraph staff look for in Word."""

    where: str | None
    paragraph: str | None


class TemplateProblem(PipelineError):
    """A Word template is missing, corrupt, or holds a tag that cannot be rendered.

    What the checker and the Word annotator need is kept as attributes, never parsed back from
    the French message: ``template`` (the file's name), ``where`` (the place as the message prints
    it, « corps du document, paragraphe « … » »), ``paragraph`` (that paragraph's text, which the
    annotator looks for), ``name`` (the variable, filter or element in question) and ``element``
    (the name is an element of another value, as « actions » in « bilan.actions »).
    """

    exit_code = ExitCode.TEMPLATE

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        template: str | None = None,
        where: str | None = None,
        paragraph: str | None = None,
        name: str | None = None,
        element: bool = False,
    ):
        self.template, self.where, self.paragraph = template, where, paragraph
        self.name, self.element = name, element
        super().__init__(message, hint=hint)

    @classmethod
    def at(
        cls,
        template: str,
        what: str,
        *,
        where: str | None = None,
        hint: str | None = None,
        paragraph: str | None = None,
        name: str | None = None,
        element: bool = False,
    ) -> TemplateProblem:
        """« modèle <template> (<where>) : <what> », the one way a template's problem is worded."""
        return cls(
            f"{_opening(template, where)}{what}",
            hint=hint,
            template=template,
            where=where,
            paragraph=paragraph,
            name=name,
            element=element,
        )

    def placed(self, where: str, paragraph: str | None = None) -> TemplateProblem:
        """The same problem, said with the place found for it."""
        what = self.message.removeprefix(_opening(self.template, self.where))
        return TemplateProblem.at(
            self.template or "", what, where=where, paragraph=paragraph, hint=self.hint, name=self.name, element=self.element
        )

    @property
    def said(self) -> str:
        """The whole message but « modèle <template> (<where>) : », for a comment set in the template."""
        return str(self).removeprefix(_opening(self.template, self.where)) if self.template else str(self)


def _opening(template: str | None, where: str | None) -> str:
    return f"modèle {template}{f' ({where})' if where else ''} : "


class ToolMissing(PipelineError):
    """An external program the pipeline needs is not installed."""

    exit_code = ExitCode.TOOL


class ConversionError(PipelineError):
    """LibreOffice could not turn a document into PDF."""

    exit_code = ExitCode.CONVERSION

    def __init__(self, message: str, *, hint: str | None = None, hung: bool = False):
        super().__init__(message, hint=hint)
        self.hung = hung  # it stopped answering and was killed (not crashed): a start is then not retried


class GhostscriptError(ConversionError):
    """Ghostscript failed to rewrite a piece as PDF/A."""


class OutputError(PipelineError):
    """Outputs cannot be written (permissions, disk, another build running)."""

    exit_code = ExitCode.OUTPUT


class SignatureError(PipelineError):
    """Signing or verifying a dossier failed."""

    exit_code = ExitCode.SIGNATURE
