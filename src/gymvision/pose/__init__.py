"""Pose stage: person(s) and 33 BlazePose landmarks with visibility."""

from .estimator import PoseEstimator, PoseModelMissing, check_model
from .multi import PeopleDetector, prominence, same_person

__all__ = ["PeopleDetector", "PoseEstimator", "PoseModelMissing", "check_model", "prominence", "same_person"]
