"""kgtool: a validated, queryable linked-data graph of institutions and their agreements."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
