"""Regenerate the sample media in src/gymvision/samples/ (rendered by gymvision itself; Apache-2.0).

    .venv/bin/python scripts/make_samples.py
"""

from __future__ import annotations

from pathlib import Path

import cv2

from gymvision.demo import render_mannequin, write_exercise_video
from gymvision.synth import generate_sequence

OUT = Path(__file__).resolve().parents[1] / "src" / "gymvision" / "samples"
PHOTOS = {"squat": "side_left", "push_up": "side_right", "bench_press": "side_left",
          "shoulder_press": "front", "deadlift": "side_left", "leg_extension": "side_right"}


def main() -> None:
    write_exercise_video(OUT / "demo_squat.mp4", "squat", n_reps=5, view="front_diag", seed=11,
                         size=(640, 480))
    for ex, view in PHOTOS.items():
        seq = generate_sequence(ex, n_reps=1, seed=4, view=view, image_size=(640, 480), noise=0.0,
                                occlusion=0.0)
        rep = seq.reps[0]
        t = rep.turn_s if ex not in ("deadlift", "leg_extension") else (rep.start_s + rep.turn_s) / 2
        i = min(range(len(seq.times)), key=lambda k: abs(seq.times[k] - t))
        img = render_mannequin(seq.poses[i])
        cv2.imwrite(str(OUT / f"demo_{ex}.jpg"), cv2.cvtColor(img, cv2.COLOR_RGB2BGR),
                    [cv2.IMWRITE_JPEG_QUALITY, 85])
    print(f"wrote samples to {OUT}")


if __name__ == "__main__":
    main()
