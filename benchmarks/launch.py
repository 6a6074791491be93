"""Run one command and write its wall time, exit status and peak memory as JSON.

Usage: python benchmarks/launch.py RESULT.json COMMAND [ARG...]

benchmarks/run.py starts every measured command through this small process rather than
directly: on Linux a child's ru_maxrss starts from the RSS of the process that forked it
(exec records the old address space's high-water mark), so a benchmark process that has
grown would inflate the figures of small commands such as `import click`. This launcher
is small, imports little, and measures the time from just before the start of the command
to its exit (the launcher's own start-up is not counted).

Peak memory: the largest resident set of the command or of any process it waited for
(`os.wait4`: Linux and macOS count `--jobs` workers this way); on Windows the peak working
set of the command's own process; otherwise null.
"""

import json
import os
import subprocess
import sys
import time


def _windows_peak(proc):
    """Peak working set of a finished process on Windows (its handle is still open)."""
    try:
        import ctypes
        from ctypes import wintypes

        class Counters(ctypes.Structure):
            _fields_ = [
                ("cb", wintypes.DWORD),
                ("PageFaultCount", wintypes.DWORD),
                ("PeakWorkingSetSize", ctypes.c_size_t),
                ("WorkingSetSize", ctypes.c_size_t),
                ("QuotaPeakPagedPoolUsage", ctypes.c_size_t),
                ("QuotaPagedPoolUsage", ctypes.c_size_t),
                ("QuotaPeakNonPagedPoolUsage", ctypes.c_size_t),
                ("QuotaNonPagedPoolUsage", ctypes.c_size_t),
                ("PagefileUsage", ctypes.c_size_t),
                ("PeakPagefileUsage", ctypes.c_size_t),
            ]

        counters = Counters()
        counters.cb = ctypes.sizeof(Counters)
        get = ctypes.windll.kernel32.K32GetProcessMemoryInfo
        get.argtypes = [wintypes.HANDLE, ctypes.POINTER(Counters), wintypes.DWORD]
        if get(int(proc._handle), ctypes.byref(counters), counters.cb):
            return int(counters.PeakWorkingSetSize)
    except Exception:
        return None
    return None


def measure(cmd):
    start = time.perf_counter()
    proc = subprocess.Popen(cmd)
    if hasattr(os, "wait4"):
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        # ru_maxrss: bytes on macOS, KiB on Linux and the BSDs.
        rss = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    else:
        proc.wait()
        seconds = time.perf_counter() - start
        rss = _windows_peak(proc) if os.name == "nt" else None
    return {"seconds": seconds, "returncode": proc.returncode, "rss": rss}


def main():
    result_path, cmd = sys.argv[1], sys.argv[2:]
    result = measure(cmd)
    with open(result_path, "w", encoding="utf-8") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
