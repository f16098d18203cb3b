"""SQLite session log: analysed sets (with reps), video jobs and stored media, per owner.

One connection per call (stdlib ``sqlite3``, WAL mode), so the store is safe to use from the event
loop's thread pool, video workers and live streams at the same time. Nothing is cached in memory:
restarting the server loses no logged set.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..exercises import LABELS

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS sets (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    created REAL NOT NULL,
    source TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    exercise TEXT NOT NULL,
    confidence REAL NOT NULL,
    original_exercise TEXT NOT NULL,
    corrected INTEGER NOT NULL DEFAULT 0,
    reps_json TEXT NOT NULL,
    advice_json TEXT NOT NULL,
    result_json TEXT NOT NULL,
    media_id TEXT
);
CREATE INDEX IF NOT EXISTS sets_owner ON sets(owner, created);
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    created REAL NOT NULL,
    updated REAL NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    progress REAL NOT NULL DEFAULT 0,
    error TEXT,
    result_json TEXT,
    set_id TEXT
);
CREATE TABLE IF NOT EXISTS media (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    path TEXT NOT NULL,
    mime TEXT NOT NULL,
    created REAL NOT NULL
);
"""

#: Columns of the CSV export, one row per rep (a set without reps gives one row with empty rep cells).
CSV_COLUMNS = ("set_id", "created", "source", "name", "kind", "exercise", "original_exercise",
               "corrected", "confidence", "reps", "rep_index", "start_s", "turn_s", "end_s",
               "eccentric_s", "concentric_s", "rom_deg", "cues")


def new_id() -> str:
    """A random, unguessable id (128 bits, URL-safe)."""
    return secrets.token_urlsafe(16)


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds")


