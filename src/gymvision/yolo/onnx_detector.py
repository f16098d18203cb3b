"""Run an Ultralytics-exported YOLO detector through onnxruntime (no torch, no ultralytics).

The exported graph takes a letterboxed RGB image scaled to [0, 1] (NCHW float32) and returns either
raw predictions ``(1, 4 + nc, N)`` (centre-x, centre-y, width, height in input pixels, then one
sigmoid score per class) or, for end-to-end exports, ``(1, N, 6)`` rows of
``x1, y1, x2, y2, score, class``. Class names come from the ``names`` metadata Ultralytics writes
and are mapped to ours with :func:`gymvision.exercises.normalise_name` (original names included).
"""

from __future__ import annotations

import ast
import logging
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from ..exercises import EXERCISES, normalise_name
from ..results import Detection

log = logging.getLogger(__name__)

PAD_VALUE = 114
#: Most candidate boxes kept for non-maximum suppression (highest scores first).
MAX_NMS = 3000


class DetectorError(ValueError):
    """A detector model that cannot be used (missing file, wrong task, unexpected outputs or names)."""


@dataclass(frozen=True)
class Letterbox:
    """How an image was fitted into the network input: ``input = image * gain + (pad_x, pad_y)``."""

    gain: float
    pad_x: float
    pad_y: float

    def to_image(self, boxes: np.ndarray, image_wh: tuple[int, int]) -> np.ndarray:
        """Map ``(n, 4)`` x1y1x2y2 boxes from input pixels back to image pixels, clipped."""
        out = boxes.astype(np.float32).copy()
        out[:, [0, 2]] = (out[:, [0, 2]] - self.pad_x) / self.gain
        out[:, [1, 3]] = (out[:, [1, 3]] - self.pad_y) / self.gain
        w, h = image_wh
        out[:, [0, 2]] = out[:, [0, 2]].clip(0, w)
        out[:, [1, 3]] = out[:, [1, 3]].clip(0, h)
        return out


def letterbox(rgb: np.ndarray, size: tuple[int, int]) -> tuple[np.ndarray, Letterbox]:
    """Resize keeping the aspect ratio and pad (grey 114) to ``size = (h, w)``, centred like Ultralytics."""
    h, w = rgb.shape[:2]
    th, tw = size
    gain = min(th / h, tw / w)
    nw, nh = round(w * gain), round(h * gain)
    resized = cv2.resize(rgb, (nw, nh), interpolation=cv2.INTER_LINEAR) if (nw, nh) != (w, h) else rgb
    dw, dh = (tw - nw) / 2, (th - nh) / 2
    top, bottom = round(dh - 0.1), round(dh + 0.1)
    left, right = round(dw - 0.1), round(dw + 0.1)
    out = cv2.copyMakeBorder(resized, top, bottom, left, right, cv2.BORDER_CONSTANT,
                             value=(PAD_VALUE, PAD_VALUE, PAD_VALUE))
    return out, Letterbox(gain, float(left), float(top))


def nms(boxes: np.ndarray, scores: np.ndarray, iou: float) -> np.ndarray:
    """Indices kept by greedy non-maximum suppression on x1y1x2y2 boxes, best score first."""
    order = np.argsort(-scores, kind="stable")
    areas = np.clip(boxes[:, 2] - boxes[:, 0], 0, None) * np.clip(boxes[:, 3] - boxes[:, 1], 0, None)
    keep: list[int] = []
    while order.size:
        i = int(order[0])
        keep.append(i)
        rest = order[1:]
        xx1 = np.maximum(boxes[i, 0], boxes[rest, 0])
        yy1 = np.maximum(boxes[i, 1], boxes[rest, 1])
        xx2 = np.minimum(boxes[i, 2], boxes[rest, 2])
        yy2 = np.minimum(boxes[i, 3], boxes[rest, 3])
        inter = np.clip(xx2 - xx1, 0, None) * np.clip(yy2 - yy1, 0, None)
        overlap = inter / np.maximum(areas[i] + areas[rest] - inter, 1e-9)
        order = rest[overlap <= iou]
    return np.asarray(keep, dtype=np.int64)


