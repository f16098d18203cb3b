"""Shared fixtures: real images shipped in packages, generated videos, the real ML Kit landmarks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
MLKIT_DIR = REPO.parent / "shared" / "data" / "mlkit_fitness_pose_samples"
#: The shipped astronaut photo (public domain) saved as HEIC, as iPhones save photos (made with
#: pillow-heif 1.8.1, quality 70; the product only decodes HEIC).
HEIC_ASTRONAUT = Path(__file__).resolve().parent / "data" / "astronaut.heic"


@pytest.fixture(scope="session")
def astronaut() -> np.ndarray:
    """A real photo of a person (public domain; scikit-image ships it, and so does gymvision)."""
    from gymvision.demo import sample_image

    return sample_image()


@pytest.fixture(scope="session")
def mlkit_dir() -> Path:
    if not (MLKIT_DIR / "pushups.csv").exists():
        pytest.skip(f"ML Kit sample landmarks not found at {MLKIT_DIR}")
    return MLKIT_DIR


@pytest.fixture(scope="session")
def person_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 3 s, 30 fps, 640×360 H.264 video of a real person moving across the frame."""
    from gymvision.demo import write_person_video

    return write_person_video(tmp_path_factory.mktemp("video") / "person.mp4", seconds=3.0, size=(640, 360))


@pytest.fixture(scope="session")
def pipeline():
    """One real pipeline (full BlazePose + shipped recogniser) shared by the tests of a run."""
    from gymvision.pipeline import Pipeline

    return Pipeline()
