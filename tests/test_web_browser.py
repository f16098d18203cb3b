"""End-to-end: headless Debian Chromium (Playwright) against a real `gymvision serve` app.

Uploads a photo and a video and sees the results, starts the webcam with Chromium's fake capture
device fed from a generated clip of a real person and sees the overlay and fps update, then checks
the history page. Screenshots are kept under ``test-artifacts/`` (git-ignored).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest
from playwright.sync_api import BrowserContext

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_y4m(path: Path, frames: Iterator[np.ndarray], fps: int = 30) -> Path:
    """A raw 4:2:0 YUV4MPEG2 clip, the format Chromium's fake capture device reads."""
    import cv2

    with path.open("wb") as f:
        header_written = False
        for rgb in frames:
            h, w = rgb.shape[:2]
            if not header_written:
                f.write(f"YUV4MPEG2 W{w} H{h} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
                header_written = True
            f.write(b"FRAME\n")
            f.write(cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV_I420).tobytes())
    return path


WEBCAM_FPS = 15


def webcam_frames(seconds: float = 7.0) -> Iterator[np.ndarray]:
    """What the fake camera shows: the shipped mannequin squat video if present (two or three
    reps), else the shipped photo of a real person drifting over a backdrop."""
    from gymvision.demo import person_frames, sample_image_path
    from gymvision.media import iter_frames

    video = sample_image_path("demo_squat.mp4")
    if not video.exists():
        yield from person_frames(2.0, fps=WEBCAM_FPS, size=(640, 480))
        return
    for vf in iter_frames(video, sample_fps=WEBCAM_FPS, size=(640, 480)):
        if vf.t > seconds:
            break
        assert vf.rgb is not None
        yield vf.rgb


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real app on a free loopback port, in a uvicorn thread; stopped afterwards."""
    import uvicorn

    from gymvision.settings import Settings
    from gymvision.web import create_app

    port = free_port()
    settings = Settings(data_dir=tmp_path_factory.mktemp("web-e2e"), host="127.0.0.1", port=port)
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            r = httpx.get(f"{base}/health", timeout=2)
            if r.status_code == 200:
                break
            if r.json().get("status") == "error":
                srv.should_exit = True
                pytest.fail(f"server cannot load its models: {r.json().get('error')}")
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    else:
        srv.should_exit = True
        pytest.fail("server did not become ready")
    yield base
    srv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    if not CHROMIUM.exists():
        pytest.fail("Debian chromium not installed: run scripts/install.sh --test")
    from playwright.sync_api import sync_playwright

    tmp = tmp_path_factory.mktemp("chromium")
    clip = write_y4m(tmp / "clip.y4m", webcam_frames(), fps=WEBCAM_FPS)
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(
            str(tmp / "profile"), executable_path=str(CHROMIUM), headless=True,
            viewport={"width": 1280, "height": 900},
            bypass_csp=True,  # Playwright's wait_for_function evaluates strings; the app forbids eval
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                  f"--use-file-for-fake-video-capture={clip}"])
        yield ctx
        ctx.close()


def test_photo_video_live_and_history(server: str, browser_context: BrowserContext,
                                      person_video: Path) -> None:
    from gymvision.demo import sample_image_path

    page = browser_context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    # photo upload
    page.goto(f"{server}/#photo")
    page.wait_for_selector("body[data-ready='true']", timeout=60_000)
    page.set_input_files("#photo-input", str(sample_image_path()))
    page.wait_for_selector("body[data-photo-done]", timeout=60_000)
    assert page.inner_text("#photo-exercise-name").strip()
    assert "confidence" in page.inner_text("#photo-conf")
    assert page.eval_on_selector("#photo-img", "img => img.complete && img.naturalWidth") > 0
    assert page.locator("#samples button").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "web_photo.png"), full_page=True)
    page.click("#photo-explain")  # occlusion-sensitivity explanation of the prediction
    page.wait_for_selector("#explain-box:not([hidden])", timeout=180_000)
    assert page.eval_on_selector("#explain-img", "img => img.complete && img.naturalWidth") > 0
    page.screenshot(path=str(ARTIFACTS / "web_photo_explain.png"), full_page=True)

    # video upload: upload bar, processing bar, then the annotated video, rep table and chart
    page.goto(f"{server}/#video")
    page.set_input_files("#video-input", str(person_video))
    page.wait_for_selector("body[data-video-done]", timeout=180_000)
    assert page.eval_on_selector("#upload-progress", "p => p.value") == 1
    page.wait_for_function("document.querySelector('#video-player').readyState >= 2", timeout=30_000)
    assert page.eval_on_selector("#video-player", "v => v.videoWidth") > 0
    assert page.locator("#video-reps-body tr").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "web_video.png"), full_page=True)

    # live webcam through the fake capture device
    page.goto(f"{server}/#live")
    page.select_option("#live-exercise", "squat")  # count reps without waiting for recognition
    page.click("#live-start")
    page.wait_for_function("Number(document.body.dataset.liveFrames || 0) >= 15", timeout=60_000)
    page.wait_for_function("Number(document.getElementById('live-fps').textContent) > 0", timeout=10_000)
    assert int(page.inner_text("#live-cam-fps")) > 0
    drawn = page.evaluate("""() => {
        const c = document.getElementById('live-overlay');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
        return n; }""")
    assert drawn > 1000, "nothing drawn over the live video"
    page.screenshot(path=str(ARTIFACTS / "web_live.png"))
    fps = int(page.inner_text("#live-fps"))
    page.wait_for_timeout(8000)  # let the clip play through a few reps
    reps = int(page.inner_text("#live-reps"))
    assert page.locator("#live-rep-list li:not(.muted)").count() == reps
    page.screenshot(path=str(ARTIFACTS / "web_live_reps.png"))
    page.click("#live-stop")

    # history lists the analysed sets; a set opens with its export links
    page.goto(f"{server}/#history")
    page.wait_for_selector("#sets-body tr", timeout=10_000)
    assert page.locator("#sets-body tr").count() >= 2
    page.locator("#sets-body button").first.click()
    page.wait_for_selector("#set-detail:not([hidden])")
    assert "format=csv" in page.get_attribute("#set-export-csv", "href")
    page.screenshot(path=str(ARTIFACTS / "web_history.png"), full_page=True)
    assert not errors, errors
    print(f"live overlay at {fps} processed fps in headless Chromium, {reps} reps counted")
