"""One typed settings object for every interface; values come from ``GYMVISION_*`` env vars."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PoseModel = Literal["lite", "full", "heavy"]


class Settings(BaseSettings):
    """Runtime configuration (see README, "Configuration")."""

    model_config = SettingsConfigDict(env_prefix="GYMVISION_", extra="ignore")

    pose_model: PoseModel = "full"
    #: Folder holding the lite/heavy landmark models fetched by scripts/install.sh.
    model_dir: Path | None = None
    #: Recogniser model file (.joblib); None uses the one shipped in the package.
    recognizer_path: Path | None = None
    #: Optional detector backend, e.g. "yolo-onnx:/path/model.onnx".
    detector: str | None = None
    min_detection_confidence: float = Field(0.5, ge=0.0, le=1.0)
    min_tracking_confidence: float = Field(0.5, ge=0.0, le=1.0)
    #: Below this confidence the exercise is reported as "unknown".
    unknown_threshold: float = Field(0.55, ge=0.0, le=1.0)
    #: Frames per second at which video is run through the pose model (others are decoded only).
    analysis_fps: float = Field(15.0, gt=0.0, le=120.0)
    #: Longest image side fed to the pose model; bigger inputs are downscaled first.
    max_side: int = Field(1280, ge=128, le=8192)
    #: Longest side of video frames fed to the pose model (decoded straight to this size).
    video_pose_side: int = Field(640, ge=128, le=4096)
    #: Longest side of annotated output videos.
    render_max_side: int = Field(1280, ge=128, le=4096)
    #: Largest image accepted (pixels), to refuse decompression bombs.
    max_image_pixels: int = 80_000_000
    #: Longest video analysed, in seconds.
    max_video_seconds: float = 1800.0

    # web app
    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = Path.home() / ".gymvision"
    max_upload_mb: int = 200
    upload_ttl_s: int = 3600
    video_workers: int = 1
    video_queue: int = 32
    max_live_streams: int = 4
    #: Threads analysing uploaded photos (each holds its own pose graph).
    image_workers: int = Field(1, ge=1, le=16)
    #: Photo requests allowed to wait for a free photo worker before answering 503.
    image_queue: int = Field(16, ge=1, le=1024)
    #: Largest live webcam frame accepted over the WebSocket (JPEG bytes).
    max_live_frame_kb: int = Field(2048, ge=16, le=65536)
    #: How often expired uploads and results are swept (seconds).
    cleanup_interval_s: int = Field(300, ge=1, le=86400)
