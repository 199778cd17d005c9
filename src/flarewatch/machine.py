"""One line naming the machine a figure was measured on, for benchmarks and evaluations."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def describe_machine() -> str:
    """'<CPU model>, N cores, Python X.Y.Z, <OS>' (the CPU model from /proc/cpuinfo on Linux)."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"
