"""GymVision web app: FastAPI, service objects, SQLite session log, static pages."""

from .app import create_app

__all__ = ["create_app"]
