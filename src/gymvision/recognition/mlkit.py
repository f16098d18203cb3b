"""Reader for the ML Kit fitness pose samples (real BlazePose landmarks of push-ups and squats)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..results import Pose

#: ML Kit class prefix → our exercise name.
MLKIT_CLASSES = {"pushups": "push_up", "squats": "squat"}


@dataclass(frozen=True)
class MlkitRow:
    source: str
    exercise: str
    phase: str  # "up" | "down"
    pose: Pose


def load_mlkit_rows(folder: Path) -> list[MlkitRow]:
    """All rows of ``pushups.csv`` and ``squats.csv``: x/y pixels, z same scale, visibility unknown (1).

    The image size is not given; it is set to the landmarks' extent plus a margin.
    """
    rows: list[MlkitRow] = []
    for name in ("pushups.csv", "squats.csv"):
        path = Path(folder) / name
        if not path.is_file():
            raise FileNotFoundError(f"{path} not found")
        with path.open(newline="") as fh:
            for rec in csv.reader(fh):
                if len(rec) < 2 + 99:
                    continue
                cls = rec[1].strip()
                prefix, _, phase = cls.rpartition("_")
                xyz = np.asarray([float(v) for v in rec[2:2 + 99]], np.float32).reshape(33, 3)
                w = int(max(xyz[:, 0].max() * 1.05, 1))
                h = int(max(xyz[:, 1].max() * 1.05, 1))
                rows.append(MlkitRow(rec[0], MLKIT_CLASSES.get(prefix, prefix), phase,
                                     Pose(xyz, np.ones(33, np.float32), (w, h))))
    return rows
