"""Read labelled data sets: YOLO layout (``images/ labels/ data.yaml``) or one folder per class.

Readers never modify the source folder. Anything they cannot use (a malformed label line, a class id
out of range, a folder that is not an exercise name, an image without a label file) is reported in
``Dataset.problems`` with the file it concerns, and the rest is read.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml

from ..exercises import normalise_name
from ..media import media_kind

log = logging.getLogger(__name__)

SPLIT_NAMES = {"train": "train", "val": "val", "valid": "val", "validation": "val", "test": "test"}

Kind = Literal["image", "video"]


class DatasetError(ValueError):
    """The folder cannot be read as a data set at all (missing, empty, unreadable data.yaml)."""


@dataclass(frozen=True)
class Box:
    """One labelled box: exercise class and normalised centre/size, as in a YOLO label line."""

    label: str
    cx: float
    cy: float
    w: float
    h: float

    def xyxy(self, width: int, height: int) -> tuple[float, float, float, float]:
        """Corners in pixels of an image of the given size."""
        return ((self.cx - self.w / 2) * width, (self.cy - self.h / 2) * height,
                (self.cx + self.w / 2) * width, (self.cy + self.h / 2) * height)

    def yolo_line(self, class_id: int) -> str:
        return f"{class_id} {self.cx:.6f} {self.cy:.6f} {self.w:.6f} {self.h:.6f}"


@dataclass
class Sample:
    """One image or video with its exercise label (None when unlabelled) and boxes."""

    path: Path
    rel: str
    kind: Kind
    label: str | None
    boxes: list[Box] = field(default_factory=list)
    label_path: Path | None = None
    source_split: str | None = None


@dataclass
class Dataset:
    """A data set read from disk."""

    root: Path
    layout: Literal["yolo", "folders"]
    samples: list[Sample]
    problems: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)

    @property
    def labelled(self) -> list[Sample]:
        return [s for s in self.samples if s.label is not None]

    def classes(self) -> list[str]:
        return sorted({s.label for s in self.samples if s.label is not None})


def iter_media(root: Path) -> Iterable[Path]:
    """Image and video files under ``root`` (recursive, sorted, hidden files skipped)."""
    for p in sorted(root.rglob("*")):
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts) \
                and media_kind(p):
            yield p


def is_yolo(root: Path) -> bool:
    if (root / "data.yaml").is_file():
        return True
    if (root / "images").is_dir() and (root / "labels").is_dir():
        return True
    return any(root.glob("*/images")) and any(root.glob("*/labels"))


def read_dataset(root: Path | str) -> Dataset:
    """Read ``root`` in whichever layout it uses; raise :class:`DatasetError` if it has no media."""
    root = Path(root)
    if not root.is_dir():
        raise DatasetError(f"{root}: not a folder")
    ds = read_yolo(root) if is_yolo(root) else read_folders(root)
    if not ds.samples:
        raise DatasetError(f"{root}: no images or videos found (expected YOLO images/ labels/ data.yaml "
                           "or one folder per exercise)")
    return ds


# ---------------------------------------------------------------- YOLO layout

def read_names(yaml_path: Path) -> tuple[list[str | None], list[str]]:
    """Class names of a ``data.yaml`` mapped to ours (None where a name is not an exercise)."""
    problems: list[str] = []
    try:
        data = yaml.safe_load(yaml_path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise DatasetError(f"{yaml_path}: cannot read ({exc})") from exc
    raw = data.get("names") if isinstance(data, dict) else None
    if isinstance(raw, dict):
        try:
            n = max(int(k) for k in raw) + 1
        except ValueError as exc:
            raise DatasetError(f"{yaml_path}: 'names' keys must be class ids") from exc
        raw = [str(raw.get(i, raw.get(str(i), ""))) for i in range(n)]
    if not isinstance(raw, list) or not raw:
        raise DatasetError(f"{yaml_path}: no 'names' list of classes")
    names: list[str | None] = []
    for i, name in enumerate(raw):
        try:
            names.append(normalise_name(str(name)))
        except ValueError:
            problems.append(f"{yaml_path}: class {i} {name!r} is not an exercise; its boxes are skipped")
            names.append(None)
    return names, problems


def parse_label_file(path: Path, names: list[str | None]) -> tuple[list[Box], list[str]]:
    """Parse one YOLO label file (boxes or polygons); bad lines are skipped and reported."""
    boxes: list[Box] = []
    problems: list[str] = []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [], [f"{path}: cannot read label file ({exc})"]
    for no, line in enumerate(text.splitlines(), 1):
        parts = line.split()
        if not parts:
            continue
        try:
            values = [float(v) for v in parts]
        except ValueError:
            problems.append(f"{path}:{no}: not numbers: {line.strip()!r}")
            continue
        if len(values) < 5 or (len(values) > 5 and len(values) % 2 == 0):
            problems.append(f"{path}:{no}: expected 'class cx cy w h' or a polygon, got {len(values)} values")
            continue
        cid = values[0]
        if cid != int(cid) or not 0 <= int(cid) < len(names):
            problems.append(f"{path}:{no}: class id {parts[0]} out of range 0..{len(names) - 1}")
            continue
        label = names[int(cid)]
        if label is None:
            continue
        if len(values) == 5:
            cx, cy, w, h = values[1:]
        else:  # polygon: x1 y1 x2 y2 ...
            xs, ys = values[1::2], values[2::2]
            cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
            w, h = max(xs) - min(xs), max(ys) - min(ys)
        tol = 1e-3
        if w <= 0 or h <= 0 or not all(-tol <= v <= 1 + tol for v in (cx, cy, w, h)):
            problems.append(f"{path}:{no}: box outside the normalised range [0, 1]: {line.strip()!r}")
            continue
        boxes.append(Box(label, cx, cy, w, h))
    return boxes, problems


def label_path_for(image: Path) -> Path:
    """``.../images/sub/x.jpg`` -> ``.../labels/sub/x.txt`` (the last ``images`` component)."""
    parts = list(image.parts)
    for i in range(len(parts) - 2, -1, -1):
        if parts[i] == "images":
            parts[i] = "labels"
            break
    return Path(*parts).with_suffix(".txt")


def _source_split(rel: Path) -> str | None:
    for part in rel.parts[:-1]:
        if part.lower() in SPLIT_NAMES:
            return SPLIT_NAMES[part.lower()]
    return None


def read_yolo(root: Path) -> Dataset:
    """Read a YOLO data set (also Roboflow's ``train/images``, ``valid/labels`` variant)."""
    problems: list[str] = []
    yaml_path = root / "data.yaml"
    if yaml_path.is_file():
        names, problems = read_names(yaml_path)
    else:
        problems.append(f"{yaml_path}: missing; class ids are read as the six exercises in order")
        from ..exercises import EXERCISES
        names = list(EXERCISES)
    samples: list[Sample] = []
    for path in iter_media(root):
        rel = path.relative_to(root)
        if "images" not in rel.parts[:-1]:
            continue
        kind = media_kind(path)
        lp = label_path_for(path)
        boxes: list[Box] = []
        if not lp.is_file():
            problems.append(f"{path}: no label file ({lp.relative_to(root)}); read as unlabelled")
            samples.append(Sample(path, rel.as_posix(), kind or "image", None, [], None, _source_split(rel)))
            continue
        boxes, bad = parse_label_file(lp, names)
        problems.extend(bad)
        label = max(boxes, key=lambda b: b.w * b.h).label if boxes else None
        samples.append(Sample(path, rel.as_posix(), kind or "image", label, boxes, lp, _source_split(rel)))
    return Dataset(root, "yolo", samples, problems, [n for n in names if n is not None])


# ---------------------------------------------------------------- class-per-folder layout

def read_folders(root: Path) -> Dataset:
    """Read ``root/<class>/...`` (optionally ``root/<split>/<class>/...``); class names normalised."""
    problems: list[str] = []
    samples: list[Sample] = []
    bad_dirs: set[Path] = set()
    for path in iter_media(root):
        rel = path.relative_to(root)
        parts = rel.parts
        split = SPLIT_NAMES.get(parts[0].lower()) if len(parts) > 2 else None
        class_idx = 1 if split else 0
        if len(parts) <= class_idx + 1:
            problems.append(f"{path}: not inside a class folder; skipped")
            continue
        folder = parts[class_idx]
        try:
            label = normalise_name(folder)
        except ValueError:
            d = root.joinpath(*parts[:class_idx + 1])
            if d not in bad_dirs:
                bad_dirs.add(d)
                problems.append(f"{d}: folder name {folder!r} is not an exercise; skipped")
            continue
        samples.append(Sample(path, rel.as_posix(), media_kind(path) or "image", label, [], None, split))
    names = sorted({s.label for s in samples if s.label})
    return Dataset(root, "folders", samples, problems, names)
