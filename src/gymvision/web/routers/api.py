"""The JSON API mirroring ``gymvision analyze --json``: analyse, jobs, media, samples, health."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, File, Form, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse

from ...exercises import COLOURS_BGR, EXERCISES, LABELS
from ...landmarks import SKELETON
from ..analysis import display_name, parse_exercise
from ..errors import ApiError
from ..services import Services, get_owner, get_services
from ..store import NotFound
from ..uploads import ACCEPTED, IMAGE_TYPES, VIDEO_TYPES

router = APIRouter(tags=["analysis"])

_PHOTO_OR_JOB = {
    200: {"description": "A photo's result object (as `gymvision analyze --json`)."},
    202: {"description": "A video was queued: `{\"job\": ID}`; poll `GET /api/jobs/ID`."},
    413: {"description": "File too large (bytes, pixels or duration)."},
    415: {"description": "Not an accepted photo or video format (judged from the content)."},
    422: {"description": "The file is damaged or the request is malformed."},
    503: {"description": "Models still loading, or too much work queued; retry later."},
}


@router.get("/health", tags=["meta"])
async def health(services: Services = Depends(get_services)) -> JSONResponse:
    """200 once the models are loaded, 503 before (or if loading failed)."""
    eng = services.engines
    body: dict[str, Any] = {"status": "ok" if eng.ready else ("error" if eng.error else "loading"),
                            "models_loaded": eng.ready, "pose_model": services.settings.pose_model,
                            "live_streams": services.live.active, "queued_jobs": services.jobs.depth}
    if eng.error:
        body["error"] = eng.error
    return JSONResponse(body, status_code=200 if eng.ready else 503)


@router.get("/api/meta", tags=["meta"])
async def meta(services: Services = Depends(get_services)) -> dict[str, Any]:
    """What the pages need: exercise names, skeleton edges, accepted types and limits."""
    s = services.settings
    return {"exercises": list(EXERCISES), "labels": list(LABELS),
            "skeleton": [[int(a), int(b)] for a, b in SKELETON],
            "colours": {k: "#{2:02x}{1:02x}{0:02x}".format(*v) for k, v in COLOURS_BGR.items()},
            "image_types": sorted(IMAGE_TYPES), "video_types": sorted(VIDEO_TYPES), "accepted": ACCEPTED,
            "max_upload_mb": s.max_upload_mb, "max_video_seconds": s.max_video_seconds,
            "upload_ttl_s": s.upload_ttl_s, "max_live_frame_kb": s.max_live_frame_kb}


@router.post("/api/analyze", responses=_PHOTO_OR_JOB, response_model=None)
async def analyze(file: UploadFile = File(..., description="A photo (png/jpg/webp/heic) or a video "
                                          "(mp4/mov/avi/mkv/webm); the type is read from the content."),
                  exercise: str | None = Form(None, description="Force the exercise (skip recognition)."),
                  services: Services = Depends(get_services),
                  owner: str = Depends(get_owner)) -> dict[str, Any] | JSONResponse:
    """Analyse a photo (answered directly) or queue a video (answered with `{"job": ID}`)."""
    forced = parse_exercise(exercise)
    services.engines.get()  # 503 before storing anything while the models load
    name = display_name(file.filename)
    path, ftype = await run_in_threadpool(services.uploads.save, file.file)
    try:
        if ftype.kind == "image":
            return await services.photos.analyze(owner, path, name, exercise=forced, mime=ftype.mime)
        await run_in_threadpool(services.jobs.validate, path)
        job_id = services.jobs.submit(owner, path, name, exercise=forced)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return JSONResponse({"job": job_id, "status": "queued", "status_url": f"/api/jobs/{job_id}"},
                        status_code=202)


@router.get("/api/jobs/{job_id}")
def job_status(job_id: str, services: Services = Depends(get_services),
               owner: str = Depends(get_owner)) -> dict[str, Any]:
    """`status` (queued/running/done/failed), `progress` (0–1) and, when done, `result`."""
    return services.jobs.get(owner, job_id)


@router.get("/api/media/{media_id}", response_class=FileResponse)
def media(media_id: str, services: Services = Depends(get_services),
          owner: str = Depends(get_owner)) -> FileResponse:
    """An annotated image or video (only for the session that created it; expires after the TTL)."""
    try:
        path, mime = services.store.get_media(owner, media_id)
    except NotFound:
        raise ApiError(404, "No such file (results expire, and are visible only to the browser "
                            "session that created them).") from None
    if not path.is_file():
        raise ApiError(404, "This result has expired.")
    return FileResponse(path, media_type=mime, headers={"Cache-Control": "private, max-age=3600"})


@router.get("/api/samples", tags=["samples"])
def samples(services: Services = Depends(get_services)) -> list[dict[str, str]]:
    """Sample photos and videos shipped with GymVision."""
    return [{"name": n, "kind": k, "url": f"/api/samples/{n}"} for n, k in services.samples.listing().items()]


@router.get("/api/samples/{name}", tags=["samples"], response_class=FileResponse)
def sample_file(name: str, services: Services = Depends(get_services)) -> FileResponse:
    """One sample file (only names from the listing are served)."""
    path, _kind = services.samples.path(name)
    return FileResponse(path, headers={"Cache-Control": "public, max-age=86400"})


@router.post("/api/samples/{name}/analyze", tags=["samples"], response_model=None,
             responses={202: {"description": "A sample video was queued: `{\"job\": ID}`."}})
async def analyze_sample(name: str, exercise: str | None = None, services: Services = Depends(get_services),
                         owner: str = Depends(get_owner)) -> dict[str, Any] | JSONResponse:
    """Analyse a sample as if it had been uploaded: a photo's result, or `{"job": ID}` for a video."""
    forced = parse_exercise(exercise)
    sample, kind = services.samples.path(name)
    ext = "jpg" if sample.suffix.lower() in (".jpg", ".jpeg") else sample.suffix.lower().lstrip(".")
    services.engines.get()
    path = await run_in_threadpool(services.uploads.copy_in, sample, ext)
    try:
        if kind == "image":
            return await services.photos.analyze(owner, path, name, exercise=forced, source="sample",
                                                 mime=IMAGE_TYPES[ext])
        job_id = services.jobs.submit(owner, path, name, exercise=forced, source="sample")
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return JSONResponse({"job": job_id, "status": "queued", "status_url": f"/api/jobs/{job_id}"},
                        status_code=202)


@router.post("/api/explain/{source_id}", status_code=202, responses={404: {"description": "Unknown or "
             "expired photo."}, 503: {"description": "Too much work queued; retry later."}})
def explain(source_id: str, services: Services = Depends(get_services),
            owner: str = Depends(get_owner)) -> dict[str, Any]:
    """Queue an occlusion-sensitivity explanation of an analysed photo (its `explain_url`).

    Answers `{"job": ID}`; the job's result has `heatmap_url`, the explained exercise and the pose
    features that drove the decision (`attributions`).
    """
    job_id = services.jobs.submit_explain(owner, source_id)
    return {"job": job_id, "status": "queued", "status_url": f"/api/jobs/{job_id}"}
