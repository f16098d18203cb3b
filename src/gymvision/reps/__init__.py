"""Rep counting: per-exercise motion signal, smoothing, adaptive event detection (batch and live)."""

from .analysis import RepAnalysis, analyze_reps
from .live import LiveRepTracker
from .signals import SPECS, ExerciseSpec

__all__ = ["SPECS", "ExerciseSpec", "LiveRepTracker", "RepAnalysis", "analyze_reps"]
