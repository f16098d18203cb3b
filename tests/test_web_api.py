"""HTTP and WebSocket tests against the real web app.

Most tests run the app with a small stand-in engine so that limits, ownership, queueing, crashes,
corrections and export are checked quickly and deterministically; the tests at the end run the real
pipeline (BlazePose + recogniser) on a real photo, a generated video of a real person and a live
stream.
"""

from __future__ import annotations

import csv
import io
import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from gymvision.exercises import LABELS
from gymvision.results import AnalysisResult, Detection, FrameResult, Pose, RepEvent
from gymvision.settings import Settings
from gymvision.web import create_app
from gymvision.web.owner import COOKIE_NAME
from gymvision.web.uploads import FileType, sniff

CONTRACT_KEYS = {"file", "kind", "exercise", "confidence", "detections", "advice", "error"}


# ---------------------------------------------------------------------------------- stand-ins
class FakeSession:
    """Counts a rep every 5 frames; optionally slow, to exercise latest-frame-wins."""

    def __init__(self, delay: float = 0.0) -> None:
        self.events: list[RepEvent] = []
        self.delay = delay
        self.frames = 0
        self.set_exercise = "squat"

    def process(self, rgb: np.ndarray, t: float) -> FrameResult:
        time.sleep(self.delay)
        self.frames += 1
        h, w = rgb.shape[:2]
        xyz = np.zeros((33, 3), np.float32)
        xyz[:, 0], xyz[:, 1] = w / 2, h / 2
        new = None
        if self.frames % 5 == 0:
            new = RepEvent(len(self.events) + 1, t - 1, t - 0.5, t, 80.0, cues=["keep the chest up"])
            self.events.append(new)
        return FrameResult(t, Pose(xyz, np.ones(33), (w, h)), "squat", 0.9, reps=len(self.events),
                           new_reps=[new] if new else [])

    def finish(self) -> list[RepEvent]:
        return []

    def close(self) -> None:
        pass


class FakeEngine:
    """Answers like the Pipeline, instantly; can block or crash on demand."""

    def __init__(self, gate: threading.Event | None = None, crash_on: str | None = None,
                 live_delay: float = 0.0) -> None:
        self.gate = gate
        self.crash_on = crash_on
        self.live_delay = live_delay

    def analyze_image(self, rgb: np.ndarray, name: str = "image", exercise: str | None = None,
                      out_path: Path | None = None) -> AnalysisResult:
        h, w = rgb.shape[:2]
        if out_path is not None:
            Image.fromarray(rgb).save(out_path)
        ex = exercise or "squat"
        return AnalysisResult(file=name, kind="image", exercise=ex, confidence=0.8, width=w, height=h,
                              detections=[Detection((1, 2, w - 1, h - 1), ex, 0.8)], people=1,
                              annotated=None if out_path is None else str(out_path))

    def analyze_video(self, path: Path, progress: Callable[[float], None] | None = None,
                      out_path: Path | None = None, exercise: str | None = None,
                      name: str | None = None) -> AnalysisResult:
        if self.gate is not None:
            assert self.gate.wait(20)
        if self.crash_on and self.crash_on in (name or ""):
            raise RuntimeError("boom")
        if progress:
            progress(0.5)
        if out_path is not None:
            Path(out_path).write_bytes(Path(path).read_bytes())
        reps = [RepEvent(1, 0.2, 0.6, 1.0, 85.0, cues=["go lower"]), RepEvent(2, 1.2, 1.6, 2.0, 90.0)]
        return AnalysisResult(file=name or str(path), kind="video", exercise=exercise or "squat",
                              confidence=0.9, reps=2, rep_events=reps, advice=["film from the side"],
                              signal={"t": [0.0, 1.0, 2.0], "value": [1.0, 2.0, 1.0]},
                              annotated=None if out_path is None else str(out_path))

    def session(self, exercise: str | None = None) -> FakeSession:
        return FakeSession(self.live_delay)


