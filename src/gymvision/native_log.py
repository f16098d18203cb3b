"""Keep MediaPipe/TFLite start-up chatter off the terminal.

MediaPipe's C++ code logs informational lines ("Created TensorFlow Lite XNNPACK delegate", "GPU
support is not available", feedback-tensor warnings) straight to file descriptor 2, before any
Python logging is set up and regardless of ``GLOG_minloglevel``. :func:`filter_native_stderr`
points descriptor 2 at a pipe whose reader thread drops those lines and forwards everything else
(errors, crashes, anything unrecognised) to the real stderr, while Python's ``sys.stderr`` keeps
writing to the terminal directly, so progress bars still see a TTY.
"""

from __future__ import annotations

import atexit
import os
import re
import sys
import threading
from typing import BinaryIO

#: Native lines that carry no information for a user: glog/absl INFO and WARNING records, and
#: TFLite's delegate notice. ERROR/FATAL records (``E…``/``F…``) pass through.
NOISE = re.compile(
    rb"^(?:[IW]\d{4} \d\d:\d\d:\d+\.\d+\s+\d+ \S+:\d+\]"
    rb"|INFO: Created TensorFlow Lite"
    rb"|WARNING: All log messages before absl::InitializeLog\(\) is called)"
)


def is_noise(line: bytes) -> bool:
    """True for a native start-up/info line that the filter drops."""
    return NOISE.match(line) is not None


def _pump(src: BinaryIO, dst_fd: int) -> None:
    for line in iter(src.readline, b""):
        if not is_noise(line):
            os.write(dst_fd, line)


def filter_native_stderr() -> bool:
    """Filter native writes to descriptor 2 for the rest of the process; False if not possible.

    Call once, early, from a process entry point (not from library code: it changes process-wide
    file descriptors). With ``GYMVISION_NATIVE_LOGS=1`` nothing is filtered (a hard native crash
    can lose its last lines in the pipe; set it when debugging the pose model).
    """
    if os.environ.get("GYMVISION_NATIVE_LOGS") == "1":
        return False
    try:
        sys.stderr.flush()
        terminal = os.dup(2)
        read_fd, write_fd = os.pipe()
    except (OSError, ValueError, AttributeError):
        return False
    os.dup2(write_fd, 2)
    os.close(write_fd)
    # Python-level stderr (logging, rich, tracebacks) keeps the original destination.
    sys.stderr = os.fdopen(terminal, "w", buffering=1, encoding=sys.stderr.encoding or "utf-8",
                           errors="backslashreplace", closefd=False)
    reader = os.fdopen(read_fd, "rb", buffering=0)
    pump = threading.Thread(target=_pump, args=(reader, terminal), name="native-stderr", daemon=True)
    pump.start()

    def _restore() -> None:  # at exit: drain what is left in the pipe, then give fd 2 back
        os.dup2(terminal, 2)
        pump.join(timeout=1.0)

    atexit.register(_restore)
    return True
