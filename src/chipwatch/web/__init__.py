"""Web shell: the FastAPI app (JSON API + English/Arabic pages) behind ``chipwatch serve``."""

from .app import create_app

__all__ = ["create_app"]
