"""Result dataclasses shared by every stage and interface (the JSON contract is built from these)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from .landmarks import N_LANDMARKS

BBox = tuple[float, float, float, float]


@dataclass
class Pose:
    """One person's 33 landmarks in one frame.

    ``xyz`` is in pixels of the analysed image (z uses the same scale as x, relative to the hips,
    as MediaPipe and ML Kit give it); ``visibility`` is in [0, 1]. ``world`` holds MediaPipe's
    metric, hip-centred 3D landmarks when the pose model provides them.
    """

    xyz: np.ndarray
    visibility: np.ndarray
    image_size: tuple[int, int]
    world: np.ndarray | None = None
    score: float = 1.0

    def __post_init__(self) -> None:
        self.xyz = np.asarray(self.xyz, dtype=np.float32).reshape(N_LANDMARKS, 3)
        self.visibility = np.asarray(self.visibility, dtype=np.float32).reshape(N_LANDMARKS)

    @property
    def xy(self) -> np.ndarray:
        return self.xyz[:, :2]

    def bbox(self, min_visibility: float = 0.3, pad: float = 0.08) -> BBox:
        """Person box from the visible landmarks, padded and clipped to the image."""
        pts = self.xy[self.visibility >= min_visibility]
        if len(pts) < 2:
            pts = self.xy
        x1, y1 = pts.min(axis=0)
        x2, y2 = pts.max(axis=0)
        w, h = x2 - x1, y2 - y1
        px, py = pad * w + 4, pad * h + 4
        py_top = py + 0.6 * py  # head top lies above the eye/ear landmarks
        iw, ih = self.image_size
        return (float(max(0.0, x1 - px)), float(max(0.0, y1 - py_top)),
                float(min(iw - 1.0, x2 + px)), float(min(ih - 1.0, y2 + py)))

    def scaled(self, factor: float, image_size: tuple[int, int]) -> Pose:
        """The same pose in another image resolution (pixel coordinates multiplied by ``factor``)."""
        return Pose(self.xyz * factor, self.visibility.copy(), image_size, self.world, self.score)


@dataclass
class Detection:
    """A person box with its exercise label, as in the JSON contract."""

    bbox: BBox
    label: str
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        return {"bbox": [round(float(v), 1) for v in self.bbox], "label": self.label,
                "confidence": round(float(self.confidence), 4)}


@dataclass
class RepEvent:
    """One repetition: timing, range of motion and form cues."""

    index: int
    start_s: float
    turn_s: float
    end_s: float
    rom_deg: float
    confidence: float = 1.0
    cues: list[str] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)
    #: True when the rep starts with the lift (shoulder press, deadlift from the floor, leg extension),
    #: so start→turn is the concentric phase; False when it starts with the lowering (squat, bench).
    concentric_first: bool = False

    @property
    def eccentric_s(self) -> float:
        first, second = self.turn_s - self.start_s, self.end_s - self.turn_s
        return second if self.concentric_first else first

    @property
    def concentric_s(self) -> float:
        first, second = self.turn_s - self.start_s, self.end_s - self.turn_s
        return first if self.concentric_first else second

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k in ("start_s", "turn_s", "end_s"):
            d[k] = round(float(d[k]), 3)
        d["rom_deg"] = round(float(self.rom_deg), 1)
        d["confidence"] = round(float(self.confidence), 3)
        d["eccentric_s"] = round(self.eccentric_s, 3)
        d["concentric_s"] = round(self.concentric_s, 3)
        d["metrics"] = {k: round(float(v), 2) for k, v in self.metrics.items()}
        return d


@dataclass
class FrameResult:
    """What a streaming session knows after one frame (live overlay, per-frame video annotation)."""

    t: float
    pose: Pose | None
    exercise: str
    confidence: float
    probabilities: dict[str, float] = field(default_factory=dict)
    reps: int = 0
    #: Reps reported at this frame: usually none or one; several when a set has just been recognised
    #: (its reps so far come together).
    new_reps: list[RepEvent] = field(default_factory=list)
    cue: str | None = None
    advice: list[str] = field(default_factory=list)
    signal: float | None = None
    people: int = 0

    @property
    def new_rep(self) -> RepEvent | None:
        """The latest rep reported at this frame, if any."""
        return self.new_reps[-1] if self.new_reps else None

    def detection(self) -> Detection | None:
        if self.pose is None:
            return None
        return Detection(self.pose.bbox(), self.exercise, self.confidence)

    def to_dict(self) -> dict[str, Any]:
        det = self.detection()
        return {
            "t": round(self.t, 3), "exercise": self.exercise, "confidence": round(self.confidence, 4),
            "reps": self.reps, "cue": self.cue, "advice": self.advice, "people": self.people,
            "detections": [det.to_dict()] if det else [],
            "landmarks": None if self.pose is None else np.round(
                np.column_stack([self.pose.xy, self.pose.visibility]), 2).tolist(),
            "new_rep": self.new_rep.to_dict() if self.new_rep else None,
            "new_reps": [r.to_dict() for r in self.new_reps],
            "signal": None if self.signal is None else round(float(self.signal), 2),
        }


@dataclass
class AnalysisResult:
    """The analysis of one input file: the object behind one line of ``gymvision analyze --json``."""

    file: str
    kind: str  # "image" | "video"
    exercise: str = "unknown"
    confidence: float = 0.0
    detections: list[Detection] = field(default_factory=list)
    reps: int | None = None
    rep_events: list[RepEvent] = field(default_factory=list)
    advice: list[str] = field(default_factory=list)
    error: str | None = None
    probabilities: dict[str, float] = field(default_factory=dict)
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    duration_s: float | None = None
    frames: int | None = None
    people: int = 0
    signal: dict[str, list[float]] | None = None  # {"t": [...], "value": [...]} for charts
    annotated: str | None = None  # path of the annotated output, when written
    poses: list[tuple[float, Pose | None]] | None = field(default=None, repr=False)

    @classmethod
    def failure(cls, file: str, kind: str, message: str) -> AnalysisResult:
        return cls(file=file, kind=kind, error=message)

    def to_dict(self, include_signal: bool = False) -> dict[str, Any]:
        d: dict[str, Any] = {
            "file": self.file, "kind": self.kind, "exercise": self.exercise,
            "confidence": round(float(self.confidence), 4),
            "detections": [det.to_dict() for det in self.detections],
        }
        if self.kind == "video":
            d["reps"] = int(self.reps or 0)
            d["rep_events"] = [r.to_dict() for r in self.rep_events]
        d["advice"] = list(self.advice)
        d["error"] = self.error
        d["probabilities"] = {k: round(float(v), 4) for k, v in self.probabilities.items()}
        for k in ("width", "height", "fps", "duration_s", "frames", "annotated"):
            v = getattr(self, k)
            if v is not None:
                d[k] = round(v, 3) if isinstance(v, float) else v
        d["people"] = self.people
        if include_signal and self.signal is not None:
            d["signal"] = self.signal
        return d
