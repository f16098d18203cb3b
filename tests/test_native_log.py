"""The CLI keeps MediaPipe's native start-up chatter off stderr but passes everything else through."""

from __future__ import annotations

import os
import subprocess
import sys

from gymvision.native_log import is_noise

SCRIPT = r"""
import os, sys
from gymvision.native_log import filter_native_stderr
print(filter_native_stderr())
os.write(2, b"W0000 00:00:1795779262.111983    8326 inference_feedback_manager.cc:114] Feedback\n")
os.write(2, b"INFO: Created TensorFlow Lite XNNPACK delegate for CPU.\n")
os.write(2, b"E0000 00:00:1795779262.2  8326 graph.cc:7] a real native error\n")
os.write(2, b"plain native line\n")
print("python stderr line", file=sys.stderr)
"""


def _run(env_extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "GYMVISION_NATIVE_LOGS"} | env_extra
    return subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, env=env)


def test_noise_pattern():
    assert is_noise(b"I0000 00:00:1795779262.185651    8306 task_runner.cc:85] GPU suport is not available")
    assert is_noise(b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR")
    assert not is_noise(b"E0000 00:00:1795779262.185651    8306 task_runner.cc:85] failed")
    assert not is_noise(b"Traceback (most recent call last):")


def test_filter_drops_info_and_keeps_errors_and_python_output():
    res = _run({})
    assert res.returncode == 0 and res.stdout.strip() == "True"
    assert "Feedback" not in res.stderr and "XNNPACK" not in res.stderr
    assert "a real native error" in res.stderr
    assert "plain native line" in res.stderr
    assert "python stderr line" in res.stderr


def test_filter_can_be_switched_off():
    res = _run({"GYMVISION_NATIVE_LOGS": "1"})
    assert res.stdout.strip() == "False"
    assert "Feedback" in res.stderr and "python stderr line" in res.stderr
