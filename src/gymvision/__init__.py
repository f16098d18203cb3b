"""GymVision: exercise recognition, rep counting and form coaching from photos, videos and webcams."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .exercises import EXERCISES, UNKNOWN
from .results import AnalysisResult, Detection, FrameResult, Pose, RepEvent
from .settings import Settings

if TYPE_CHECKING:
    from .pipeline import Pipeline, Session

__version__ = "0.1.0"
__all__ = ["EXERCISES", "UNKNOWN", "AnalysisResult", "Detection", "FrameResult", "Pipeline", "Pose",
           "RepEvent", "Session", "Settings"]


def __getattr__(name: str) -> object:
    # Pipeline pulls in MediaPipe; import it only when asked for.
    if name in ("Pipeline", "Session"):
        from . import pipeline

        return getattr(pipeline, name)
    raise AttributeError(name)
