"""Offline set-up for Ultralytics and a lazy, explained import of the optional ``[yolo]`` extra.

Ultralytics reads ``YOLO_OFFLINE`` and ``YOLO_CONFIG_DIR`` when it is first imported, so
:func:`import_ultralytics` sets them (and places a font where its plotting looks first) before
importing it. Nothing here imports torch or ultralytics at module import time.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path
from types import ModuleType

log = logging.getLogger(__name__)

EXTRA_HINT = (
    "the optional YOLO extra is not installed (Ultralytics, AGPL-3.0, with torch): "
    "run `scripts/install.sh --yolo` or `pip install \".[yolo]\"`"
)
FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/TTF/DejaVuSans.ttf"),
)


class YoloExtraMissing(RuntimeError):
    """Raised when a command needs Ultralytics/torch and the extra is not installed."""


def default_config_dir() -> Path:
    """Where Ultralytics keeps its settings and fonts: ``$GYMVISION_DATA_DIR/ultralytics``."""
    base = os.environ.get("GYMVISION_DATA_DIR") or str(Path.home() / ".gymvision")
    return Path(base).expanduser() / "ultralytics"


def _matplotlib_font() -> Path | None:
    try:
        import matplotlib

        p = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
        return p if p.exists() else None
    except ImportError:  # pragma: no cover - matplotlib is a core dependency
        return None


def configure_offline(config_dir: Path | None = None) -> Path:
    """Set ``YOLO_OFFLINE=1`` and ``YOLO_CONFIG_DIR`` and copy a local font in as Arial.ttf.

    An already set ``YOLO_CONFIG_DIR`` is kept. Returns the config dir. Must run before the first
    ``import ultralytics`` in the process to take effect.
    """
    os.environ["YOLO_OFFLINE"] = "1"
    os.environ.setdefault("YOLO_AUTOINSTALL", "false")
    if config_dir is None:
        config_dir = Path(os.environ.get("YOLO_CONFIG_DIR") or default_config_dir())
    config_dir = Path(config_dir).expanduser()
    os.environ["YOLO_CONFIG_DIR"] = str(config_dir)
    font_dir = config_dir / "Ultralytics"  # Ultralytics appends this sub-folder
    font_dir.mkdir(parents=True, exist_ok=True)
    source = next((p for p in FONT_CANDIDATES if p.exists()), None) or _matplotlib_font()
    for name in ("Arial.ttf", "Arial.Unicode.ttf"):
        target = font_dir / name
        if not target.exists():
            if source is None:
                log.warning("no DejaVuSans.ttf found; Ultralytics plots may try to download a font")
                break
            shutil.copyfile(source, target)
    return config_dir


def import_ultralytics() -> ModuleType:
    """Configure offline use, then import and return ``ultralytics``; explain how to install it if absent."""
    configure_offline()
    try:
        import ultralytics
    except ImportError as e:
        raise YoloExtraMissing(f"{EXTRA_HINT} ({e})") from e
    try:
        from ultralytics.utils import SETTINGS

        # No telemetry, no hub sync, no online integrations.
        wanted = {"sync": False, "wandb": False, "mlflow": False, "tensorboard": False,
                  "clearml": False, "comet": False, "dvc": False, "raytune": False, "neptune": False}
        changes = {k: v for k, v in wanted.items() if k in SETTINGS and SETTINGS[k] != v}
        if changes:
            SETTINGS.update(changes)
    except Exception as e:  # settings keys differ between releases; never fatal
        log.debug("could not update Ultralytics settings: %s", e)
    return ultralytics


def has_ultralytics() -> bool:
    """True when the extra is importable (used by tests and the CLI to explain skips)."""
    import importlib.util

    return all(importlib.util.find_spec(m) is not None for m in ("ultralytics", "torch"))
