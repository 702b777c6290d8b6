"""Where parallel work runs: a `concurrent.futures.Executor`, chosen in one place.

    with executors.open_executor(workers=2) as ex:          # the default: a local process pool
        results = list(ex.map(work, chunks))
    with executors.open_executor("dask") as ex:              # Dask: a LocalCluster on this machine
        ...
    with executors.open_executor("dask", address="tcp://10.0.0.5:8786") as ex:   # a running scheduler
        ...

The kind comes from the argument, else `CHISO_EXECUTOR` (`process` or `dask`), else `process`; the
scheduler address from the argument, else `CHISO_DASK_ADDRESS`. With Dask, the work functions and
their arguments must be importable on the workers (the project installed there too), and their
results are sent back by pickle, as with the process pool. Dask (`dask[distributed]`) is an optional
dependency of the `dev` extra: only the `dask` kind imports it.

A LocalCluster listens on the loopback interface only and starts no dashboard.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager

from helpers.errors import UsageError

KINDS = ("process", "dask")


def kind_from_env(kind: str | None = None) -> str:
    kind = kind or os.environ.get("CHISO_EXECUTOR") or "process"
    if kind not in KINDS:
        raise UsageError(f"CHISO_EXECUTOR={kind}: cần một trong {', '.join(KINDS)}")
    return kind


@contextmanager
def open_executor(kind: str | None = None, workers: int | None = None, address: str | None = None,
                  initializer=None, initargs: tuple = (), processes: bool = True) -> Iterator[Executor]:
    """An executor of `kind` with `workers` workers (default: the machine's cores), closed on exit.

    `initializer(*initargs)` runs once in each process-pool worker (Dask: once per worker too, through
    `Client.run`), e.g. to set environment variables the work reads. `processes=False` runs a
    LocalCluster's workers as threads of this process (for a quick check).
    """
    kind = kind_from_env(kind)
    workers = workers or os.cpu_count() or 1
    if kind == "process":
        ctx = multiprocessing.get_context("forkserver" if "forkserver" in multiprocessing.get_all_start_methods()
                                          else "spawn")
        with ProcessPoolExecutor(workers, mp_context=ctx, initializer=initializer, initargs=initargs) as pool:
            yield pool
        return
    with _dask_client(workers, address or os.environ.get("CHISO_DASK_ADDRESS"), processes) as client:
        if initializer is not None:
            client.run(initializer, *initargs)
        executor = client.get_executor(pure=False)
        try:
            yield executor
        finally:
            executor.shutdown(wait=True)


@contextmanager
def _dask_client(workers: int, address: str | None, processes: bool):
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:  # an optional dependency
        raise UsageError("CHISO_EXECUTOR=dask cần gói dask[distributed] (pip install 'dask[distributed]')") from exc
    if address:
        with Client(address, set_as_default=False) as client:
            yield client
        return
    # worker processes talk over the loopback interface; worker threads (processes=False) in-process
    where = {"host": "127.0.0.1"} if processes else {}
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=processes, dashboard_address=None,
                      silence_logs=logging.ERROR, **where) as cluster, \
            Client(cluster, set_as_default=False) as client:
        yield client