# ---------------------------------------------------------------------------------- helpers
def wait_ready(client: TestClient, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = client.get("/health")
        if r.status_code == 200:
            return
        if r.json()["status"] == "error":
            break
        time.sleep(0.05)
    raise AssertionError(f"not ready: {client.get('/health').json()}")


def wait_job(client: TestClient, job_id: str, timeout: float = 60.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish: {job}")


def png_bytes(size: tuple[int, int] = (120, 90)) -> bytes:
    buf = io.BytesIO()
    noise = np.random.default_rng(0).integers(0, 255, (size[1], size[0], 3), np.uint8)
    Image.fromarray(noise).save(buf, "PNG")
    return buf.getvalue()


def jpeg_bytes(rgb: np.ndarray, quality: int = 80) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=quality)
    return buf.getvalue()


@pytest.fixture(scope="module")
def small_video(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A tiny valid H.264 MP4 (1 s, 64×64)."""
    from gymvision.media import VideoWriter

    path = tmp_path_factory.mktemp("v") / "tiny.mp4"
    with VideoWriter(path, 10.0, (64, 64)) as w:
        for i in range(10):
            w.write(np.full((64, 64, 3), i * 20, np.uint8))
    return path.read_bytes()


@pytest.fixture
def make_client(tmp_path: Path) -> Iterator[Callable[..., TestClient]]:
    clients: list[TestClient] = []

    def make(engine: Any = None, wait: bool = True, **overrides: Any) -> TestClient:
        settings = Settings(data_dir=overrides.pop("data_dir", tmp_path / "data"), **overrides)
        eng = engine or FakeEngine()
        client = TestClient(create_app(settings, engine_factory=lambda _s: eng))
        client.__enter__()
        clients.append(client)
        if wait:
            wait_ready(client)
        return client

    yield make
    for c in reversed(clients):
        c.__exit__(None, None, None)


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()


# ---------------------------------------------------------------------------------- health, pages
def test_health_is_503_until_models_load(tmp_path: Path) -> None:
    release = threading.Event()

    def factory(_s: Settings) -> FakeEngine:
        release.wait(10)
        return FakeEngine()

    with TestClient(create_app(Settings(data_dir=tmp_path), engine_factory=factory)) as c:
        r = c.get("/health")
        assert r.status_code == 503 and r.json()["status"] == "loading"
        r = c.post("/api/analyze", files={"file": ("a.png", png_bytes(), "image/png")})
        assert r.status_code == 503 and "loading" in r.json()["detail"]
        release.set()
        wait_ready(c)
        assert c.get("/health").json()["models_loaded"] is True


def test_pages_meta_headers_and_cookie(client: TestClient) -> None:
    r = TestClient(client.app).get("/")  # a first visit, without a cookie
    assert r.status_code == 200 and "GymVision" in r.text
    cookie = r.headers["set-cookie"]
    assert COOKIE_NAME in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert "cdn" not in r.text.lower() and "https://" not in r.text
    for asset in ("/static/app.css", "/static/js/app.js", "/static/js/live.js", "/docs"):
        assert client.get(asset).status_code == 200, asset
    meta = client.get("/api/meta").json()
    assert meta["exercises"] and meta["skeleton"] and "squat" in meta["colours"]
    spec = client.get("/openapi.json").json()
    assert "/api/analyze" in spec["paths"] and "/api/jobs/{job_id}" in spec["paths"]


# ---------------------------------------------------------------------------------- photos
def test_photo_result_follows_contract_and_is_logged(client: TestClient) -> None:
    r = client.post("/api/analyze", files={"file": ("../../etc/my photo.png", png_bytes(), "image/png")})
    assert r.status_code == 200, r.text
    d = r.json()
    assert d.keys() >= CONTRACT_KEYS and d["kind"] == "image" and d["file"] == "my photo.png"
    assert d["exercise"] in LABELS and 0 <= d["confidence"] <= 1
    assert len(d["detections"][0]["bbox"]) == 4
    assert "annotated" not in d  # no server paths leak
    img = client.get(d["annotated_url"])
    assert img.status_code == 200 and img.headers["content-type"] == "image/jpeg"
    sets = client.get("/api/sets").json()
    assert [s["id"] for s in sets] == [d["set_id"]] and sets[0]["source"] == "photo"


def test_explain_needs_an_own_photo(client: TestClient) -> None:
    d = client.post("/api/analyze", files={"file": ("a.png", png_bytes(), "image/png")}).json()
    assert d["explain_url"].startswith("/api/explain/")
    assert TestClient(client.app).post(d["explain_url"]).status_code == 404  # another session
    assert client.post("/api/explain/nope").status_code == 404
    assert client.post(d["annotated_url"].replace("/api/media/", "/api/explain/")).status_code == 404


def test_samples_photo_and_video(client: TestClient) -> None:
    listing = client.get("/api/samples").json()
    kinds = {s["name"]: s["kind"] for s in listing}
    assert kinds["astronaut.jpg"] == "image" and "README.md" not in kinds
    photo = client.post("/api/samples/astronaut.jpg/analyze?exercise=squat").json()
    assert photo["file"] == "astronaut.jpg" and photo["exercise"] == "squat"
    videos = [n for n, k in kinds.items() if k == "video"]
    if videos:
        r = client.post(f"/api/samples/{videos[0]}/analyze")
        assert r.status_code == 202
        job = wait_job(client, r.json()["job"])
        assert job["status"] == "done" and job["result"]["file"] == videos[0]
    from gymvision.demo import sample_image_path

    assert sample_image_path().exists()  # samples are copied, never moved or deleted
    assert client.get("/api/sets").json()[0]["source"] == "sample"


def test_forced_exercise_and_bad_exercise(client: TestClient) -> None:
    r = client.post("/api/analyze", files={"file": ("a.png", png_bytes(), "image/png")},
                    data={"exercise": "Bench-Press"})
    assert r.status_code == 200 and r.json()["exercise"] == "bench_press"
    r = client.post("/api/analyze", files={"file": ("a.png", png_bytes(), "image/png")},
                    data={"exercise": "curls"})
    assert r.status_code == 422 and "unknown exercise" in r.json()["detail"]


@pytest.mark.parametrize(("name", "content", "status", "words"), [
    ("notes.jpg", b"just some text, not a photo at all", 415, "Unsupported file type"),
    ("script.png", b"<?php echo 'hi'; ?>" * 10, 415, "content"),
    ("empty.png", b"", 422, "empty"),
    ("truncated.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, 422, "Could not read the image"),
    ("fake.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 500, 422, "Could not read the video"),
])
def test_bad_files_get_clear_errors(client: TestClient, name: str, content: bytes, status: int,
                                    words: str) -> None:
    r = client.post("/api/analyze", files={"file": (name, content, "application/octet-stream")})
    assert r.status_code == status, r.text
    assert words in r.json()["detail"]
    uploads = client.app.state.services.uploads.root
    assert list(uploads.iterdir()) == []  # refused uploads are not kept


def test_missing_file_field_is_422_with_message(client: TestClient) -> None:
    r = client.post("/api/analyze", data={"exercise": "squat"})
    assert r.status_code == 422 and "file" in r.json()["detail"]


def test_size_limits(make_client: Callable[..., TestClient]) -> None:
    c = make_client(max_upload_mb=1, max_image_pixels=50_000)
    big = b"\x89PNG\r\n\x1a\n" + b"\x00" * (3 << 20)  # over limit + multipart slack: refused up front
    r = c.post("/api/analyze", files={"file": ("big.png", big, "image/png")})
    assert r.status_code == 413 and "limit" in r.json()["detail"]
    mid = b"\x89PNG\r\n\x1a\n" + b"\x00" * ((1 << 20) + 1000)  # just over: refused while storing
    r = c.post("/api/analyze", files={"file": ("mid.png", mid, "image/png")})
    assert r.status_code == 413 and "1 MB" in r.json()["detail"]
    r = c.post("/api/analyze", files={"file": ("px.png", png_bytes((300, 200)), "image/png")})
    assert r.status_code == 413 and "megapixels" in r.json()["detail"]
    r = c.post("/api/analyze", files={"file": ("ok.png", png_bytes((100, 100)), "image/png")})
    assert r.status_code == 200


def test_sniffing_ignores_names() -> None:
    assert sniff(b"\xff\xd8\xff\xe0" + b"\x00" * 20).ext == "jpg"
    assert sniff(b"RIFF\x00\x00\x00\x00WEBPVP8 ").ext == "webp"
    assert sniff(b"RIFF\x00\x00\x00\x00AVI LIST").kind == "video"
    assert sniff(b"\x00\x00\x00\x14ftypqt  ").ext == "mov"
    assert sniff(b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01webm").ext == "webm"
    assert sniff(b"GIF89a") is None and sniff(b"MZ\x90\x00") is None
    assert sniff(b"\x00\x00\x00\x1cftypheic\x00\x00\x00\x00mif1heic") == FileType("heic", "image")
    assert sniff(b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00").kind == "image"
    assert sniff(b"\x00\x00\x00\x1cftypisom\x00\x00\x02\x00").kind == "video"


# ---------------------------------------------------------------------------------- videos
def test_video_job_lifecycle(client: TestClient, small_video: bytes) -> None:
    r = client.post("/api/analyze", files={"file": ("set.mp4", small_video, "video/mp4")})
    assert r.status_code == 202, r.text
    job_id = r.json()["job"]
    job = wait_job(client, job_id)
    assert job["status"] == "done" and job["progress"] == 1.0
    res = job["result"]
    assert res.keys() >= CONTRACT_KEYS and res["kind"] == "video" and res["file"] == "set.mp4"
    assert res["reps"] == 2 and [e["index"] for e in res["rep_events"]] == [1, 2]
    assert res["signal"]["t"] == [0.0, 1.0, 2.0]
    media = client.get(res["annotated_url"])
    assert media.status_code == 200 and media.headers["content-type"] == "video/mp4"
    part = client.get(res["annotated_url"], headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and len(part.content) == 100
    assert list(client.app.state.services.uploads.root.iterdir()) == []  # input removed after the job


@pytest.mark.parametrize(("suffix", "codec"), [("mov", "libx264"), ("avi", "mpeg4"), ("mkv", "libx264"),
                                             ("webm", "libvpx-vp9")])
def test_every_accepted_container_is_queued(client: TestClient, tmp_path: Path, suffix: str,
                                            codec: str) -> None:
    import av

    path = tmp_path / f"clip.{suffix}"
    with av.open(str(path), "w") as c:
        st = c.add_stream(codec, rate=10)
        st.width, st.height, st.pix_fmt = 64, 48, "yuv420p"
        for i in range(10):
            for pk in st.encode(av.VideoFrame.from_ndarray(np.full((48, 64, 3), i * 20, np.uint8),
                                                           format="rgb24")):
                c.mux(pk)
        for pk in st.encode():
            c.mux(pk)
    # the name lies on purpose: the type comes from the content
    data = path.read_bytes()
    r = client.post("/api/analyze", files={"file": ("clip.bin", data, "application/octet-stream")})
    assert r.status_code == 202, r.text
    assert wait_job(client, r.json()["job"])["status"] == "done"


def test_crashed_job_fails_and_server_goes_on(make_client: Callable[..., TestClient],
                                              small_video: bytes) -> None:
    c = make_client(FakeEngine(crash_on="crash"))
    bad = c.post("/api/analyze", files={"file": ("crash.mp4", small_video, "video/mp4")}).json()["job"]
    good = c.post("/api/analyze", files={"file": ("fine.mp4", small_video, "video/mp4")}).json()["job"]
    failed = wait_job(c, bad)
    assert failed["status"] == "failed" and "crashed" in failed["error"]
    assert wait_job(c, good)["status"] == "done"
    assert c.get("/health").status_code == 200


def test_full_queue_answers_503(make_client: Callable[..., TestClient], small_video: bytes) -> None:
    gate = threading.Event()
    c = make_client(FakeEngine(gate=gate), video_workers=1, video_queue=1)
    codes = []
    ids = []
    for i in range(4):
        r = c.post("/api/analyze", files={"file": (f"v{i}.mp4", small_video, "video/mp4")})
        codes.append(r.status_code)
        if r.status_code == 202:
            ids.append(r.json()["job"])
        else:
            assert "try again" in r.json()["detail"] and r.headers["retry-after"]
        time.sleep(0.2)  # let the worker pick up the first job
    assert codes[:2] == [202, 202] and 503 in codes[2:]
    gate.set()
    assert all(wait_job(c, j)["status"] == "done" for j in ids)


# ---------------------------------------------------------------------------------- ownership
def test_results_are_private_to_the_session(client: TestClient, small_video: bytes) -> None:
    photo = client.post("/api/analyze", files={"file": ("a.png", png_bytes(), "image/png")}).json()
    job_id = client.post("/api/analyze", files={"file": ("v.mp4", small_video, "video/mp4")}).json()["job"]
    wait_job(client, job_id)
    other = TestClient(client.app)  # same server, no cookie
    assert other.get(f"/api/jobs/{job_id}").status_code == 404
    assert other.get(photo["annotated_url"]).status_code == 404
    assert other.get(f"/api/sets/{photo['set_id']}").status_code == 404
    assert other.get("/api/sets").json() == []
    assert other.patch(f"/api/sets/{photo['set_id']}", json={"exercise": "squat"}).status_code == 404
    forged = TestClient(client.app, cookies={COOKIE_NAME: client.cookies[COOKIE_NAME][:-2] + "00"})
    assert forged.get(f"/api/sets/{photo['set_id']}").status_code == 404


@pytest.mark.parametrize("url", [
    "/static/../store.py", "/static/%2e%2e/store.py", "/static/", "/static/js/",
    "/api/media/..%2F..%2Fgymvision.sqlite3", "/api/samples/..%2F__init__.py", "/api/samples/README.md",
    "/gymvision.sqlite3", "/uploads/",
])
def test_no_traversal_or_listing(client: TestClient, url: str) -> None:
    r = client.get(url)
    assert r.status_code == 404, (url, r.status_code)


# ---------------------------------------------------------------------------------- session log
def test_correction_and_export(client: TestClient, small_video: bytes) -> None:
    job = wait_job(client, client.post("/api/analyze", files={"file": ("=cmd|calc.mp4", small_video,
                                                                       "video/mp4")}).json()["job"])
    sid = job["set_id"]
    s = client.patch(f"/api/sets/{sid}", json={"exercise": "deadlift"}).json()
    assert s["exercise"] == "deadlift" and s["original_exercise"] == "squat" and s["corrected"]
    assert client.patch(f"/api/sets/{sid}", json={"exercise": "yoga"}).status_code == 422
    s = client.post(f"/api/sets/{sid}/reps", json={"start_s": 2.5, "end_s": 3.1}).json()
    assert s["reps"] == 3 and [r["start_s"] for r in s["rep_events"]] == [0.2, 1.2, 2.5]
    assert client.post(f"/api/sets/{sid}/reps", json={"start_s": 3, "end_s": 2}).status_code == 422
    s = client.delete(f"/api/sets/{sid}/reps/1").json()
    assert s["reps"] == 2 and [r["index"] for r in s["rep_events"]] == [1, 2]
    assert s["rep_events"][0]["start_s"] == 1.2
    assert client.delete(f"/api/sets/{sid}/reps/9").status_code == 404
    client.post("/api/analyze", files={"file": ("b.png", png_bytes(), "image/png")})

    one = client.get(f"/api/sets/{sid}/export?format=csv")
    assert one.status_code == 200 and "attachment" in one.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(one.text)))
    assert len(rows) == 2 and {r["exercise"] for r in rows} == {"deadlift"}
    assert rows[0]["name"].startswith("'=")  # spreadsheet formula neutralised
    every = list(csv.DictReader(io.StringIO(client.get("/api/sets/export?format=csv").text)))
    assert len(every) == 3  # two reps + one photo row
    data = json.loads(client.get("/api/sets/export?format=json").text)
    assert len(data) == 2 and {d["kind"] for d in data} == {"image", "video"}
    assert client.get("/api/sets/export?format=xml").status_code == 422
    assert client.delete(f"/api/sets/{sid}").status_code == 204
    assert client.get(f"/api/sets/{sid}").status_code == 404


def test_restart_keeps_the_log_and_fails_cut_jobs(make_client: Callable[..., TestClient], tmp_path: Path,
                                                  small_video: bytes) -> None:
    data_dir = tmp_path / "persist"
    gate = threading.Event()
    c1 = make_client(FakeEngine(gate=gate), data_dir=data_dir)
    photo = c1.post("/api/analyze", files={"file": ("a.png", png_bytes(), "image/png")}).json()
    job_id = c1.post("/api/analyze", files={"file": ("v.mp4", small_video, "video/mp4")}).json()["job"]
    cookie = c1.cookies[COOKIE_NAME]
    c1.app.state.services.jobs.stop(timeout=0.1)  # simulate a crash mid-job
    c2 = make_client(data_dir=data_dir, wait=False)
    c2.cookies.set(COOKIE_NAME, cookie)
    wait_ready(c2)
    assert [s["id"] for s in c2.get("/api/sets").json()] == [photo["set_id"]]
    job = c2.get(f"/api/jobs/{job_id}").json()
    assert job["status"] == "failed" and "restarted" in job["error"]
    gate.set()


def test_expired_results_are_cleaned_up(client: TestClient) -> None:
    photo = client.post("/api/analyze", files={"file": ("a.png", png_bytes(), "image/png")}).json()
    services = client.app.state.services
    stray = services.uploads.root / "leftover.png"
    stray.write_bytes(b"x")
    assert services.janitor.sweep(now=time.time() + services.settings.upload_ttl_s + 10) >= 2
    assert client.get(photo["annotated_url"]).status_code == 404
    assert not stray.exists()
    s = client.get(f"/api/sets/{photo['set_id']}").json()  # the logged set itself stays
    assert s["media"] is None and s["exercise"] == "squat"


# ---------------------------------------------------------------------------------- live
def test_live_stream_results_save_and_errors(client: TestClient) -> None:
    frame = jpeg_bytes(np.full((480, 640, 3), 128, np.uint8))
    with client.websocket_connect("/ws/live") as ws:
        assert ws.receive_json()["type"] == "ready"
        for i in range(1, 11):
            ws.send_bytes(frame)
            msg = ws.receive_json()
            assert msg["type"] == "frame" and msg["frame"] == i
            assert msg["width"] == 640 and len(msg["landmarks"]) == 33
        assert msg["reps"] == 2
        ws.send_bytes(b"not a jpeg")
        err = ws.receive_json()
        assert err["type"] == "error" and "JPEG" in err["detail"]
        ws.send_text(json.dumps({"type": "save"}))
        saved = ws.receive_json()
        assert saved["type"] == "saved" and saved["set"]["reps"] == 2 and saved["set"]["source"] == "live"
        ws.send_text(json.dumps({"type": "exercise", "exercise": "push-up"}))
        assert ws.receive_json()["exercise"] == "push_up"
    sets = client.get("/api/sets").json()
    assert sets and sets[0]["source"] == "live"


def test_live_latest_frame_wins(make_client: Callable[..., TestClient]) -> None:
    c = make_client(FakeEngine(live_delay=0.15))
    frame = jpeg_bytes(np.zeros((120, 160, 3), np.uint8))
    with c.websocket_connect("/ws/live") as ws:
        ws.receive_json()
        for _ in range(20):
            ws.send_bytes(frame)
        got = []
        while not got or got[-1]["frame"] != 20:
            msg = ws.receive_json()
            if msg["type"] == "frame":
                got.append(msg)
    assert len(got) < 10  # most frames were dropped, not queued
    assert got[-1]["dropped"] == 20 - len(got)


def test_live_stream_limit_and_origin(make_client: Callable[..., TestClient]) -> None:
    from starlette.websockets import WebSocketDisconnect

    c = make_client(max_live_streams=1)
    with c.websocket_connect("/ws/live") as first:
        assert first.receive_json()["type"] == "ready"
        with c.websocket_connect("/ws/live") as second:
            msg = second.receive_json()
            assert msg["type"] == "error" and "Too many" in msg["detail"]
            with pytest.raises(WebSocketDisconnect) as exc:
                second.receive_json()
            assert exc.value.code == 1013
    with pytest.raises(WebSocketDisconnect) as exc, \
            c.websocket_connect("/ws/live", headers={"origin": "http://evil.example"}) as ws:
        ws.receive_json()
    assert exc.value.code == 1008


# ---------------------------------------------------------------------------------- real pipeline
@pytest.fixture(scope="module")
def real_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("real"))
    with TestClient(create_app(settings)) as c:
        wait_ready(c, 120)
        yield c


def test_real_photo_finds_the_person(real_client: TestClient) -> None:
    samples = real_client.get("/api/samples").json()
    assert "astronaut.jpg" in [s["name"] for s in samples]
    assert real_client.get(samples[0]["url"]).status_code == 200
    from gymvision.demo import sample_image_path

    data = sample_image_path().read_bytes()
    r = real_client.post("/api/analyze", files={"file": ("astronaut.jpg", data, "image/jpeg")})
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["error"] is None and d["exercise"] in LABELS and d["people"] == 1
    x1, y1, x2, y2 = d["detections"][0]["bbox"]
    assert 0 <= x1 < x2 <= d["width"] and 0 <= y1 < y2 <= d["height"]
    img = real_client.get(d["annotated_url"])
    assert Image.open(io.BytesIO(img.content)).size == (d["width"], d["height"])
    s = real_client.post("/api/samples/astronaut.jpg/analyze").json()
    assert s["file"] == "astronaut.jpg" and s["people"] == 1
    # the same photo as an iPhone saves it (HEIC): a photo, with the same answer
    from conftest import HEIC_ASTRONAUT

    heic = HEIC_ASTRONAUT.read_bytes()
    h = real_client.post("/api/analyze", files={"file": ("IMG_0001.HEIC", heic, "image/heic")})
    assert h.status_code == 200, h.text
    hd = h.json()
    assert hd["kind"] == "image" and hd["exercise"] == d["exercise"] and hd["people"] == 1
    assert (hd["width"], hd["height"]) == (d["width"], d["height"])


@pytest.mark.slow
def test_real_explain(real_client: TestClient) -> None:
    s = real_client.post("/api/samples/astronaut.jpg/analyze").json()
    job = real_client.post(s["explain_url"]).json()
    res = wait_job(real_client, job["job"], timeout=240)
    assert res["status"] == "done", res["error"]
    e = res["result"]
    assert e["exercise"] in LABELS and e["windows"] > 0
    png = real_client.get(e["heatmap_url"])
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"


@pytest.mark.slow
def test_real_video_job(real_client: TestClient, person_video: Path) -> None:
    data = person_video.read_bytes()
    r = real_client.post("/api/analyze", files={"file": ("person.mp4", data, "video/mp4")})
    assert r.status_code == 202, r.text
    job = wait_job(real_client, r.json()["job"], timeout=240)
    assert job["status"] == "done", job
    res = job["result"]
    assert res["kind"] == "video" and isinstance(res["reps"], int) and res["detections"]
    import av

    media = real_client.get(res["annotated_url"]).content
    with av.open(io.BytesIO(media)) as container:
        assert container.streams.video[0].codec_context.name == "h264"


@pytest.mark.slow
def test_real_video_job_shows_a_clip_stored_sideways_upright(real_client: TestClient, person_video: Path,
                                                             tmp_path: Path) -> None:
    # phones store what they film turned, plus a rotation for the player: here a 640x360 clip stored
    # as 360x640 frames
    import av

    from test_end_to_end import stored_sideways

    turned = tmp_path / "turned.mp4"
    stored_sideways(person_video, turned, -90)
    r = real_client.post("/api/analyze", files={"file": ("turned.mp4", turned.read_bytes(), "video/mp4")})
    assert r.status_code == 202, r.text
    job = wait_job(real_client, r.json()["job"], timeout=240)
    assert job["status"] == "done", job
    res = job["result"]
    assert (res["width"], res["height"]) == (640, 360) and res["detections"]
    x1, y1, x2, y2 = res["detections"][0]["bbox"]
    assert 0 <= x1 < x2 <= 640 and 0 <= y1 < y2 <= 360 and y2 - y1 > x2 - x1  # a standing person
    with av.open(io.BytesIO(real_client.get(res["annotated_url"]).content)) as container:
        ctx = container.streams.video[0].codec_context
        assert ctx.width > ctx.height  # rendered upright: no rotation left for the player to apply


@pytest.mark.slow
def test_real_live_stream_tracks_the_person(real_client: TestClient) -> None:
    from gymvision.demo import person_frames

    frames = [jpeg_bytes(f) for f in person_frames(1.0, fps=15, size=(640, 480))]
    with real_client.websocket_connect("/ws/live") as ws:
        assert ws.receive_json()["type"] == "ready"
        seen = 0
        for i, frame in enumerate(frames, 1):
            ws.send_bytes(frame)
            msg = ws.receive_json()
            assert msg["frame"] == i and msg["exercise"] in LABELS
            seen += msg["landmarks"] is not None
    assert seen >= len(frames) - 2


@pytest.mark.slow
def test_gymvision_serve_command(tmp_path: Path) -> None:
    """The README's command: `gymvision serve` binds loopback, answers /health, stops on Ctrl-C."""
    import signal
    import socket
    import subprocess
    import sys

    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-c", "from gymvision.cli import main; main()", "serve",
                             "--port", str(port), "--data-dir", str(tmp_path), "--pose-model", "lite"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 120
        status = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
                status = r.json()
                if r.status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        assert status and status["models_loaded"] and status["pose_model"] == "lite", status
        assert "GymVision" in httpx.get(f"http://127.0.0.1:{port}/").text
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out
    assert f"http://127.0.0.1:{port}" in out
    assert (tmp_path / "gymvision.sqlite3").exists()
