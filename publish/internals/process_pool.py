"""Stopping a `ProcessPoolExecutor` at once, which its public API cannot do: killing its worker processes
and emptying its call queue reach into the executor's private `_processes` and `_call_queue` (CPython 3.11+)."""

from __future__ import annotations

import time
from concurrent.futures import ProcessPoolExecutor


def kill_workers(executor: ProcessPoolExecutor) -> None:
    """Kill every worker now (the build was interrupted or failed: nobody will use their parts), then shut
    the executor down without waiting for queued work."""
    for process in list((getattr(executor, "_processes", None) or {}).values()):
        process.kill()
    _drain_call_queue(executor)
    executor.shutdown(wait=True, cancel_futures=True)


def _drain_call_queue(executor: ProcessPoolExecutor, timeout: float = 5.0) -> None:
    """Read the jobs still travelling to the killed workers. The queue's feeder thread may be blocked
    writing a large job into a full pipe that no worker reads any more, and the executor's shutdown joins
    that thread: it would wait forever (seen as a hang on SIGTERM while a worker was starting)."""
    calls = getattr(executor, "_call_queue", None)
    feeder, reader = getattr(calls, "_thread", None), getattr(calls, "_reader", None)
    deadline = time.monotonic() + timeout
    while feeder is not None and reader is not None and feeder.is_alive() and time.monotonic() < deadline:
        try:
            if reader.poll(0.01):
                reader.recv_bytes()
        except (OSError, EOFError):
            return
