"""Exercise recognition from poses: the shipped recogniser, the decision rule and training."""

from .model import CLASSES, OTHER, SHIPPED, ExerciseRecognizer, decide, set_candidate
from .training import TrainConfig, fit_models, train_from_arrays, train_synthetic

__all__ = ["CLASSES", "OTHER", "SHIPPED", "ExerciseRecognizer", "TrainConfig", "decide", "fit_models",
           "set_candidate", "train_from_arrays", "train_synthetic"]
