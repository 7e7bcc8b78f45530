"""Run one read per cell in parallel, with a deadline.

Like nova's scatter_gather_cells: a thread pool sized by
``[DEFAULT]cell_worker_thread_pool_size`` and one overall timeout. A cell
that fails or misses the deadline gets a ``CellFailure`` instead of a
result. A read that missed its deadline cannot be interrupted; until it
ends, that cell is not read again (it is reported as still busy), so a
dead cell never ties up more than one worker.
"""

from collections.abc import Callable, Mapping
import dataclasses
import logging
import threading
from typing import Any, Generic, TypeVar

import futurist
from futurist import waiters

from scheduler.db import urls

LOG = logging.getLogger(__name__)
T = TypeVar('T')


@dataclasses.dataclass(frozen=True, slots=True)
class CellFailure:
    """Why a cell's read gave no result (never a URL or SQL)."""

    reason: str


@dataclasses.dataclass(frozen=True, slots=True)
class Outcome(Generic[T]):
    results: Mapping[str, T]
    failures: Mapping[str, CellFailure]


class CellScatter:
    def __init__(self, workers: int, timeout: float) -> None:
        self._timeout = timeout
        self._executor = futurist.ThreadPoolExecutor(max_workers=workers)
        self._lock = threading.Lock()
        self._busy: dict[str, futurist.Future[Any]] = {}

    def run(self, reads: Mapping[str, Callable[[], T]]) -> Outcome[T]:
        """Call every read (keyed by cell uuid) and gather the outcomes."""
        failures: dict[str, CellFailure] = {}
        futures: dict[str, futurist.Future[Any]] = {}
        with self._lock:
            for cell, read in reads.items():
                running = self._busy.get(cell)
                if running is not None and not running.done():
                    failures[cell] = CellFailure(
                        'an earlier read of this cell is still running')
                    continue
                future = self._executor.submit(read)
                self._busy[cell] = future
                futures[cell] = future
        if futures:
            waiters.wait_for_all(list(futures.values()),
                                 timeout=self._timeout)
        results: dict[str, T] = {}
        for cell, future in futures.items():
            if not future.done():
                failures[cell] = CellFailure(
                    f'no answer within {self._timeout:g} seconds')
                continue
            error = future.exception()
            if error is None:
                results[cell] = future.result()
            else:
                failures[cell] = CellFailure(urls.describe_error(error))
        with self._lock:
            for cell, future in futures.items():
                if future.done() and self._busy.get(cell) is future:
                    del self._busy[cell]
        return Outcome(results, failures)

    def shutdown(self) -> None:
        # Do not wait for a read stuck on a dead database.
        self._executor.shutdown(wait=False)
