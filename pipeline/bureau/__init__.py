"""Le bureau: a local web page where staff see where each dossier stands, drop what they
receive and build (``make bureau``, issue 32).

Only a web layer: every fact comes from the engine's own functions, as the command line asks
them — ``status.status`` for the board, ``originals_status`` for a dropped signed original,
``build.build_years`` (its locks, its events, its errors) for a build. Nothing is re-derived
here: the pages say what ``make statut`` and ``make dossier`` say, in the same words.

``site`` the places and pages (Starlette), ``guard`` the session's token and the cross-site
checks, ``deposit`` a dropped file stored in ``signes/``, ``jobs`` the builds started from a
page and their progress, ``serve`` the server started by ``python -m pipeline bureau``.
"""