def _csv_safe(value: Any) -> Any:
    """Neutralise spreadsheet formulas in user-controlled text cells (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@dataclass
class SetRecord:
    """One analysed set as logged (after any user correction)."""

    id: str
    owner: str
    created: float
    source: str
    name: str
    kind: str
    exercise: str
    confidence: float
    original_exercise: str
    corrected: bool
    reps: list[dict[str, Any]]
    advice: list[str]
    result: dict[str, Any] = field(repr=False)
    media_id: str | None = None

    def to_dict(self, detail: bool = True) -> dict[str, Any]:
        d: dict[str, Any] = {
            "id": self.id, "created": _iso(self.created), "source": self.source, "name": self.name,
            "kind": self.kind, "exercise": self.exercise, "confidence": round(self.confidence, 4),
            "original_exercise": self.original_exercise, "corrected": self.corrected,
            "reps": len(self.reps), "media": f"/api/media/{self.media_id}" if self.media_id else None,
        }
        if detail:
            d["rep_events"] = self.reps
            d["advice"] = self.advice
            d["result"] = self.result
        return d


@dataclass
class JobRecord:
    """A video analysis job as persisted."""

    id: str
    owner: str
    created: float
    updated: float
    name: str
    status: str  # queued | running | done | failed
    progress: float
    error: str | None
    result: dict[str, Any] | None
    set_id: str | None


class NotFound(KeyError):
    """No such record for this owner."""


class Store:
    """The SQLite database under ``data_dir`` (sets, jobs, media)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._write_lock = threading.Lock()
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        db.row_factory = sqlite3.Row
        try:
            db.execute("PRAGMA synchronous=NORMAL")
            yield db
        finally:
            db.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._write_lock, self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    # ---- sets ---------------------------------------------------------------------------------
    def add_set(self, owner: str, *, source: str, name: str, result: dict[str, Any],
                media_id: str | None = None, reps: list[dict[str, Any]] | None = None) -> SetRecord:
        """Log one analysed set from a result object (the ``analyze --json`` dict)."""
        rec = SetRecord(
            id=new_id(), owner=owner, created=time.time(), source=source, name=name,
            kind=str(result.get("kind") or "image"), exercise=str(result.get("exercise") or "unknown"),
            confidence=float(result.get("confidence") or 0.0),
            original_exercise=str(result.get("exercise") or "unknown"), corrected=False,
            reps=list(reps if reps is not None else result.get("rep_events") or []),
            advice=list(result.get("advice") or []), result=result, media_id=media_id)
        with self._write() as db:
            db.execute(
                "INSERT INTO sets (id, owner, created, source, name, kind, exercise, confidence,"
                " original_exercise, corrected, reps_json, advice_json, result_json, media_id)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (rec.id, owner, rec.created, source, name, rec.kind, rec.exercise, rec.confidence,
                 rec.original_exercise, 0, json.dumps(rec.reps), json.dumps(rec.advice),
                 json.dumps(result), media_id))
        return rec

    @staticmethod
    def _set_from_row(row: sqlite3.Row) -> SetRecord:
        return SetRecord(
            id=row["id"], owner=row["owner"], created=row["created"], source=row["source"],
            name=row["name"], kind=row["kind"], exercise=row["exercise"], confidence=row["confidence"],
            original_exercise=row["original_exercise"], corrected=bool(row["corrected"]),
            reps=json.loads(row["reps_json"]), advice=json.loads(row["advice_json"]),
            result=json.loads(row["result_json"]), media_id=row["media_id"])

    def get_set(self, owner: str, set_id: str) -> SetRecord:
        with self._connect() as db:
            row = db.execute("SELECT * FROM sets WHERE id=? AND owner=?", (set_id, owner)).fetchone()
        if row is None:
            raise NotFound(set_id)
        return self._set_from_row(row)

    def list_sets(self, owner: str, limit: int = 500) -> list[SetRecord]:
        with self._connect() as db:
            rows = db.execute("SELECT * FROM sets WHERE owner=? ORDER BY created DESC LIMIT ?",
                              (owner, limit)).fetchall()
        return [self._set_from_row(r) for r in rows]

    def delete_set(self, owner: str, set_id: str) -> None:
        with self._write() as db:
            if db.execute("DELETE FROM sets WHERE id=? AND owner=?", (set_id, owner)).rowcount == 0:
                raise NotFound(set_id)

    def _update_set(self, owner: str, set_id: str, **cols: Any) -> SetRecord:
        with self._write() as db:
            assign = ", ".join(f"{k}=?" for k in cols)
            cur = db.execute(f"UPDATE sets SET {assign}, corrected=1 WHERE id=? AND owner=?",
                             (*cols.values(), set_id, owner))
            if cur.rowcount == 0:
                raise NotFound(set_id)
        return self.get_set(owner, set_id)

    def correct_exercise(self, owner: str, set_id: str, exercise: str) -> SetRecord:
        """Change the exercise of a set (the original prediction is kept for evaluation)."""
        if exercise not in LABELS:
            raise ValueError(f"unknown exercise {exercise!r}; expected one of {', '.join(LABELS)}")
        return self._update_set(owner, set_id, exercise=exercise)

    def remove_rep(self, owner: str, set_id: str, index: int) -> SetRecord:
        """Delete rep number ``index`` (1-based) and renumber the rest."""
        rec = self.get_set(owner, set_id)
        if not any(r.get("index") == index for r in rec.reps):
            raise NotFound(f"{set_id}/reps/{index}")
        reps = [dict(r) for r in rec.reps if r.get("index") != index]
        for i, r in enumerate(reps, 1):
            r["index"] = i
        return self._update_set(owner, set_id, reps_json=json.dumps(reps))

    def add_rep(self, owner: str, set_id: str, start_s: float, end_s: float,
                turn_s: float | None = None, rom_deg: float | None = None) -> SetRecord:
        """Add a rep the analysis missed; reps are kept in time order and renumbered."""
        if not end_s > start_s >= 0:
            raise ValueError("a rep needs 0 <= start_s < end_s")
        turn = (start_s + end_s) / 2 if turn_s is None else turn_s
        if not start_s <= turn <= end_s:
            raise ValueError("turn_s must lie between start_s and end_s")
        rec = self.get_set(owner, set_id)
        rep = {"index": 0, "start_s": round(start_s, 3), "turn_s": round(turn, 3),
               "end_s": round(end_s, 3), "rom_deg": None if rom_deg is None else round(rom_deg, 1),
               "eccentric_s": round(turn - start_s, 3), "concentric_s": round(end_s - turn, 3),
               "cues": [], "added_by_user": True}
        reps = sorted([*rec.reps, rep], key=lambda r: float(r.get("start_s") or 0.0))
        for i, r in enumerate(reps, 1):
            r["index"] = i
        return self._update_set(owner, set_id, reps_json=json.dumps(reps))

    # ---- export -------------------------------------------------------------------------------
    @staticmethod
    def export_json(sets: list[SetRecord]) -> str:
        return json.dumps([s.to_dict(detail=True) for s in sets], indent=1)

    @staticmethod
    def export_csv(sets: list[SetRecord]) -> str:
        out = io.StringIO()
        w = csv.writer(out)
        w.writerow(CSV_COLUMNS)
        for s in sets:
            head = [s.id, _iso(s.created), s.source, s.name, s.kind, s.exercise, s.original_exercise,
                    int(s.corrected), round(s.confidence, 4), len(s.reps)]
            rows = s.reps or [None]
            for r in rows:
                tail: list[Any] = [""] * 8 if r is None else [
                    r.get("index"), r.get("start_s"), r.get("turn_s"), r.get("end_s"),
                    r.get("eccentric_s"), r.get("concentric_s"), r.get("rom_deg"),
                    "; ".join(r.get("cues") or [])]
                w.writerow([_csv_safe(v) for v in head + tail])
        return out.getvalue()

    # ---- jobs ---------------------------------------------------------------------------------
    def add_job(self, owner: str, name: str) -> JobRecord:
        now = time.time()
        job = JobRecord(new_id(), owner, now, now, name, "queued", 0.0, None, None, None)
        with self._write() as db:
            db.execute("INSERT INTO jobs (id, owner, created, updated, name, status, progress)"
                       " VALUES (?,?,?,?,?,?,?)", (job.id, owner, now, now, name, "queued", 0.0))
        return job

    def update_job(self, job_id: str, *, status: str, progress: float | None = None,
                   error: str | None = None, result: dict[str, Any] | None = None,
                   set_id: str | None = None) -> None:
        with self._write() as db:
            db.execute(
                "UPDATE jobs SET status=?, progress=COALESCE(?, progress), error=?, updated=?,"
                " result_json=COALESCE(?, result_json), set_id=COALESCE(?, set_id) WHERE id=?",
                (status, progress, error, time.time(), None if result is None else json.dumps(result),
                 set_id, job_id))

    def get_job(self, owner: str, job_id: str) -> JobRecord:
        with self._connect() as db:
            row = db.execute("SELECT * FROM jobs WHERE id=? AND owner=?", (job_id, owner)).fetchone()
        if row is None:
            raise NotFound(job_id)
        return JobRecord(row["id"], row["owner"], row["created"], row["updated"], row["name"],
                         row["status"], row["progress"], row["error"],
                         json.loads(row["result_json"]) if row["result_json"] else None, row["set_id"])

    def fail_unfinished_jobs(self, message: str) -> int:
        """Mark jobs left queued/running by a previous server process as failed."""
        with self._write() as db:
            return db.execute("UPDATE jobs SET status='failed', error=?, updated=? WHERE status IN"
                              " ('queued', 'running')", (message, time.time())).rowcount

    # ---- media --------------------------------------------------------------------------------
    def add_media(self, owner: str, path: Path, mime: str) -> str:
        media_id = new_id()
        with self._write() as db:
            db.execute("INSERT INTO media (id, owner, path, mime, created) VALUES (?,?,?,?,?)",
                       (media_id, owner, str(path), mime, time.time()))
        return media_id

    def get_media(self, owner: str, media_id: str) -> tuple[Path, str]:
        with self._connect() as db:
            row = db.execute("SELECT path, mime FROM media WHERE id=? AND owner=?",
                             (media_id, owner)).fetchone()
        if row is None:
            raise NotFound(media_id)
        return Path(row["path"]), row["mime"]

    def expire(self, older_than: float) -> list[Path]:
        """Forget media and finished jobs created before ``older_than``; return the media paths."""
        with self._write() as db:
            rows = db.execute("SELECT path FROM media WHERE created < ?", (older_than,)).fetchall()
            db.execute("UPDATE sets SET media_id=NULL WHERE media_id IN"
                       " (SELECT id FROM media WHERE created < ?)", (older_than,))
            db.execute("DELETE FROM media WHERE created < ?", (older_than,))
            db.execute("DELETE FROM jobs WHERE updated < ? AND status IN ('done', 'failed')",
                       (older_than,))
        return [Path(r["path"]) for r in rows]
