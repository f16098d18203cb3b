"""Annotators that draw results on frames: each is a small object with ``annotate(scene, ...)``."""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from .exercises import COLOURS_BGR
from .landmarks import SKELETON
from .results import FrameResult, Pose


def _rgb(label: str) -> tuple[int, int, int]:
    b, g, r = COLOURS_BGR.get(label, COLOURS_BGR["unknown"])
    return (r, g, b)


def _scale_for(scene: np.ndarray) -> float:
    return max(0.5, min(scene.shape[:2]) / 720.0)


@dataclass
class SkeletonAnnotator:
    """Bones and joints of the visible landmarks."""

    min_visibility: float = 0.35

    def annotate(self, scene: np.ndarray, pose: Pose, label: str = "unknown") -> np.ndarray:
        s = _scale_for(scene)
        thick = max(1, round(3 * s))
        colour = _rgb(label)
        pts = pose.xy
        vis = pose.visibility
        for a, b in SKELETON:
            if vis[a] >= self.min_visibility and vis[b] >= self.min_visibility:
                cv2.line(scene, tuple(int(v) for v in pts[a]), tuple(int(v) for v in pts[b]),
                         (255, 255, 255), thick + 2, cv2.LINE_AA)
                cv2.line(scene, tuple(int(v) for v in pts[a]), tuple(int(v) for v in pts[b]),
                         colour, thick, cv2.LINE_AA)
        for i in range(11, len(pts)):
            if vis[i] >= self.min_visibility:
                cv2.circle(scene, tuple(int(v) for v in pts[i]), thick + 1, (255, 255, 255), -1, cv2.LINE_AA)
        return scene


@dataclass
class BoxAnnotator:
    """Person box with an "<exercise> <confidence>" label in the class colour (as the original drew)."""

    def annotate(self, scene: np.ndarray, bbox: tuple[float, float, float, float], label: str,
                 confidence: float) -> np.ndarray:
        s = _scale_for(scene)
        colour = _rgb(label)
        x1, y1, x2, y2 = (round(v) for v in bbox)
        cv2.rectangle(scene, (x1, y1), (x2, y2), colour, max(2, round(3 * s)))
        text = f"{label} {confidence:.2f}"
        font_scale = 0.8 * s
        (tw, th), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, font_scale, max(1, round(2 * s)))
        ty = y1 - 4 if y1 - th - base - 4 > 0 else y1 + th + base + 4
        cv2.rectangle(scene, (x1, ty - th - base), (x1 + tw + 6, ty + base // 2), colour, -1)
        cv2.putText(scene, text, (x1 + 3, ty - base // 2), cv2.FONT_HERSHEY_SIMPLEX, font_scale,
                    (255, 255, 255), max(1, round(2 * s)), cv2.LINE_AA)
        return scene


@dataclass
class HudAnnotator:
    """Rep counter and the latest cue in a panel at the top-left."""

    def annotate(self, scene: np.ndarray, reps: int | None, cue: str | None) -> np.ndarray:
        s = _scale_for(scene)
        lines = [] if reps is None else [f"reps: {reps}"]
        if cue:
            lines.append(cue[:60])
        if not lines:
            return scene
        font_scale = 0.9 * s
        pad = round(10 * s)
        heights = [cv2.getTextSize(t, cv2.FONT_HERSHEY_SIMPLEX, font_scale, 2)[0] for t in lines]
        w = max(tw for tw, _ in heights) + 2 * pad
        h = sum(th for _, th in heights) + pad * (len(lines) + 1)
        overlay = scene.copy()
        cv2.rectangle(overlay, (0, 0), (w, h), (20, 20, 20), -1)
        cv2.addWeighted(overlay, 0.6, scene, 0.4, 0, dst=scene)
        y = pad
        for text, (_, th) in zip(lines, heights, strict=True):
            y += th
            cv2.putText(scene, text, (pad, y), cv2.FONT_HERSHEY_SIMPLEX, font_scale, (255, 255, 255), 2,
                        cv2.LINE_AA)
            y += pad
        return scene


@dataclass
class FrameAnnotator:
    """Skeleton, box and HUD composed in sequence for one frame's result."""

    skeleton: SkeletonAnnotator = field(default_factory=SkeletonAnnotator)
    box: BoxAnnotator = field(default_factory=BoxAnnotator)
    hud: HudAnnotator = field(default_factory=HudAnnotator)
    show_hud: bool = True

    def annotate(self, scene: np.ndarray, result: FrameResult) -> np.ndarray:
        if result.pose is not None:
            self.skeleton.annotate(scene, result.pose, result.exercise)
            self.box.annotate(scene, result.pose.bbox(), result.exercise, result.confidence)
        if self.show_hud:
            self.hud.annotate(scene, result.reps, result.cue)
        return scene
