"""The session log: list, inspect, correct, delete and export analysed sets."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, Field

from ..errors import ApiError
from ..services import Services, get_owner, get_services
from ..store import NotFound, SetRecord

router = APIRouter(prefix="/api/sets", tags=["sessions"])

Format = Literal["csv", "json"]


class ExerciseCorrection(BaseModel):
    """The right exercise for a set."""

    exercise: str = Field(..., examples=["squat"])


class RepIn(BaseModel):
    """A rep the analysis missed (seconds from the start of the video)."""

    start_s: float = Field(..., ge=0)
    end_s: float = Field(..., gt=0)
    turn_s: float | None = None
    rom_deg: float | None = None


def _missing() -> ApiError:
    return ApiError(404, "No such set in this browser session's log.")


def _export(sets: list[SetRecord], fmt: Format, stem: str, services: Services) -> Response:
    if fmt == "csv":
        body, mime = services.store.export_csv(sets), "text/csv; charset=utf-8"
    else:
        body, mime = services.store.export_json(sets), "application/json"
    return Response(body, media_type=mime,
                    headers={"Content-Disposition": f'attachment; filename="{stem}.{fmt}"'})


@router.get("")
def list_sets(services: Services = Depends(get_services),
              owner: str = Depends(get_owner)) -> list[dict[str, Any]]:
    """This browser session's logged sets, newest first."""
    return [s.to_dict(detail=False) for s in services.store.list_sets(owner)]


@router.get("/export")
def export_all(format: Format = Query("csv"), services: Services = Depends(get_services),
               owner: str = Depends(get_owner)) -> Response:
    """Every set of this session: CSV (one row per rep) or JSON."""
    return _export(services.store.list_sets(owner, limit=100_000), format, "gymvision-sets", services)


@router.get("/{set_id}")
def get_set(set_id: str, services: Services = Depends(get_services),
            owner: str = Depends(get_owner)) -> dict[str, Any]:
    """One set with its reps, advice and the full result object."""
    try:
        return services.store.get_set(owner, set_id).to_dict()
    except NotFound:
        raise _missing() from None


@router.get("/{set_id}/export")
def export_one(set_id: str, format: Format = Query("csv"), services: Services = Depends(get_services),
               owner: str = Depends(get_owner)) -> Response:
    """One set as CSV (one row per rep) or JSON."""
    try:
        rec = services.store.get_set(owner, set_id)
    except NotFound:
        raise _missing() from None
    return _export([rec], format, f"gymvision-set-{set_id[:8]}", services)


@router.patch("/{set_id}")
async def correct_exercise(set_id: str, body: ExerciseCorrection, services: Services = Depends(get_services),
                           owner: str = Depends(get_owner)) -> dict[str, Any]:
    """Correct the exercise of a set (the original prediction is kept)."""
    from ...exercises import normalise_name

    try:
        exercise = normalise_name(body.exercise)
    except ValueError as exc:
        raise ApiError(422, str(exc)) from None
    try:
        return (await run_in_threadpool(services.store.correct_exercise, owner, set_id, exercise)).to_dict()
    except NotFound:
        raise _missing() from None


@router.post("/{set_id}/reps", status_code=201)
async def add_rep(set_id: str, rep: RepIn, services: Services = Depends(get_services),
                  owner: str = Depends(get_owner)) -> dict[str, Any]:
    """Add a missed rep; reps are renumbered in time order."""
    try:
        rec = await run_in_threadpool(services.store.add_rep, owner, set_id, rep.start_s, rep.end_s,
                                      rep.turn_s, rep.rom_deg)
    except NotFound:
        raise _missing() from None
    except ValueError as exc:
        raise ApiError(422, str(exc)) from None
    return rec.to_dict()


@router.delete("/{set_id}/reps/{index}")
async def remove_rep(set_id: str, index: int, services: Services = Depends(get_services),
                     owner: str = Depends(get_owner)) -> dict[str, Any]:
    """Remove a wrongly counted rep (1-based index); the rest are renumbered."""
    try:
        return (await run_in_threadpool(services.store.remove_rep, owner, set_id, index)).to_dict()
    except NotFound:
        raise ApiError(404, f"No rep {index} in this set.") from None


@router.delete("/{set_id}", status_code=204)
async def delete_set(set_id: str, services: Services = Depends(get_services),
                     owner: str = Depends(get_owner)) -> Response:
    """Delete a set from the log."""
    try:
        await run_in_threadpool(services.store.delete_set, owner, set_id)
    except NotFound:
        raise _missing() from None
    return Response(status_code=204)
