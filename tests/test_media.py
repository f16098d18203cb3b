"""Media edge: decoding every image mode, refusing bad files, H.264 round trip, frame sampling."""

from __future__ import annotations

import io
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from conftest import HEIC_ASTRONAUT
from gymvision.media import (
    MediaError,
    VideoWriter,
    decode_image,
    iter_frames,
    probe_video,
    resize_max_side,
    sniff_format,
    sniff_kind,
)


def _png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


@pytest.mark.parametrize("mode", ["L", "LA", "RGBA", "P", "I;16", "RGB", "CMYK"])
def test_decode_any_mode_to_rgb8(astronaut: np.ndarray, mode: str) -> None:
    img = Image.fromarray(astronaut)
    if mode == "I;16":
        arr = np.asarray(img.convert("L"), dtype=np.uint16) * 257
        img = Image.fromarray(arr)
        assert img.mode == "I;16"
    else:
        img = img.convert(mode)
    data = _png(img) if mode != "CMYK" else _jpeg(img)
    out = decode_image(data)
    assert out.dtype == np.uint8 and out.shape == (512, 512, 3)
    # the picture survives the conversion: the face region stays brighter than the dark background
    assert out[100:200, 150:250].mean() > out[:50, :50].mean() - 40


def _jpeg(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="JPEG")
    return buf.getvalue()


def test_decode_rejects_corrupt_truncated_and_huge(astronaut: np.ndarray) -> None:
    with pytest.raises(MediaError, match="not a readable image"):
        decode_image(b"this is not an image at all")
    jpeg = _jpeg(Image.fromarray(astronaut))
    with pytest.raises(MediaError, match="corrupt or truncated"):
        decode_image(jpeg[: len(jpeg) // 3])
    with pytest.raises(MediaError, match="too large"):
        decode_image(jpeg, max_pixels=100_000)
    with pytest.raises(MediaError, match="too small"):
        decode_image(_png(Image.new("RGB", (4, 4))))


def test_sniff_kind_reads_magic_bytes(astronaut: np.ndarray, person_video: Path) -> None:
    assert sniff_kind(_png(Image.fromarray(astronaut))[:32]) == "image"
    assert sniff_kind(_jpeg(Image.fromarray(astronaut))[:32]) == "image"
    assert sniff_kind(person_video.read_bytes()[:32]) == "video"
    assert sniff_kind(b"#!/bin/sh\necho hi\n") is None
    # the web upload check reads the same table, and keeps only the formats it accepts
    assert sniff_format(person_video.read_bytes()[:32]) == ("mp4", "video")
    assert sniff_format(HEIC_ASTRONAUT.read_bytes()[:32]) == ("heic", "image")
    assert sniff_format(b"\x00\x00\x00\x08wide\x00\x00\x00\x00mdat") == ("mov", "video")
    assert sniff_format(b"GIF89a") == ("gif", "image")


def test_phone_photos_in_heic_are_photos(astronaut: np.ndarray) -> None:
    # iPhones save photos as HEIC, in the same ISO box format as an MP4: FFmpeg would read one as a
    # one-frame video (a squat photo then read "unknown" through the video path)
    path = HEIC_ASTRONAUT
    head = path.read_bytes()[:32]
    assert head[4:8] == b"ftyp" and sniff_kind(head) == "image"
    rgb = decode_image(path)
    assert rgb.shape == astronaut.shape and rgb.dtype == np.uint8
    assert np.abs(rgb.astype(int) - astronaut).mean() < 8


def test_resize_max_side_keeps_aspect() -> None:
    img = np.zeros((3000, 1500, 3), np.uint8)
    out, scale = resize_max_side(img, 1000)
    assert out.shape[:2] == (1000, 500) and scale == pytest.approx(1 / 3)
    same, one = resize_max_side(img, 4000)
    assert same is img and one == 1.0


def test_h264_round_trip_and_sampling(tmp_path: Path) -> None:
    path = tmp_path / "grad.mp4"
    with VideoWriter(path, 30.0, (321, 241)) as w:  # odd sizes are cropped to even for yuv420p
        for i in range(60):
            w.write(np.full((241, 321, 3), i * 4, np.uint8))
    info = probe_video(path)
    assert (info.width, info.height, info.frames) == (320, 240, 60)
    assert info.fps == pytest.approx(30.0) and info.duration_s == pytest.approx(2.0, abs=0.05)
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        assert s.codec_context.name == "h264" and s.codec_context.pix_fmt == "yuv420p"
    sampled = list(iter_frames(path, sample_fps=10.0, size=(160, 120)))
    assert 19 <= len(sampled) <= 21
    assert sampled[0].rgb is not None and sampled[0].rgb.shape == (120, 160, 3)
    times = [f.t for f in sampled]
    assert np.allclose(np.diff(times), 0.1, atol=0.04)
    every = list(iter_frames(path, sample_fps=10.0, every_frame=True))
    assert len(every) == 60 and sum(f.rgb is not None for f in every) == len(sampled)


@pytest.mark.parametrize(("degrees", "hflip", "vflip"),
                         [(90, False, False), (-90, False, False), (180, False, False), (0, True, False),
                          (0, False, True), (90, True, False), (-90, True, False)])
def test_frames_come_upright_as_a_player_shows_them(tmp_path: Path, degrees: int, hflip: bool,
                                                   vflip: bool) -> None:
    # a 4:3 picture that no turn or mirror leaves the same, stored turned and mirrored with a display
    # matrix that undoes it, as phones (and some editors) write
    picture = np.zeros((120, 160, 3), np.uint8)
    picture[:30, :40] = 255
    picture[:20, 90:150] = 128
    stored = picture[::-1] if vflip else picture
    stored = stored[:, ::-1] if hflip else stored
    stored = np.ascontiguousarray(np.rot90(stored, -round(degrees / 90)))
    path = tmp_path / "turned.mp4"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=10)
        stream.height, stream.width = stored.shape[:2]
        stream.pix_fmt = "yuv420p"
        stream.set_display_rotation(degrees, hflip=hflip, vflip=vflip)
        for _ in range(10):
            out.mux(stream.encode(av.VideoFrame.from_ndarray(stored, format="rgb24")))
        out.mux(stream.encode())
    info = probe_video(path)
    assert (info.width, info.height) == (160, 120)
    frame = next(iter_frames(path)).rgb
    assert frame is not None and frame.shape == picture.shape
    assert np.abs(frame.astype(int) - picture).mean() < 6
    small = next(iter_frames(path, size=(80, 60))).rgb
    assert small is not None and small.shape == (60, 80, 3)
    assert np.abs(small.astype(int) - picture[::2, ::2]).mean() < 12


def test_bad_videos_raise_clear_errors(tmp_path: Path) -> None:
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    with pytest.raises(MediaError, match="not a readable video"):
        probe_video(empty)
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 500)
    with pytest.raises(MediaError):
        probe_video(junk)
