"""Yearly documents and dossier of a partnership convention (Métropole / AR Hlm)."""
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("dossier-convention")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0"
