"""Pose stage: person(s) and 33 BlazePose landmarks with visibility."""

import os

# MediaPipe's C++ side logs start-up chatter to stderr; keep warnings and errors only.
os.environ.setdefault("GLOG_minloglevel", "2")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from .estimator import PoseEstimator, PoseModelMissing, check_model
from .multi import PeopleDetector, prominence, same_person

__all__ = ["PeopleDetector", "PoseEstimator", "PoseModelMissing", "check_model", "prominence", "same_person"]
