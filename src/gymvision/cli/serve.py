"""``gymvision serve``: the web app (photos, videos, live webcam coaching, session log) on uvicorn."""

from __future__ import annotations

import logging
from pathlib import Path

import typer


def serve(
    host: str | None = typer.Option(None, "--host", help="Interface to bind (default 127.0.0.1, "
                                    "GYMVISION_HOST). Use 0.0.0.0 only behind a trusted network."),
    port: int | None = typer.Option(None, "--port", help="Port (default 8000, GYMVISION_PORT)."),
    pose_model: str | None = typer.Option(None, "--pose-model", help="BlazePose model: lite, full "
                                          "or heavy (default full)."),
    data_dir: Path | None = typer.Option(None, "--data-dir", help="Where the session log, uploads and "
                                         "results are kept (default ~/.gymvision)."),
    model: Path | None = typer.Option(None, "--model", help="Recogniser model file (.joblib)."),
    detector: str | None = typer.Option(None, "--detector", help="Optional detector, e.g. yolo-onnx:PATH."),
    video_workers: int | None = typer.Option(None, "--video-workers", min=1, help="Videos analysed at once."),
    max_upload_mb: int | None = typer.Option(None, "--max-upload-mb", min=1, help="Largest upload (MB)."),
    ttl: int | None = typer.Option(None, "--ttl", min=60, help="Seconds before uploads and results expire."),
    log_level: str = typer.Option("info", "--log-level", help="debug, info, warning or error."),
) -> None:
    """Start the web app (open http://127.0.0.1:8000 in a browser)."""
    import uvicorn
    from pydantic import ValidationError

    from ..settings import Settings
    from ..web import create_app

    overrides = {"host": host, "port": port, "pose_model": pose_model, "data_dir": data_dir,
                 "recognizer_path": model, "detector": detector, "video_workers": video_workers,
                 "max_upload_mb": max_upload_mb, "upload_ttl_s": ttl}
    try:
        settings = Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        msgs = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise typer.BadParameter(msgs) from None
    level = getattr(logging, log_level.upper(), logging.INFO)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True)
    typer.echo(f"GymVision on http://{settings.host}:{settings.port}  (data: {settings.data_dir})")
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level=log_level.lower(),
                ws_max_size=settings.max_live_frame_kb * 1024 + 4096, proxy_headers=False,
                server_header=False)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("serve")(serve)