def parse_names(meta: dict[str, str], source: str = "model") -> tuple[list[str], list[str]]:
    """Class names from Ultralytics metadata → (names as stored, our exercise names), validated."""
    raw = meta.get("names")
    if raw is None:
        raise DetectorError(f"{source} has no 'names' metadata; export it with `gymvision yolo export`")
    try:
        parsed = ast.literal_eval(raw) if isinstance(raw, str) else raw
    except (ValueError, SyntaxError) as e:
        raise DetectorError(f"{source}: cannot read class names from metadata {raw!r}") from e
    if isinstance(parsed, dict):
        stored = [str(parsed[k]) for k in sorted(parsed, key=int)]
    else:
        stored = [str(n) for n in parsed]
    return stored, map_names(stored, source)


def map_names(stored: list[str], source: str = "model") -> list[str]:
    """Map class names (ours or the original GymVision's) to ours; explain which ones are not exercises."""
    ours, bad = [], []
    for n in stored:
        try:
            ours.append(normalise_name(n))
        except ValueError:
            bad.append(n)
    if bad:
        raise DetectorError(
            f"{source} has classes that are not GymVision exercises: {', '.join(map(repr, bad))}; "
            f"expected names among {', '.join(EXERCISES)} (or the original benchpress, pushup, "
            "shoulder_press, squat, deadlift, leg_ext)")
    if len(set(ours)) != len(ours):
        raise DetectorError(f"{source} maps two classes to the same exercise: {stored}")
    return ours


