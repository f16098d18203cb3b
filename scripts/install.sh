#!/usr/bin/env bash
# Set up GymVision on a fresh Debian machine: a virtual environment with pinned packages,
# the BlazePose lite/heavy models (npm, sha256-checked) and, with --test, the test tools
# (Debian chromium for browser tests). With --yolo, the optional Ultralytics/torch extra (AGPL-3.0).
# Idempotent: re-running only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0; want_yolo=0
for arg in "$@"; do
  case "$arg" in
    --test) want_test=1 ;;
    --yolo) want_yolo=1 ;;
    *) echo "usage: scripts/install.sh [--test] [--yolo]" >&2; exit 2 ;;
  esac
done

SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
}
# npm fetches the pose models; libgl/libglib are what OpenCV/MediaPipe need on slim images.
command -v npm >/dev/null 2>&1 || apt_install npm
apt_install libgl1 libglib2.0-0
[ "$want_test" = 1 ] && apt_install chromium chromium-driver fonts-dejavu-core

PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
extras="test"
.venv/bin/python -m pip install -q -c requirements.lock -e ".[${extras}]"
if [ "$want_yolo" = 1 ]; then
  # The optional YOLO extra (Ultralytics, AGPL-3.0; torch, ~7 GB) lives in its own venv, .venv-yolo, so
  # .venv stays torch-free and keeps one OpenCV. Ultralytics requires opencv-python, which writes the
  # same cv2 package as opencv-contrib-python (MediaPipe's): drop it and restore contrib (a superset).
  [ -x .venv-yolo/bin/python ] || "$PY" -m venv .venv-yolo
  .venv-yolo/bin/python -m pip install -q --upgrade pip
  .venv-yolo/bin/python -m pip install -q -c requirements.lock -c requirements-yolo.lock -e ".[test,yolo]"
  if .venv-yolo/bin/python -m pip show opencv-python >/dev/null 2>&1; then
    .venv-yolo/bin/python -m pip uninstall -y -q opencv-python
    .venv-yolo/bin/python -m pip install -q -c requirements.lock --force-reinstall --no-deps opencv-contrib-python
  fi
  .venv-yolo/bin/python -c "import cv2, onnx, torch, ultralytics; cv2.ximgproc; print('YOLO extra:', \
ultralytics.__version__, 'torch', torch.__version__, 'cv2', cv2.__version__)"
  .venv-yolo/bin/python scripts/fetch_pose_models.py
  echo "YOLO extra (AGPL-3.0) installed in $(pwd)/.venv-yolo"
fi
.venv/bin/python scripts/fetch_pose_models.py
echo "GymVision installed in $(pwd)/.venv"
