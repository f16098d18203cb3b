"""Generated demo media built from the shipped sample image (for tests, benchmarks and trying the app)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import cv2
import numpy as np

from .media import VideoWriter


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
