"""Media I/O at the edges: robust image loading, video frame iteration (PyAV) and H.264 writing."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

log = logging.getLogger(__name__)

IMAGE_EXTS = frozenset({".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff", ".gif", ".heic", ".heif",
                        ".avif"})
#: ISO-BMFF brands of still images: HEIC/HEIF (phones' default photo format) and AVIF. Their files
#: open with an ``ftyp`` box as an MP4 does, and FFmpeg reads them as one-frame videos.
IMAGE_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"mif1", b"avif"})
VIDEO_EXTS = frozenset({".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg", ".wmv", ".y4m"})


class MediaError(ValueError):
    """A file that cannot be used, with a message that says why and what to do."""


def media_kind(path: Path) -> str | None:
    """'image', 'video' or None, from the file name (content is checked when it is opened)."""
    ext = path.suffix.lower()
    if ext in IMAGE_EXTS:
        return "image"
    if ext in VIDEO_EXTS:
        return "video"
    return None


#: Top-level QuickTime atoms a .mov may open with instead of ``ftyp``.
QT_ATOMS = (b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot")


def sniff_format(head: bytes) -> tuple[str, str] | None:
    """The format (``"jpg"``, ``"mp4"``…) and kind (``"image"`` or ``"video"``) of a file from its
    first bytes (magic numbers, not its name), or None when it is neither."""
    ftyp = head[4:8] == b"ftyp"
    riff = head[:4] == b"RIFF"
    checks: tuple[tuple[bool, str, str], ...] = (
        (head.startswith(b"\xff\xd8\xff"), "jpg", "image"),
        (head.startswith(b"\x89PNG\r\n\x1a\n"), "png", "image"),
        (head.startswith((b"GIF87a", b"GIF89a")), "gif", "image"),
        (head.startswith(b"BM"), "bmp", "image"),
        (riff and head[8:12] == b"WEBP", "webp", "image"),
        (head[:4] in (b"II*\x00", b"MM\x00*"), "tiff", "image"),
        (ftyp and head[8:12] == b"avif", "avif", "image"),
        (ftyp and head[8:12] in IMAGE_BRANDS, "heic", "image"),  # a HEIC/HEIF photo
        (ftyp and head[8:12] == b"qt  ", "mov", "video"),
        (ftyp, "mp4", "video"),
        (head[4:8] in QT_ATOMS, "mov", "video"),
        (head[:4] == b"\x1a\x45\xdf\xa3", "webm" if b"webm" in head[:64] else "mkv", "video"),
        (riff and head[8:12] == b"AVI ", "avi", "video"),
        (head.startswith(b"YUV4MPEG2"), "y4m", "video"),
    )
    return next(((ext, kind) for hit, ext, kind in checks if hit), None)


def sniff_kind(head: bytes) -> str | None:
    """'image', 'video' or None from the first bytes of a file (magic numbers, not extensions)."""
    found = sniff_format(head)
    return None if found is None else found[1]


def _av_reason(exc: Exception) -> str:
    """FFmpeg's reason without the file path it appends (paths are private to the caller)."""
    return getattr(exc, "strerror", None) or str(exc).split(":")[0]


def animated(path: Path) -> bool:
    """Whether an image file holds several frames (an animated GIF, as exercise demos often come):
    a clip to analyse as a video (FFmpeg decodes it, with its frame delays), not a photo."""
    try:
        with Image.open(path) as img:
            return img.format == "GIF" and getattr(img, "n_frames", 1) > 1
    except (OSError, UnidentifiedImageError, ValueError):
        return False


def to_rgb8(img: Image.Image) -> np.ndarray:
    """Any PIL image (EXIF-rotated; grey, alpha, 16-bit, palette, CMYK) as an RGB uint8 array."""
    img = ImageOps.exif_transpose(img)
    if img.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        arr = np.asarray(img, dtype=np.float64)
        lo, hi = float(np.nanmin(arr)), float(np.nanmax(arr))
        arr = (arr - lo) / (hi - lo) * 255.0 if hi > lo else np.zeros_like(arr)
        img = Image.fromarray(arr.astype(np.uint8), "L")
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(background, rgba)
    return np.ascontiguousarray(np.asarray(img.convert("RGB"), dtype=np.uint8))


