"""Developers' tools, run from the project's folder as modules: ``python -m tools.<name>``."""
