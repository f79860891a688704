"""Shared by the runtimes: waiting for the operator's stop signal."""

from __future__ import annotations

import asyncio
import signal
from contextlib import suppress

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


async def wait_for_stop_signal() -> None:
    """Until SIGTERM or SIGINT: a graceful stop (the caller's ``finally`` runs)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in STOP_SIGNALS:
        with suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        for sig in STOP_SIGNALS:
            with suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)
