"""Pseudo-label unlabelled images into YOLO labels (person box + exercise) with the pipeline.

Confident items go to ``DST/images`` + ``DST/labels``; the rest (low confidence, ``unknown``, no
person) go to ``DST/review/`` with the suggested label, and ``DST/review.html`` is a contact sheet of
them, least confident first, for a person to check.
"""

from __future__ import annotations

import io
import json
import logging
import shutil
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import yaml
from PIL import Image, ImageDraw

from ..exercises import EXERCISES, UNKNOWN
from ..results import AnalysisResult
from . import report as html
from .hashing import MediaError, load_rgb
from .layout import iter_media, media_kind
from .split import Tracker, check_paths, no_track

log = logging.getLogger(__name__)

AnalyzeImage = Callable[[np.ndarray, str], AnalysisResult]


@dataclass
class AutoLabel:
    rel: str
    status: str  # "labelled" | "review" | "no_person" | "error"
    label: str | None = None
    confidence: float = 0.0
    bbox: tuple[float, float, float, float] | None = None
    out: str | None = None
    message: str | None = None


def yolo_line(label: str, bbox: tuple[float, float, float, float], width: int, height: int) -> str:
    x1, y1, x2, y2 = bbox
    x1, x2 = max(0.0, x1), min(float(width), x2)
    y1, y2 = max(0.0, y1), min(float(height), y2)
    return (f"{EXERCISES.index(label)} {(x1 + x2) / 2 / width:.6f} {(y1 + y2) / 2 / height:.6f} "
            f"{(x2 - x1) / width:.6f} {(y2 - y1) / height:.6f}")


def suggestion(res: AnalysisResult) -> tuple[str | None, float]:
    """The label to propose: the decided exercise, else the most probable one."""
    if res.exercise in EXERCISES:
        return res.exercise, float(res.confidence)
    if res.probabilities:
        best = max((k for k in res.probabilities if k in EXERCISES), key=res.probabilities.__getitem__,
                   default=None)
        if best is not None:
            return best, float(res.probabilities[best])
    return None, 0.0


def thumbnail(rgb: np.ndarray, item: AutoLabel, side: int = 200) -> bytes:
    im = Image.fromarray(rgb)
    scale = side / max(im.size)
    im = im.resize((max(1, round(im.width * scale)), max(1, round(im.height * scale))))
    if item.bbox is not None:
        d = ImageDraw.Draw(im)
        d.rectangle([v * scale for v in item.bbox], outline=(255, 60, 60), width=2)
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


@dataclass
class _Unit:
    """One picture to label: a photo (copied as is) or a video frame (written as JPEG)."""

    rel: str
    name: str
    rgb: np.ndarray | None
    source: Path | None = None
    error: str | None = None


def _units(files: list[Path], src: Path, video_fps: float, max_frames: int) -> Iterator[_Unit]:
    from ..media import iter_frames

    for path in files:
        rel = path.relative_to(src).as_posix()
        if media_kind(path) == "video":
            if video_fps <= 0:
                yield _Unit(rel, path.name, None, error="video skipped (use --video-fps to label its frames)")
                continue
            try:
                for k, vf in enumerate(iter_frames(path, sample_fps=video_fps)):
                    if k >= max_frames:
                        break
                    # the frame name keeps the video's stem, so `dataset split` keeps its frames together
                    yield _Unit(f"{rel}#t={vf.t:.2f}", f"{path.stem}_frame{vf.index:05d}.jpg", vf.rgb)
            except (OSError, ValueError) as exc:
                yield _Unit(rel, path.name, None, error=f"{path}: {exc}")
            continue
        try:
            yield _Unit(rel, path.name, load_rgb(path), source=path)
        except MediaError as exc:
            yield _Unit(rel, path.name, None, error=str(exc))


