"""Perceptual hashes and near-duplicate clusters (flip-aware), plus a small media reader."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import imagehash
import numpy as np
from PIL import Image, ImageOps

from ..media import MediaError, to_rgb8
from .layout import media_kind

log = logging.getLogger(__name__)


def load_rgb(path: Path, max_pixels: int = 80_000_000, draft_side: int | None = None) -> np.ndarray:
    """An image (EXIF-rotated) or a video's middle frame as an RGB uint8 array; MediaError if unreadable.

    ``draft_side`` lets JPEGs decode at a reduced scale (at least that many pixels a side): much
    faster for hashing and pose on big photos.
    """
    if media_kind(path) == "video":
        return video_middle_frame(path)
    try:
        with Image.open(path) as im:
            if im.width * im.height > max_pixels:
                raise MediaError(f"{path}: image too large ({im.width}x{im.height})")
            if draft_side is not None and im.format == "JPEG":
                im.draft("RGB", (draft_side, draft_side))
            return to_rgb8(im)  # EXIF rotation, grey/alpha/16-bit/palette as in the pipeline
    except MediaError:
        raise
    except Exception as exc:  # PIL raises many types on corrupt files
        raise MediaError(f"{path}: cannot read image ({exc.__class__.__name__}: {exc})") from exc


def video_middle_frame(path: Path) -> np.ndarray:
    import cv2

    cap = cv2.VideoCapture(str(path))
    try:
        n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        if n > 1:
            cap.set(cv2.CAP_PROP_POS_FRAMES, n // 2)
        ok, frame = cap.read()
        if not ok and n > 1:
            cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, frame = cap.read()
    finally:
        cap.release()
    if not ok or frame is None:
        raise MediaError(f"{path}: cannot read video frames")
    return frame[:, :, ::-1].copy()


@dataclass(frozen=True)
class ImageHash:
    """64-bit perceptual hash of an image and of its mirror image."""

    value: int
    mirrored: int

    def hex(self) -> str:
        return f"{self.value:016x}"


def _to_int(h: imagehash.ImageHash) -> int:
    return int("".join("1" if b else "0" for b in h.hash.flatten()), 2)


def phash(rgb: np.ndarray) -> ImageHash:
    im = Image.fromarray(rgb)
    return ImageHash(_to_int(imagehash.phash(im)), _to_int(imagehash.phash(ImageOps.mirror(im))))


def popcount64(x: np.ndarray) -> np.ndarray:
    """Set bits per uint64 element (SWAR bit counting, vectorised)."""
    x = x - ((x >> np.uint64(1)) & np.uint64(0x5555555555555555))
    x = (x & np.uint64(0x3333333333333333)) + ((x >> np.uint64(2)) & np.uint64(0x3333333333333333))
    x = (x + (x >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    return ((x * np.uint64(0x0101010101010101)) >> np.uint64(56)).astype(np.uint8)


def hamming_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pairwise Hamming distances between two uint64 arrays."""
    return popcount64(np.bitwise_xor(a[:, None], b[None, :]))


def near_pairs(hashes: list[ImageHash], threshold: int, flips: bool = True,
               chunk: int = 256) -> list[tuple[int, int, int]]:
    """Index pairs ``(i, j, distance)`` with ``i < j`` whose hashes differ by ≤ ``threshold`` bits.

    With ``flips`` a mirrored copy counts as a duplicate too (the distance is the smaller one).
    """
    if not hashes:
        return []
    v = np.array([h.value for h in hashes], dtype=np.uint64)
    m = np.array([h.mirrored for h in hashes], dtype=np.uint64)
    out: list[tuple[int, int, int]] = []
    for start in range(0, len(v), chunk):
        rows = v[start:start + chunk]
        d = hamming_matrix(rows, v)
        if flips:
            d = np.minimum(d, hamming_matrix(rows, m))
        ii, jj = np.nonzero(d <= threshold)
        for i, j in zip(ii.tolist(), jj.tolist(), strict=True):
            gi = start + i
            if gi < j:
                out.append((gi, j, int(d[i, j])))
    return out


def clusters(n: int, pairs: list[tuple[int, int, int]]) -> list[list[int]]:
    """Connected components (union-find) of ``n`` items linked by ``pairs``; singletons left out."""
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j, _ in pairs:
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    return [g for g in groups.values() if len(g) > 1]