class OnnxDetector:
    """An exercise detector: boxes labelled with one of the six exercises, from an ONNX YOLO model.

    ``detect`` is safe to call from one thread at a time per instance (onnxruntime sessions are
    thread-safe for ``run``, the instance holds no per-call state).
    """

    def __init__(self, path: Path | str, conf: float = 0.25, iou: float = 0.5, max_det: int = 20,
                 threads: int | None = None, names: list[str] | None = None) -> None:
        import onnxruntime as ort

        self.path = Path(path).expanduser()
        if not self.path.is_file():
            raise DetectorError(f"detector model not found: {self.path}")
        opts = ort.SessionOptions()
        if threads:
            opts.intra_op_num_threads = int(threads)
            opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        try:
            self.session = ort.InferenceSession(str(self.path), opts, providers=["CPUExecutionProvider"])
        except Exception as e:  # onnxruntime raises its own exception types for bad graphs
            raise DetectorError(f"{self.path} is not a readable ONNX model: {e}") from e
        self.conf, self.iou, self.max_det = float(conf), float(iou), int(max_det)
        self.metadata: dict[str, str] = dict(self.session.get_modelmeta().custom_metadata_map)
        task = self.metadata.get("task", "detect")
        if task != "detect":
            raise DetectorError(f"{self.path} is a YOLO '{task}' model; an object detection ('detect') "
                                "model trained on the exercise classes is needed")
        if names is not None:
            self.stored_names, self.names = list(names), map_names(list(names), str(self.path))
        else:
            self.stored_names, self.names = parse_names(self.metadata, str(self.path))
        self._check_io()

    def _check_io(self) -> None:
        inputs, outputs = self.session.get_inputs(), self.session.get_outputs()
        if len(inputs) != 1 or len(inputs[0].shape) != 4:
            raise DetectorError(f"{self.path}: expected one NCHW image input, got "
                                f"{[(i.name, i.shape) for i in inputs]}")
        self.input_name = inputs[0].name
        _, c, h, w = inputs[0].shape
        if isinstance(c, int) and c != 3:
            raise DetectorError(f"{self.path}: expected a 3-channel image input, got {c} channels")
        size = (h, w) if isinstance(h, int) and isinstance(w, int) else None
        if size is None:
            meta = self.metadata.get("imgsz")
            parsed = ast.literal_eval(meta) if meta else 640
            size = tuple(parsed) if isinstance(parsed, list | tuple) else (int(parsed), int(parsed))
        self.input_size: tuple[int, int] = (int(size[0]), int(size[1]))
        if not outputs:
            raise DetectorError(f"{self.path}: the model has no outputs")
        self.output_name = outputs[0].name
        shape = outputs[0].shape
        nc = len(self.names)
        self.end2end = self.metadata.get("end2end", "False") == "True"
        if len(shape) != 3:
            raise DetectorError(f"{self.path}: unexpected output shape {shape}; expected (1, 4+classes, N) "
                                "from an Ultralytics detection export")
        if self.end2end:
            ok = not isinstance(shape[2], int) or shape[2] == 6
        else:
            ok = not isinstance(shape[1], int) or shape[1] == 4 + nc
        if not ok:
            raise DetectorError(f"{self.path}: output shape {shape} does not fit {nc} classes "
                                f"(expected {'(1, N, 6)' if self.end2end else f'(1, {4 + nc}, N)'})")

    # ------------------------------------------------------------------ inference
    def preprocess(self, rgb: np.ndarray) -> tuple[np.ndarray, Letterbox]:
        """RGB uint8 (h, w, 3) → network input (1, 3, H, W) float32 in [0, 1] and the letterbox."""
        if rgb.ndim != 3 or rgb.shape[2] != 3:
            raise ValueError(f"expected an RGB image of shape (h, w, 3), got {rgb.shape}")
        boxed, lb = letterbox(rgb, self.input_size)
        x = boxed.transpose(2, 0, 1)[None].astype(np.float32) / 255.0
        return np.ascontiguousarray(x), lb

    def raw(self, rgb: np.ndarray) -> tuple[np.ndarray, Letterbox]:
        """The network's raw output for one image, and its letterbox."""
        x, lb = self.preprocess(rgb)
        out = self.session.run([self.output_name], {self.input_name: x})[0]
        return np.asarray(out), lb

    def decode(self, out: np.ndarray, lb: Letterbox, image_wh: tuple[int, int],
               conf: float | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Raw output → (boxes (n, 4) in image pixels, scores (n,), class indices (n,)) after NMS."""
        conf = self.conf if conf is None else conf
        nc = len(self.names)
        if out.ndim != 3 or out.shape[0] != 1:
            raise DetectorError(f"{self.path}: unexpected output of shape {out.shape}")
        if self.end2end:
            rows = out[0]
            if rows.shape[1] != 6:
                raise DetectorError(f"{self.path}: end-to-end output rows have {rows.shape[1]} values, not 6")
            boxes, scores, classes = rows[:, :4], rows[:, 4], rows[:, 5].astype(np.int64)
            keep = scores >= conf
            boxes, scores, classes = boxes[keep], scores[keep], classes[keep]
        else:
            if out.shape[1] != 4 + nc:
                raise DetectorError(f"{self.path}: output has {out.shape[1]} rows per box; expected "
                                    f"{4 + nc} (4 box values + {nc} classes)")
            pred = out[0].T  # (N, 4 + nc)
            cls_scores = pred[:, 4:]
            classes = cls_scores.argmax(axis=1)
            scores = cls_scores[np.arange(len(pred)), classes]
            keep = scores >= conf
            xywh, scores, classes = pred[keep, :4], scores[keep], classes[keep]
            if len(scores) > MAX_NMS:  # an untrained or confused model: bound the NMS work
                top = np.argpartition(-scores, MAX_NMS)[:MAX_NMS]
                xywh, scores, classes = xywh[top], scores[top], classes[top]
            boxes = np.column_stack([xywh[:, 0] - xywh[:, 2] / 2, xywh[:, 1] - xywh[:, 3] / 2,
                                     xywh[:, 0] + xywh[:, 2] / 2, xywh[:, 1] + xywh[:, 3] / 2])
            if len(boxes):
                # class-aware NMS: offset each class so boxes of different classes never overlap
                offset = classes[:, None].astype(np.float32) * 4096.0
                idx = nms(boxes + offset, scores, self.iou)
                boxes, scores, classes = boxes[idx], scores[idx], classes[idx]
        order = np.argsort(-scores, kind="stable")[: self.max_det]
        boxes = lb.to_image(np.asarray(boxes, dtype=np.float32).reshape(-1, 4)[order], image_wh)
        return boxes, np.asarray(scores, dtype=np.float32)[order], np.asarray(classes)[order]

    def detect(self, rgb: np.ndarray, conf: float | None = None) -> list[Detection]:
        """Exercise detections in an RGB image, best first; boxes in the image's pixels."""
        out, lb = self.raw(rgb)
        boxes, scores, classes = self.decode(out, lb, (rgb.shape[1], rgb.shape[0]), conf)
        return [Detection(tuple(float(v) for v in b), self.names[int(c)], float(s))  # type: ignore[arg-type]
                for b, s, c in zip(boxes, scores, classes, strict=True)]

    def __repr__(self) -> str:
        return f"OnnxDetector({str(self.path)!r}, classes={self.names}, input={self.input_size})"
