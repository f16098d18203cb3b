"""Train a YOLO exercise detector with the original GymVision's recipe (Ultralytics, imported lazily).

Defaults follow the original project's ablation: SGD, 896 px images, moderate mosaic (0.5, off for
the last 10 epochs), starting from ``yolov8s.yaml`` (built from scratch; no weights download) or
from weights the user supplies. Everything is checked before training starts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .data import DataSpec, check_data_yaml
from .env import import_ultralytics
from .models import check_model_source, load_yolo

log = logging.getLogger(__name__)

EpochCallback = Callable[[int, int, dict[str, float]], None]


@dataclass
class TrainConfig:
    """Training options (the defaults are the original GymVision's)."""

    model: str = "yolov8s.yaml"
    epochs: int = 100
    imgsz: int = 896
    batch: int = 16
    optimizer: str = "SGD"
    lr0: float = 0.01
    momentum: float = 0.937
    mosaic: float = 0.5
    close_mosaic: int = 10
    patience: int = 50
    seed: int = 0
    device: str = "cpu"
    workers: int = 0
    project: Path = Path("runs/yolo")
    name: str = "train"
    exist_ok: bool = False
    plots: bool = True
    warmup_epochs: float = 3.0
    extra: dict[str, Any] = field(default_factory=dict)

    def check(self) -> None:
        if self.epochs < 1:
            raise ValueError("epochs must be at least 1")
        if self.imgsz < 32 or self.imgsz % 32:
            raise ValueError(f"imgsz must be a multiple of 32 (the network stride), got {self.imgsz}")
        if self.batch < 1:
            raise ValueError("batch must be at least 1")
        if not 0.0 <= self.mosaic <= 1.0:
            raise ValueError("mosaic is a probability in [0, 1]")
        if self.optimizer not in {"SGD", "Adam", "AdamW", "NAdam", "RAdam", "RMSProp", "MuSGD", "auto"}:
            raise ValueError(f"unknown optimizer {self.optimizer!r}; the original found SGD best")


@dataclass
class TrainResult:
    run_dir: Path
    best: Path
    last: Path
    metrics: dict[str, Any]
    report: dict[str, Path] = field(default_factory=dict)
    data_yaml: Path | None = None


def prepare(data_yaml: Path | str, cfg: TrainConfig) -> tuple[DataSpec, str]:
    """All the checks that must pass before training: options, data set, model source (fast)."""
    cfg.check()
    spec = check_data_yaml(data_yaml)
    model = check_model_source(cfg.model)
    if model.endswith(".pt"):
        load_yolo(model, need_exercises=False)  # must at least be a detection model
    return spec, model


def train(data_yaml: Path | str, cfg: TrainConfig | None = None, on_epoch: EpochCallback | None = None,
          report: bool = True) -> TrainResult:
    """Train, then evaluate ``best.pt`` on the val split into ``run_dir/report`` (HTML + JSON)."""
    cfg = cfg or TrainConfig()
    spec, model_src = prepare(data_yaml, cfg)
    import_ultralytics()
    from ultralytics import YOLO

    project = Path(cfg.project).expanduser().resolve()
    run_dir = project / cfg.name
    resolved = spec.write_resolved(project / f".{cfg.name}_data.yaml")
    model = YOLO(model_src)
    if on_epoch is not None:
        def _cb(trainer: Any) -> None:
            metrics = {k: float(v) for k, v in (trainer.metrics or {}).items()}
            on_epoch(min(int(trainer.epoch) + 1, int(trainer.epochs)), int(trainer.epochs), metrics)

        model.add_callback("on_fit_epoch_end", _cb)
    args = dict(data=str(resolved), epochs=cfg.epochs, imgsz=cfg.imgsz, batch=cfg.batch,
                optimizer=cfg.optimizer, lr0=cfg.lr0, momentum=cfg.momentum, mosaic=cfg.mosaic,
                close_mosaic=min(cfg.close_mosaic, cfg.epochs), patience=cfg.patience, seed=cfg.seed,
                device=cfg.device, workers=cfg.workers, project=str(project), name=cfg.name,
                exist_ok=cfg.exist_ok, plots=cfg.plots, warmup_epochs=cfg.warmup_epochs,
                pretrained=model_src.endswith(".pt"), amp=cfg.device != "cpu", verbose=False)
    args.update(cfg.extra)
    log.info("training %s on %s: %s", model_src, spec.yaml_path, args)
    model.train(**args)
    trainer = model.trainer
    run_dir = Path(trainer.save_dir)
    best, last = Path(trainer.best), Path(trainer.last)
    if not best.is_file():
        best = last
    metrics = {k: float(v) for k, v in (trainer.metrics or {}).items()}
    result = TrainResult(run_dir, best, last, metrics, data_yaml=resolved)
    if report:
        final = getattr(getattr(trainer, "validator", None), "metrics", None)
        result.report = evaluate_weights(best, spec, cfg.imgsz, run_dir / "report", ultralytics_metrics=final)
    (run_dir / "gymvision_train.json").write_text(
        __import__("json").dumps({"config": {k: str(v) if isinstance(v, Path) else v
                                             for k, v in asdict(cfg).items()},
                                  "data": str(spec.yaml_path), "classes": spec.names,
                                  "best": str(best), "metrics": metrics}, indent=1), encoding="utf-8")
    return result


def evaluate_weights(weights: Path | str, spec: DataSpec, imgsz: int, out_dir: Path, split: str = "val",
                     ultralytics_metrics: Any = None) -> dict[str, Path]:
    """Ultralytics validation (mAP, its confusion matrix) + our evaluation report, written to ``out_dir``.

    ``ultralytics_metrics`` (a finished validation, e.g. the trainer's last) skips a second val run.
    """
    from .evaluate import UltralyticsDetector, evaluate_detector, write_detector_report
    from .evaluate import ultralytics_metrics as to_dict

    model = load_yolo(weights)
    out_dir.mkdir(parents=True, exist_ok=True)
    metrics = ultralytics_metrics
    if metrics is None or getattr(metrics, "box", None) is None:
        resolved = spec.write_resolved(out_dir / "data.yaml")
        metrics = model.val(data=str(resolved), imgsz=imgsz, batch=8, device="cpu", workers=0, split=split,
                            plots=False, verbose=False, project=str(out_dir), name="ultralytics_val",
                            exist_ok=True)
    extra = to_dict(metrics, spec.names)
    report = evaluate_detector(UltralyticsDetector(model, imgsz=imgsz), spec, split, model_name=str(weights))
    return write_detector_report(report, out_dir, extra)
