"""Small generated data sets with known answers (tests, benchmarks, demos).

Images are rendered scenes of random shapes (pairwise far apart in perceptual hash) and copies of
scikit-image's public-domain ``astronaut`` photo when scikit-image is installed.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image


def scene(seed: int, size: tuple[int, int] = (320, 240)) -> np.ndarray:
    """A distinct rendered image: random background and coloured shapes."""
    import cv2

    w, h = size
    rng = np.random.default_rng(seed)
    img = np.full((h, w, 3), rng.integers(0, 255, 3), np.uint8)
    for _ in range(8):
        colour = tuple(int(x) for x in rng.integers(0, 255, 3))
        x, y = int(rng.integers(0, w)), int(rng.integers(0, h))
        if rng.random() < 0.5:
            cv2.rectangle(img, (x, y), (x + int(rng.integers(20, 150)), y + int(rng.integers(20, 150))),
                          colour, -1)
        else:
            cv2.circle(img, (x, y), int(rng.integers(10, 80)), colour, -1)
    return img


def jpeg_roundtrip(rgb: np.ndarray, quality: int = 40) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=quality)
    return np.asarray(Image.open(buf).convert("RGB"))


def near_copies(rgb: np.ndarray) -> dict[str, np.ndarray]:
    """Variants a perceptual hash should call duplicates: re-encoded, resized, mirrored, brighter, cropped."""
    import cv2

    h, w = rgb.shape[:2]
    c = max(2, int(0.03 * min(h, w)))
    return {
        "copy": rgb.copy(),
        "jpeg": jpeg_roundtrip(rgb),
        "small": cv2.resize(rgb, (int(w * 0.6), int(h * 0.6)), interpolation=cv2.INTER_AREA),
        "flip": rgb[:, ::-1].copy(),
        "bright": np.clip(rgb.astype(np.int16) + 15, 0, 255).astype(np.uint8),
        "crop": rgb[c:h - c, c:w - c].copy(),
    }


def save(rgb: np.ndarray, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(rgb).save(path)
    return path


def write_video(path: Path, frames: list[np.ndarray], fps: float = 10.0) -> Path:
    import cv2

    path.parent.mkdir(parents=True, exist_ok=True)
    h, w = frames[0].shape[:2]
    out = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    for f in frames:
        out.write(np.ascontiguousarray(f[:, :, ::-1]))
    out.release()
    return path


def astronaut() -> np.ndarray:
    from skimage import data

    return np.ascontiguousarray(data.astronaut())