def _heif_support() -> None:
    """Let Pillow open HEIC/HEIF photos wherever GymVision reads images: pi-heif (decode-only
    pillow-heif, whose libheif and libde265 are LGPL; no GPL encoder) registers its plugin in
    Pillow's registry of formats (idempotent)."""
    import pi_heif

    pi_heif.register_heif_opener()


_heif_support()


def decode_image(data: bytes | Path, max_pixels: int = 80_000_000) -> np.ndarray:
    """Decode an image file or bytes to an RGB uint8 array (any mode: grey, RGBA, 16-bit, palette;
    JPEG, PNG, WebP, HEIC/HEIF, AVIF, ...), turned by its EXIF orientation."""
    try:
        src = io.BytesIO(data) if isinstance(data, bytes) else data
        with Image.open(src) as img:
            w, h = img.size
            if w * h > max_pixels:
                raise MediaError(f"image is too large ({w}×{h} px, limit {max_pixels // 1_000_000} MP)")
            if w < 16 or h < 16:
                raise MediaError(f"image is too small ({w}×{h} px); use at least 64×64")
            img.load()
            return to_rgb8(img)
    except MediaError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError) as exc:
        raise MediaError(f"not a readable image ({exc.__class__.__name__}); use JPEG, PNG, WebP or "
                         "HEIC") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise MediaError(f"image is corrupt or truncated: {exc}") from exc


