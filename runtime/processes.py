"""Helper processes of a service or a batch job: how they start and how they end with their parent.

Pools of worker processes (the stream worker's analysis, a replay's row
building, `marsad replay --reprocess`) are started with ``spawn``: no copy of
the parent's Kafka client threads and sockets. Each helper calls
`follow_parent` first, so that Ctrl-C, which reaches the whole process group,
is left to the parent (it stops the pool), and so that a helper exits once its
parent is gone: a parent killed with -9 cannot stop it, and a pool's queues
never close by themselves.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time

SPAWN = multiprocessing.get_context("spawn")


def follow_parent() -> None:
    """In a helper process: ignore Ctrl-C, and exit within a second of the parent's end."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)
