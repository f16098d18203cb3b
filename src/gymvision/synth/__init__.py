"""Synthetic 3D motion → projected, noisy BlazePose sequences with ground truth.

>>> seq = generate_sequence("squat", n_reps=5, seed=1, view="side_left")
>>> len(seq.reps), seq.exercise
(5, 'squat')
"""

from .body import Body, sample_body
from .camera import VIEWS
from .exercises import MOTIONS
from .idle import IDLE_KINDS
from .sequence import LEAD_KINDS, RepTruth, SynthSequence, generate_idle, generate_sequence

FAULTS: dict[str, tuple[str, ...]] = {name: m.faults for name, m in MOTIONS.items()}

__all__ = ["FAULTS", "IDLE_KINDS", "LEAD_KINDS", "MOTIONS", "VIEWS", "Body", "RepTruth", "SynthSequence",
           "generate_idle", "generate_sequence", "sample_body"]