def resize_max_side(rgb: np.ndarray, max_side: int) -> tuple[np.ndarray, float]:
    """Downscale so the longest side is at most ``max_side``; returns (image, scale factor applied)."""
    import cv2

    h, w = rgb.shape[:2]
    scale = max_side / max(h, w)
    if scale >= 1.0:
        return rgb, 1.0
    out = cv2.resize(rgb, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    return out, scale


@dataclass(frozen=True)
class VideoInfo:
    """What a video container says about its main video stream; the size is as a player shows it
    (a phone's portrait clip, stored landscape with a rotation to apply, is portrait)."""

    width: int
    height: int
    fps: float
    duration_s: float
    frames: int
    #: How the stored frames are shown upright (``Orientation``).
    quarter_turns: int = 0
    mirrored: bool = False


@dataclass(frozen=True)
class Orientation:
    """How a player shows stored frames: mirrored left–right first (``mirrored``), then turned
    counter-clockwise by ``quarter_turns`` quarter turns (``np.rot90``)."""

    quarter_turns: int = 0
    mirrored: bool = False

    def apply(self, rgb: np.ndarray) -> np.ndarray:
        if not self.quarter_turns and not self.mirrored:
            return rgb
        return np.ascontiguousarray(np.rot90(rgb[:, ::-1] if self.mirrored else rgb, self.quarter_turns))


#: The display matrix's signs (a, b, c, d of its 2×2 part) → how FFmpeg's players show the frames
#: (worked out against ``ffmpeg``'s own autorotation for every rotation with and without a mirror).
_MATRIX_ORIENTATION = {
    (1, 0, 0, 1): Orientation(0, False), (-1, 0, 0, 1): Orientation(0, True),
    (-1, 0, 0, -1): Orientation(2, False), (1, 0, 0, -1): Orientation(2, True),
    (0, -1, 1, 0): Orientation(1, False), (0, 1, 1, 0): Orientation(1, True),
    (0, 1, -1, 0): Orientation(3, False), (0, -1, -1, 0): Orientation(3, True),
}


def orientation(frame: av.VideoFrame) -> Orientation:
    """How ``frame`` is shown upright. Phones do not turn the pixels of a clip filmed in portrait or
    upside down: they store the sensor's frames with a display matrix that players apply, and so must
    we (a squatter lying on their side is no squat)."""
    try:
        data = next((bytes(sd) for sd in frame.side_data if "DISPLAYMATRIX" in str(sd.type)), None)
    except (AttributeError, TypeError, ValueError):  # side data PyAV cannot read
        data = None
    if data is None or len(data) < 36:
        return Orientation()
    m = np.frombuffer(data[:36], np.int32)
    signs = tuple(int(np.sign(round(float(v) / 65536.0))) for v in (m[0], m[1], m[3], m[4]))
    return _MATRIX_ORIENTATION.get(signs, Orientation())  # (a tilted matrix: left as stored)


def _first_orientation(container: av.container.InputContainer, stream: av.video.stream.VideoStream
                       ) -> Orientation:
    """``orientation`` of the first frame; as stored when none decodes (decoding reports that later)."""
    try:
        frame = next(container.decode(stream), None)
    except (av.error.FFmpegError, StopIteration):
        return Orientation()
    return orientation(frame) if frame is not None else Orientation()


def probe_video(path: Path) -> VideoInfo:
    """Open a video and read its stream facts; raise MediaError with a clear message if unusable."""
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise MediaError("file has no video stream")
            stream = container.streams.video[0]
            fps = float(stream.average_rate or stream.guessed_rate or 30.0)
            if not 1.0 <= fps <= 240.0:
                fps = 30.0
            duration = 0.0
            if stream.duration is not None and stream.time_base is not None:
                duration = float(stream.duration * stream.time_base)
            elif container.duration is not None:
                duration = container.duration / 1_000_000
            frames = int(stream.frames or round(duration * fps))
            w, h = stream.codec_context.width, stream.codec_context.height
            if not w or not h:
                raise MediaError("video has no frame size (corrupt header?)")
            shown = _first_orientation(container, stream)
            if shown.quarter_turns % 2:
                w, h = h, w
            return VideoInfo(w, h, fps, duration, frames, shown.quarter_turns, shown.mirrored)
    except MediaError:
        raise
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise MediaError(f"not a readable video ({_av_reason(exc)})") from exc


@dataclass
class VideoFrame:
    """A decoded frame: its time and, when asked for, RGB pixels at the requested size."""

    index: int
    t: float
    rgb: np.ndarray | None


def iter_frames(path: Path, *, sample_fps: float | None = None, size: tuple[int, int] | None = None,
                every_frame: bool = False) -> Iterator[VideoFrame]:
    """Decode a video; yield frames with pixels at ``sample_fps`` (or every frame).

    Frames between samples are yielded without pixels (``rgb=None``) when ``every_frame`` is set, and
    skipped otherwise; conversion to RGB (the costly part) happens only for sampled frames. Pixels are
    upright as a player shows them (``orientation``), and ``size`` is that upright size.
    """
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, OSError) as exc:
        raise MediaError(f"not a readable video ({_av_reason(exc)})") from exc
    with container:
        if not container.streams.video:
            raise MediaError("file has no video stream")
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        fps = float(stream.average_rate or 30.0) or 30.0
        next_t = 0.0
        step = 0.0 if sample_fps is None else 1.0 / sample_fps
        t0: float | None = None
        index = 0
        try:
            for frame in container.decode(stream):
                t = float(frame.time) if frame.time is not None else index / fps
                if t0 is None:
                    t0 = t
                t -= t0
                take = step == 0.0 or t + 1e-6 >= next_t
                if take:
                    next_t = max(next_t + step, t + step * 0.5)
                    shown = orientation(frame)
                    w, h = frame.width, frame.height  # the stored frame's size
                    if size:
                        w, h = (size[1], size[0]) if shown.quarter_turns % 2 else size
                    rgb = shown.apply(frame.to_ndarray(format="rgb24", width=w, height=h))
                    yield VideoFrame(index, t, rgb)
                elif every_frame:
                    yield VideoFrame(index, t, None)
                index += 1
        except av.error.FFmpegError as exc:
            if index == 0:
                raise MediaError(f"video could not be decoded ({_av_reason(exc)})") from exc
            log.warning("video %s truncated after %d frames: %s", path, index, exc)


class VideoWriter:
    """Write RGB frames to a browser-playable H.264 MP4 (yuv420p, faststart)."""

    def __init__(self, path: Path, fps: float, size: tuple[int, int], crf: int = 23) -> None:
        w, h = size
        self._size = (w - w % 2, h - h % 2)
        self._container = av.open(str(path), mode="w", options={"movflags": "+faststart"})
        rate = Fraction(fps).limit_denominator(1001)
        self._stream = self._container.add_stream("libx264", rate=rate)
        self._stream.width, self._stream.height = self._size
        self._stream.pix_fmt = "yuv420p"
        self._stream.options = {"crf": str(crf), "preset": "veryfast", "profile": "high"}

    def write(self, rgb: np.ndarray) -> None:
        w, h = self._size
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb[:h, :w]), format="rgb24")
        for packet in self._stream.encode(frame):
            self._container.mux(packet)

    def close(self) -> None:
        for packet in self._stream.encode():
            self._container.mux(packet)
        self._container.close()

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
