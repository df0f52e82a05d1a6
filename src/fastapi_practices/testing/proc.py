"""What a server process uses: CPU seconds across its whole tree, threads, memory (psutil)."""

from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor

import psutil


def crunch(below: int) -> int:
    """CPU-bound work (count the primes below `below`), importable by a process pool's workers."""
    return sum(all(n % d for d in range(2, int(n**0.5) + 1)) for n in range(2, below))


def process_tree_cpu(pid: int) -> float:
    """CPU seconds used so far by a process, all its threads and its live descendants (a
    process pool's workers)."""
    root = psutil.Process(pid)
    total = 0.0
    for process in (root, *root.children(recursive=True)):
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue  # exited meanwhile
        total += times.user + times.system
    return total


def process_status(pid: int) -> dict[str, int]:
    """Threads, and virtual and resident memory (KiB), of one process."""
    process = psutil.Process(pid)
    memory = process.memory_info()
    return {
        "Threads": process.num_threads(),
        "VmSize": memory.vms // 1024,
        "VmRSS": memory.rss // 1024,
    }


def cores_available(below: int = 150_000) -> float:
    """How many cores two CPU-bound processes get at once on this machine right now:
    2.0 when both cores are free, less when other work on the machine takes a share."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(2, mp_context=context) as pool:
        list(pool.map(crunch, [10, 10]))  # start both workers
        cpu = process_tree_cpu(os.getpid())
        start = time.perf_counter()
        list(pool.map(crunch, [below, below]))
        return (process_tree_cpu(os.getpid()) - cpu) / (time.perf_counter() - start)
