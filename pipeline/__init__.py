"""Yearly documents and dossier of a partnership convention (Métropole / AR Hlm)."""

# The one place the version lives (pyproject.toml reads it): no package metadata lookup at start-up.
__version__ = "0.6.0"
