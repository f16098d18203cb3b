"""`gymvision analyze --json` end to end on generated files, including every kind of bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from gymvision.exercises import LABELS

pytestmark = pytest.mark.slow

CLI = [sys.executable, "-m", "gymvision.cli"]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "250"}
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=600, env=env)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory, astronaut: np.ndarray, person_video: Path) -> Path:
    d = tmp_path_factory.mktemp("inputs")
    Image.fromarray(astronaut).save(d / "astronaut.jpg")
    Image.fromarray(astronaut).convert("L").save(d / "grey.png")
    Image.fromarray(astronaut).convert("RGBA").save(d / "rgba.png")
    grey16 = np.asarray(Image.fromarray(astronaut).convert("L"), np.uint16) * 257
    Image.fromarray(grey16).save(d / "deep16.png")
    big = Image.fromarray(astronaut).resize((4096, 4096))
    big.save(d / "huge.jpg", quality=70)
    yy, xx = np.mgrid[0:240, 0:320]
    Image.fromarray(np.stack([xx % 256, yy % 256, xx * 0], -1).astype(np.uint8)).save(d / "noperson.png")
    (d / "corrupt.jpg").write_bytes(b"\xff\xd8\xff\xe0 definitely not a jpeg")
    jpg = (d / "astronaut.jpg").read_bytes()
    (d / "truncated.jpg").write_bytes(jpg[: len(jpg) // 4])
    (d / "empty.mp4").write_bytes(b"")
    (d / "notes.mp4").write_text("just text pretending to be a video")
    sub = d / "nested" / "deeper"
    sub.mkdir(parents=True)
    (sub / "person.mp4").write_bytes(person_video.read_bytes())
    # a valid video container holding zero frames, and an MP4 with sound but no picture
    (d / "zero.y4m").write_text("YUV4MPEG2 W64 H64 F30:1 Ip A1:1 C420jpeg\n")
    with av.open(str(d / "audio.mp4"), "w") as c:
        s = c.add_stream("aac", rate=44100)
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="fltp", layout="mono")
        frame.sample_rate = 44100
        for _ in range(10):
            for packet in s.encode(frame):
                c.mux(packet)
        for packet in s.encode():
            c.mux(packet)
    return d


def test_json_contract_on_a_folder_with_bad_files(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "annotated"
    proc = run_cli("analyze", str(inputs), "--json", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    by_name = {Path(r["file"]).name: r for r in lines}
    assert set(by_name) == {"astronaut.jpg", "grey.png", "rgba.png", "deep16.png", "huge.jpg",
                            "noperson.png", "corrupt.jpg", "truncated.jpg", "empty.mp4", "notes.mp4",
                            "person.mp4", "zero.y4m", "audio.mp4"}
    for r in lines:
        assert r["file"].startswith(str(inputs))
        if r["error"] is None:
            assert r["exercise"] in LABELS and 0.0 <= r["confidence"] <= 1.0
            assert isinstance(r["advice"], list)
    for name in ("astronaut.jpg", "grey.png", "rgba.png", "deep16.png", "huge.jpg"):
        r = by_name[name]
        assert r["kind"] == "image" and r["error"] is None, r
        assert len(r["detections"]) == 1
        x1, y1, x2, y2 = r["detections"][0]["bbox"]
        scale = 8.0 if name == "huge.jpg" else 1.0  # bbox is in pixels of the input
        assert 0 <= x1 < x2 <= 512 * scale and 0 <= y1 < y2 <= 512 * scale
        assert x1 < 200 * scale < x2  # the face is inside the box
        assert r["detections"][0]["label"] == r["exercise"]
        assert "reps" not in r
    assert by_name["noperson.png"]["detections"] == []
    assert any("No person" in a for a in by_name["noperson.png"]["advice"])
    assert by_name["corrupt.jpg"]["error"].startswith("image is corrupt or truncated")
    assert "truncated" in by_name["truncated.jpg"]["error"]
    assert by_name["empty.mp4"]["error"] == "file is empty"
    notes_error = by_name["notes.mp4"]["error"]
    assert notes_error == "not a readable video (Invalid data found when processing input)"
    assert by_name["zero.y4m"]["error"] == "video has no decodable frames"
    assert by_name["audio.mp4"]["error"] == "file has no video stream"
    video = by_name["person.mp4"]
    assert video["kind"] == "video" and video["error"] is None
    assert video["reps"] == 0 and video["rep_events"] == []  # a person drifting about does no reps
    assert video["duration_s"] == pytest.approx(3.0, abs=0.1) and video["people"] == 1
    assert len(video["detections"]) == 1
    # annotated copies: PNG for photos, browser-playable H.264 for videos
    assert (out / "astronaut_annotated.png").exists()
    with av.open(str(out / "person_annotated.mp4")) as c:
        s = c.streams.video[0]
        assert s.codec_context.name == "h264" and s.frames == 90


def test_forced_exercise_and_table_output(inputs: Path) -> None:
    proc = run_cli("analyze", str(inputs / "astronaut.jpg"), "--json", "--exercise", "leg_ext")
    r = json.loads(proc.stdout)
    assert r["exercise"] == "leg_extension" and r["confidence"] == 1.0
    table = run_cli("analyze", str(inputs / "astronaut.jpg"), str(inputs / "corrupt.jpg"))
    assert table.returncode == 0
    assert "astronaut.jpg" in table.stdout and "corrupt" in table.stdout


def test_exit_codes(inputs: Path) -> None:
    assert run_cli("analyze", str(inputs / "corrupt.jpg"), "--json").returncode == 1
    bad = run_cli("analyze", str(inputs / "astronaut.jpg"), "--exercise", "yoga")
    assert bad.returncode == 2 and "unknown exercise" in bad.stderr
    missing = run_cli("analyze", str(inputs / "nope.jpg"), "--json")
    assert missing.returncode == 1 and json.loads(missing.stdout)["error"] == "file not found"


def test_table_lists_each_rep_of_a_video() -> None:
    from gymvision.demo import sample_image_path

    proc = run_cli("analyze", str(sample_image_path("demo_squat.mp4")))
    assert proc.returncode == 0, proc.stderr
    assert "demo_squat.mp4: 5 squat reps" in proc.stdout
    rows = [line.split("│")[1:-1] for line in proc.stdout.splitlines() if line.startswith("│ ")]
    reps = [[c.strip() for c in row] for row in rows if len(row) == 9]
    assert [r[0] for r in reps] == ["1", "2", "3", "4", "5"]
    for _, start, turn, end, lower, lift, rom, conf, _cues in reps:
        assert float(start) < float(turn) < float(end)
        assert abs(float(lower) + float(lift) - (float(end) - float(start))) < 0.02
        assert 60 <= float(rom.rstrip("°")) <= 130 and 0 < float(conf) <= 1
