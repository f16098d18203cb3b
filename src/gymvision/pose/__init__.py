"""Pose stage: person(s) and 33 BlazePose landmarks with visibility."""

from .estimator import PoseEstimator, PoseModelMissing, check_model

__all__ = ["PoseEstimator", "PoseModelMissing", "check_model"]
