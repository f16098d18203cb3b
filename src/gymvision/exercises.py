"""The exercise vocabulary: names, display colours and the original GymVision class mapping."""

from __future__ import annotations

EXERCISES: tuple[str, ...] = (
    "bench_press",
    "push_up",
    "shoulder_press",
    "squat",
    "deadlift",
    "leg_extension",
)
UNKNOWN = "unknown"
LABELS: tuple[str, ...] = (*EXERCISES, UNKNOWN)

#: Class names used by the original YOLO-based GymVision data sets.
ORIGINAL_NAMES: dict[str, str] = {
    "benchpress": "bench_press",
    "pushup": "push_up",
    "shoulder_press": "shoulder_press",
    "squat": "squat",
    "deadlift": "deadlift",
    "leg_ext": "leg_extension",
}
TO_ORIGINAL: dict[str, str] = {v: k for k, v in ORIGINAL_NAMES.items()}

#: BGR colours per class for drawing (distinct, readable on video).
COLOURS_BGR: dict[str, tuple[int, int, int]] = {
    "bench_press": (255, 56, 56),
    "push_up": (56, 56, 255),
    "shoulder_press": (31, 112, 255),
    "squat": (29, 178, 255),
    "deadlift": (49, 210, 207),
    "leg_extension": (10, 249, 72),
    "unknown": (160, 160, 160),
}


def normalise_name(name: str) -> str:
    """Map a user or data-set class name (any case, original names) to ours; raise if unknown."""
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    if key in LABELS:
        return key
    if key in ORIGINAL_NAMES:
        return ORIGINAL_NAMES[key]
    aliases = {"bench": "bench_press", "pushups": "push_up", "push_ups": "push_up", "squats": "squat",
               "deadlifts": "deadlift", "leg_extensions": "leg_extension", "ohp": "shoulder_press",
               "overhead_press": "shoulder_press", "military_press": "shoulder_press"}
    if key in aliases:
        return aliases[key]
    raise ValueError(f"unknown exercise {name!r}; expected one of {', '.join(LABELS)}")
