"""A tiny generated detection data set (coloured shapes on textured backgrounds) in YOLO layout.

Used by the tests and the benchmark to train, export and evaluate a detector without any
downloaded data: each exercise class is a distinct shape and colour, so a few epochs learn it.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import yaml

from ..exercises import EXERCISES, TO_ORIGINAL

#: (shape, BGR colour) per class index, in EXERCISES order.
_STYLE: tuple[tuple[str, tuple[int, int, int]], ...] = (
    ("rect", (40, 40, 230)),
    ("circle", (230, 60, 40)),
    ("triangle", (40, 200, 40)),
    ("cross", (0, 220, 240)),
    ("ring", (220, 40, 220)),
    ("diamond", (240, 240, 240)),
)


def _background(rng: np.random.Generator, size: int) -> np.ndarray:
    base = rng.integers(0, 120, size=3)
    grad = np.linspace(0, 60, size, dtype=np.float32)[None, :, None]
    img = np.broadcast_to(base[None, None, :] + grad, (size, size, 3)).astype(np.float32, order="C")
    img += rng.normal(0, 12, size=(size, size, 3))
    return np.ascontiguousarray(np.clip(img, 0, 255), dtype=np.uint8)


def _draw(img: np.ndarray, cls: int, box: tuple[int, int, int, int]) -> None:
    shape, colour = _STYLE[cls]
    x1, y1, x2, y2 = box
    cx, cy, w, h = (x1 + x2) // 2, (y1 + y2) // 2, x2 - x1, y2 - y1
    if shape == "rect":
        cv2.rectangle(img, (x1, y1), (x2, y2), colour, -1)
    elif shape == "circle":
        cv2.ellipse(img, (cx, cy), (w // 2, h // 2), 0, 0, 360, colour, -1)
    elif shape == "triangle":
        pts = np.array([[cx, y1], [x1, y2], [x2, y2]], np.int32)
        cv2.fillPoly(img, [pts], colour)
    elif shape == "cross":
        t = max(2, min(w, h) // 4)
        cv2.rectangle(img, (cx - t, y1), (cx + t, y2), colour, -1)
        cv2.rectangle(img, (x1, cy - t), (x2, cy + t), colour, -1)
    elif shape == "ring":
        cv2.ellipse(img, (cx, cy), (w // 2, h // 2), 0, 0, 360, colour, max(2, min(w, h) // 6))
    else:
        pts = np.array([[cx, y1], [x2, cy], [cx, y2], [x1, cy]], np.int32)
        cv2.fillPoly(img, [pts], colour)


def make_toy_image(rng: np.random.Generator, size: int, n_objects: int = 1
                   ) -> tuple[np.ndarray, list[tuple[int, tuple[int, int, int, int]]]]:
    """One BGR image and its ``(class, (x1, y1, x2, y2))`` boxes in pixels."""
    img = _background(rng, size)
    objects = []
    for _ in range(n_objects):
        cls = int(rng.integers(0, len(EXERCISES)))
        w, h = (int(v) for v in rng.integers(int(size * 0.3), int(size * 0.6), size=2))
        x1, y1 = int(rng.integers(0, size - w)), int(rng.integers(0, size - h))
        box = (x1, y1, x1 + w, y1 + h)
        _draw(img, cls, box)
        objects.append((cls, box))
    return img, objects


def make_toy_dataset(root: Path, n_train: int = 32, n_val: int = 12, size: int = 96, seed: int = 0,
                     original_names: bool = False) -> Path:
    """Write ``images/{train,val}``, ``labels/{train,val}`` and ``data.yaml`` under ``root``.

    ``original_names`` names the classes as the original GymVision did (benchpress, pushup, ...).
    Returns the path of ``data.yaml``.
    """
    root = Path(root)
    rng = np.random.default_rng(seed)
    for split, n in (("train", n_train), ("val", n_val)):
        (root / "images" / split).mkdir(parents=True, exist_ok=True)
        (root / "labels" / split).mkdir(parents=True, exist_ok=True)
        for i in range(n):
            img, objects = make_toy_image(rng, size)
            stem = f"{split}_{i:04d}"
            cv2.imwrite(str(root / "images" / split / f"{stem}.jpg"), img)
            lines = []
            for cls, (x1, y1, x2, y2) in objects:
                cx, cy = (x1 + x2) / 2 / size, (y1 + y2) / 2 / size
                lines.append(f"{cls} {cx:.6f} {cy:.6f} {(x2 - x1) / size:.6f} {(y2 - y1) / size:.6f}")
            (root / "labels" / split / f"{stem}.txt").write_text("\n".join(lines) + "\n")
    names = [TO_ORIGINAL[e] if original_names else e for e in EXERCISES]
    data = {"path": str(root.resolve()), "train": "images/train", "val": "images/val",
            "names": dict(enumerate(names))}
    out = root / "data.yaml"
    out.write_text(yaml.safe_dump(data, sort_keys=False))
    return out