def autolabel(src: Path, dst: Path, analyze_image: AnalyzeImage, *, threshold: float = 0.7,
              video_fps: float = 0.0, max_frames_per_video: int = 60,
              track: Tracker = no_track) -> dict[str, object]:
    """Label every image (and, with ``video_fps``, sampled video frames) under ``src`` into ``dst``."""
    check_paths(src, dst)
    files = list(iter_media(src))
    if not files:
        raise ValueError(f"{src}: no images or videos found")
    items: list[AutoLabel] = []
    thumbs: list[tuple[AutoLabel, bytes]] = []
    taken: set[str] = set()
    videos = video_fps > 0 and any(media_kind(f) == "video" for f in files)
    units = _units(files, src, video_fps, max_frames_per_video)
    for unit in track(units, "Auto-labelling", 0 if videos else len(files)):
        if unit.rgb is None:
            items.append(AutoLabel(unit.rel, "error", message=unit.error))
            continue
        rgb = unit.rgb
        res = analyze_image(rgb, unit.rel)
        label, conf = suggestion(res)
        bbox = tuple(res.detections[0].bbox) if res.detections else None
        if res.error:
            item = AutoLabel(unit.rel, "error", message=res.error)
        elif bbox is None:
            item = AutoLabel(unit.rel, "no_person", message="no person found")
        else:
            ok = label is not None and res.exercise != UNKNOWN and conf >= threshold
            item = AutoLabel(unit.rel, "labelled" if ok else "review", label, conf, bbox)  # type: ignore[arg-type]
        base = dst if item.status == "labelled" else dst / "review"
        name, stem, suffix, n = unit.name, Path(unit.name).stem, Path(unit.name).suffix, 2
        while name.lower() in taken:
            name = f"{stem}__{n}{suffix}"
            n += 1
        taken.add(name.lower())
        out = base / "images" / name
        out.parent.mkdir(parents=True, exist_ok=True)
        if unit.source is not None:
            shutil.copy2(unit.source, out)
        else:
            Image.fromarray(rgb).save(out, quality=92)
        item.out = out.relative_to(dst).as_posix()
        lab = base / "labels" / f"{Path(name).stem}.txt"
        lab.parent.mkdir(parents=True, exist_ok=True)
        h, w = rgb.shape[:2]
        lab.write_text(yolo_line(item.label, item.bbox, w, h) + "\n" if item.label and item.bbox else "")
        items.append(item)
        if item.status != "labelled":
            thumbs.append((item, thumbnail(rgb, item)))
    names = {"names": list(EXERCISES), "nc": len(EXERCISES), "path": ".", "train": "images", "val": "images"}
    dst.mkdir(parents=True, exist_ok=True)
    (dst / "data.yaml").write_text(yaml.safe_dump(names, sort_keys=False))
    if (dst / "review").is_dir():
        (dst / "review" / "data.yaml").write_text(yaml.safe_dump(names, sort_keys=False))
    summary: dict[str, object] = {
        "threshold": threshold, "total": len(items),
        **{s: sum(i.status == s for i in items) for s in ("labelled", "review", "no_person", "error")},
        "items": [asdict(i) for i in items],
    }
    (dst / "autolabel.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    (dst / "review.html").write_text(contact_sheet(thumbs, threshold), encoding="utf-8")
    return summary


def contact_sheet(thumbs: list[tuple[AutoLabel, bytes]], threshold: float) -> str:
    """HTML page of review items, least confident first: thumbnail with box, suggestion, confidence."""
    thumbs = sorted(thumbs, key=lambda t: t[0].confidence)
    figs = "".join(
        f"<figure>{html.png_tag(png, it.rel, 'thumb')}<figcaption>{html.esc(it.rel)}<br>"
        f"<b>{html.esc(it.label or it.message or '?')}</b> {it.confidence:.2f}</figcaption></figure>"
        for it, png in thumbs)
    intro = (f"<p>{len(thumbs)} image(s) below confidence {threshold:.2f}, recognised as unknown, or "
             "without a person. Their suggested labels are in <code>review/labels</code>: fix or accept "
             "them and move the files into <code>images/</code> and <code>labels/</code>.</p>")
    return html.page("GymVision auto-label review", [("", intro + (figs or '<p class="ok">nothing to '
                                                                         "review</p>"))])
