"""Generated demo media built from the shipped sample image (for tests, benchmarks and trying the app)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import cv2
import numpy as np

from .landmarks import L
from .media import VideoWriter
from .results import Pose

SKIN = (224, 172, 140)
SHIRT = (40, 90, 200)
PANTS = (50, 50, 60)
SHOES = (30, 30, 30)
#: (from, to, colour, thickness in torso/5 units) drawn far side first so the near side is on top.
_LIMBS = ((L.LEFT_HIP, L.LEFT_KNEE, PANTS, 1.3), (L.LEFT_KNEE, L.LEFT_ANKLE, PANTS, 1.0),
          (L.LEFT_ANKLE, L.LEFT_FOOT_INDEX, SHOES, 0.6), (L.LEFT_SHOULDER, L.LEFT_ELBOW, SHIRT, 1.0),
          (L.LEFT_ELBOW, L.LEFT_WRIST, SKIN, 0.8))
_MIRRORED = tuple((a + 1, b + 1, c, t) for a, b, c, t in _LIMBS)  # right side: left index + 1


def sample_image_path(name: str = "astronaut.jpg") -> Path:
    """Path of an image shipped in ``gymvision/samples``."""
    return Path(str(resources.files("gymvision") / "samples" / name))


def sample_image() -> np.ndarray:
    """The shipped public-domain astronaut portrait as RGB."""
    bgr = cv2.imread(str(sample_image_path()))
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def person_frames(seconds: float, fps: float = 30.0, size: tuple[int, int] = (1280, 720),
                  person: np.ndarray | None = None):
    """Yield frames of a real person (the sample image) drifting and zooming over a plain backdrop.

    The person stays fully visible in every frame, so the pose model really runs and tracks.
    """
    person = sample_image() if person is None else person
    w, h = size
    ph0, pw0 = person.shape[:2]
    n = round(seconds * fps)
    yy, xx = np.mgrid[0:h, 0:w]
    backdrop = np.stack([40 + 30 * xx / w, 60 + 20 * yy / h, 70 + 10 * xx / w], axis=-1).astype(np.uint8)
    for i in range(n):
        t = i / fps
        scale = (0.75 + 0.15 * np.sin(2 * np.pi * t / 6.0)) * h / ph0
        pw, ph = max(8, round(pw0 * scale)), max(8, round(ph0 * scale))
        img = cv2.resize(person, (pw, ph), interpolation=cv2.INTER_AREA)
        x = round((w - pw) * (0.5 + 0.4 * np.sin(2 * np.pi * t / 10.0)))
        y = round((h - ph) * (0.5 + 0.5 * np.sin(2 * np.pi * t / 7.0)))
        frame = backdrop.copy()
        frame[y:y + ph, x:x + pw] = img
        yield frame


def write_person_video(path: Path, seconds: float = 3.0, fps: float = 30.0,
                       size: tuple[int, int] = (1280, 720)) -> Path:
    """Write an H.264 MP4 of :func:`person_frames`."""
    with VideoWriter(path, fps, size) as writer:
        for frame in person_frames(seconds, fps, size):
            writer.write(frame)
    return path


def render_mannequin(pose: Pose, background: np.ndarray | None = None) -> np.ndarray:
    """Draw a flat-shaded human figure (clothes, skin, face) at a pose's 2D landmarks.

    The real BlazePose model detects and tracks this figure, so synthetic motion with known reps can
    be run end to end through the whole pipeline.
    """
    w, h = pose.image_size
    if background is None:
        img = np.empty((h, w, 3), np.uint8)
        img[:] = (200, 200, 195)
        img[int(h * 0.8):] = (120, 110, 100)
    else:
        img = background.copy()
    xy = pose.xy
    def pt(i: int) -> tuple[int, int]:
        return int(xy[i][0]), int(xy[i][1])

    mid_sh = (xy[L.LEFT_SHOULDER] + xy[L.RIGHT_SHOULDER]) / 2
    mid_hip = (xy[L.LEFT_HIP] + xy[L.RIGHT_HIP]) / 2
    unit = max(float(np.linalg.norm(mid_sh - mid_hip)), 5.0) / 5.0
    # far side first: the side with the larger z is further from the camera
    left_far = float(pose.xyz[L.LEFT_HIP, 2]) > float(pose.xyz[L.RIGHT_HIP, 2])
    sides = (_LIMBS, _MIRRORED) if left_far else (_MIRRORED, _LIMBS)
    for a, b, colour, t in sides[0]:
        cv2.line(img, pt(a), pt(b), colour, max(2, int(unit * t)), cv2.LINE_AA)
    torso = np.array([xy[L.LEFT_SHOULDER], xy[L.RIGHT_SHOULDER], xy[L.RIGHT_HIP], xy[L.LEFT_HIP]], np.int32)
    cv2.fillConvexPoly(img, torso, SHIRT, cv2.LINE_AA)
    for a, b in ((L.LEFT_SHOULDER, L.RIGHT_SHOULDER), (L.LEFT_SHOULDER, L.LEFT_HIP),
                 (L.RIGHT_SHOULDER, L.RIGHT_HIP)):
        cv2.line(img, pt(a), pt(b), SHIRT, max(2, int(unit * 1.2)), cv2.LINE_AA)
    cv2.line(img, pt(L.LEFT_HIP), pt(L.RIGHT_HIP), PANTS, max(2, int(unit * 1.3)), cv2.LINE_AA)
    for a, b, colour, t in sides[1]:
        cv2.line(img, pt(a), pt(b), colour, max(2, int(unit * t)), cv2.LINE_AA)
    for i in (L.LEFT_WRIST, L.RIGHT_WRIST):
        cv2.circle(img, pt(i), max(2, int(unit * 0.55)), SKIN, -1, cv2.LINE_AA)
    head = (xy[L.LEFT_EAR] + xy[L.RIGHT_EAR]) / 2
    r = max(3, int(unit * 1.1))
    neck_w = max(2, int(unit * 0.8))
    cv2.line(img, (int(mid_sh[0]), int(mid_sh[1])), (int(head[0]), int(head[1])), SKIN, neck_w)
    cv2.circle(img, (int(head[0]), int(head[1])), r, SKIN, -1, cv2.LINE_AA)
    cv2.ellipse(img, (int(head[0]), int(head[1] - r * 0.3)), (r, int(r * 0.7)), 0, 180, 360, (40, 30, 20), -1)
    for i in (L.LEFT_EYE, L.RIGHT_EYE):
        if pose.visibility[i] > 0.5:
            cv2.circle(img, pt(i), max(1, r // 6), (30, 30, 30), -1)
    if pose.visibility[L.MOUTH_LEFT] > 0.5:
        cv2.line(img, pt(L.MOUTH_LEFT), pt(L.MOUTH_RIGHT), (120, 40, 40), max(1, r // 8))
    return img


def write_exercise_video(path: Path, exercise: str, *, n_reps: int = 5, view: str | None = "side_left",
                         seed: int = 0, size: tuple[int, int] = (640, 480), fps: float = 30.0, **kwargs):
    """Render a synthetic exercise set as a mannequin video; returns the sequence (ground truth)."""
    from .synth import generate_idle, generate_sequence

    if exercise in ("standing", "walking", "sitting", "lying", "stretching", "setup", "rerack"):
        seq = generate_idle(exercise, fps=fps, seed=seed, view=view, image_size=size, noise=0.0,
                            occlusion=0.0, **kwargs)
    else:
        seq = generate_sequence(exercise, n_reps=n_reps, fps=fps, seed=seed, view=view, image_size=size,
                                noise=0.0, occlusion=0.0, **kwargs)
    backdrop = None
    with VideoWriter(path, fps, size) as writer:
        for pose in seq.poses:
            if pose is None:
                if backdrop is None:
                    backdrop = np.full((size[1], size[0], 3), 200, np.uint8)
                writer.write(backdrop)
            else:
                writer.write(render_mannequin(pose))
    return seq
