"""Check a YOLO ``data.yaml`` before any long work, and rename its classes to/from the original names.

Ultralytics resolves a relative ``path`` against its own datasets folder and tries to download
missing data; :func:`check_data_yaml` instead resolves everything against the YAML's folder, checks
that every split exists and holds images and that the classes are the exercises, and
:meth:`DataSpec.write_resolved` writes an absolute copy for Ultralytics to read.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..datasets.layout import Box, label_path_for, parse_label_file
from ..exercises import TO_ORIGINAL
from ..media import IMAGE_EXTS
from .onnx_detector import DetectorError, map_names

log = logging.getLogger(__name__)


class DataError(ValueError):
    """A data YAML that cannot be trained or evaluated on (says which file/folder and why)."""


@dataclass
class DataSpec:
    """A checked detection data set."""

    yaml_path: Path
    root: Path
    splits: dict[str, list[Path]]  # split name -> folders or list files (absolute)
    stored_names: list[str]
    names: list[str]  # ours, same order as class ids
    images: dict[str, int] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)

    def image_files(self, split: str = "val") -> list[Path]:
        """Images of a split (folders walked recursively, ``.txt`` lists read), sorted."""
        return _images(self.splits.get(split, []))

    def labelled(self, split: str = "val") -> list[tuple[Path, list[Box], list[str]]]:
        """``(image, boxes with our class names, problems)`` for each image of a split."""
        out = []
        for img in self.image_files(split):
            lp = label_path_for(img)
            if lp.is_file():
                boxes, problems = parse_label_file(lp, list(self.names))
            else:
                boxes, problems = [], []  # an image without a label file is a background image
            out.append((img, boxes, problems))
        return out

    def write_resolved(self, out: Path) -> Path:
        """Write a copy with an absolute ``path`` and the same splits and names, for Ultralytics."""
        data = {k: v for k, v in self.raw.items() if k not in {"path", "train", "val", "test", "download"}}
        data["path"] = str(self.root)
        for split, paths in self.splits.items():
            rel = [str(p) for p in paths]
            data[split] = rel[0] if len(rel) == 1 else rel
        data["names"] = dict(enumerate(self.stored_names))
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        return out


def _images(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files += [f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in IMAGE_EXTS]
        elif p.is_file() and p.suffix.lower() == ".txt":
            for line in p.read_text(encoding="utf-8").splitlines():
                line = line.strip()
                if line:
                    f = Path(line) if Path(line).is_absolute() else (p.parent / line)
                    if f.is_file():
                        files.append(f.resolve())
    return sorted(files)


def _load(yaml_path: Path) -> dict[str, Any]:
    if not yaml_path.is_file():
        raise DataError(f"data YAML not found: {yaml_path}")
    try:
        data = yaml.safe_load(yaml_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise DataError(f"{yaml_path}: cannot read YAML ({e})") from e
    if not isinstance(data, dict):
        raise DataError(f"{yaml_path}: expected a mapping with path/train/val/names keys")
    return data


def _names(data: dict[str, Any], yaml_path: Path) -> list[str]:
    raw = data.get("names")
    if isinstance(raw, dict):
        try:
            keys = sorted(int(k) for k in raw)
        except (TypeError, ValueError) as e:
            raise DataError(f"{yaml_path}: 'names' keys must be class ids 0..n-1") from e
        if keys != list(range(len(keys))):
            raise DataError(f"{yaml_path}: 'names' ids must be 0..{len(keys) - 1} without gaps, got {keys}")
        return [str(raw.get(i, raw.get(str(i)))) for i in keys]
    if isinstance(raw, list) and raw:
        return [str(n) for n in raw]
    raise DataError(f"{yaml_path}: no 'names' (class id → exercise name) in the data YAML")


def check_data_yaml(yaml_path: Path | str, splits: tuple[str, ...] = ("train", "val")) -> DataSpec:
    """Read and check a detection data YAML; raise :class:`DataError` naming the first problem.

    Checks: the file parses; ``names`` are exercises (ours or the original names); each split in
    ``splits`` is given and every folder or list file of it exists and holds at least one image.
    """
    yaml_path = Path(yaml_path).expanduser().resolve()
    data = _load(yaml_path)
    stored = _names(data, yaml_path)
    try:
        ours = map_names(stored, str(yaml_path))
    except DetectorError as e:
        raise DataError(str(e)) from e
    root_value = data.get("path")
    root = Path(str(root_value)).expanduser() if root_value else yaml_path.parent
    if not root.is_absolute():
        root = (yaml_path.parent / root).resolve()
    if not root.is_dir():
        raise DataError(f"{yaml_path}: data set folder 'path: {root_value}' not found (looked for {root})")
    spec = DataSpec(yaml_path, root, {}, stored, ours, raw=data)
    for split in ("train", "val", "test"):
        value = data.get(split)
        if value is None:
            if split in splits:
                raise DataError(f"{yaml_path}: no '{split}' entry (a folder of images relative to {root})")
            continue
        entries = value if isinstance(value, list) else [value]
        paths = []
        for entry in entries:
            p = Path(str(entry)).expanduser()
            p = p if p.is_absolute() else (root / p)
            if not p.exists():
                raise DataError(f"{yaml_path}: {split} folder not found: {p}")
            paths.append(p.resolve())
        spec.splits[split] = paths
        n = len(_images(paths))
        if n == 0 and split in splits:
            raise DataError(f"{yaml_path}: no images in the {split} split ({', '.join(map(str, paths))})")
        spec.images[split] = n
    log.info("data %s: %s images, classes %s", yaml_path, spec.images, ours)
    return spec


def rename_classes(yaml_path: Path | str, out: Path | str, style: str = "ours") -> Path:
    """Write a copy of a data YAML whose class names are ours (``bench_press``...) or the original's
    (``benchpress``, ``pushup``, ``leg_ext``...); label files are unchanged (ids keep their order)."""
    if style not in {"ours", "original"}:
        raise ValueError("style must be 'ours' or 'original'")
    spec = check_data_yaml(yaml_path, splits=())
    names = spec.names if style == "ours" else [TO_ORIGINAL[n] for n in spec.names]
    data = dict(spec.raw)
    data["path"] = str(spec.root)
    data["names"] = dict(enumerate(names))
    out = Path(out)
    out.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return out
