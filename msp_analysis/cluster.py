"""Where heavy work runs: a Dask cluster, local or remote, checked before it is used.

The portfolio run (:mod:`msp_analysis.portfolio`) and a simulation split in
chunks (``simulate(..., scheduler=...)``) run on Dask's distributed
scheduler. :func:`connect` gives them a ``distributed.Client`` from any of:

- ``"local"``: a ``distributed.LocalCluster`` started here and closed
  afterwards -- one worker *process* per core (the engine is numpy code that
  holds the GIL between calls, so threads would not run it in parallel), one
  thread each, the scheduler and its dashboard bound to 127.0.0.1;
- an address (``"tcp://host:8786"``, ``"tls://host:8786"``): an existing
  cluster, connected with a time limit, so an address where nothing answers
  fails in seconds with :class:`ClusterError` instead of hanging;
- a ``distributed.Client`` the caller already has: used as it is, left open.

Before any work is sent, :func:`check_workers` compares the packages the
results depend on (Python, dask, distributed, cloudpickle, msgpack, numpy,
scipy, pandas, pyarrow, msp_analysis) and a fingerprint of this package's
source between this process and every worker, and raises
:class:`ClusterError` naming what differs: a worker with another numpy would
give other numbers, one with another msp_analysis another model.

A remote scheduler runs the code it is sent (pickled functions): connect
only to a cluster you control, over TLS (``Security(...)`` or Dask's
``distributed.comm.require-encryption`` setting; see the README).

This module imports ``distributed``: the rest of the package imports it only
when a cluster is asked for.

Examples
--------
>>> from msp_analysis.cluster import connect, free_port
>>> with connect(f"tcp://127.0.0.1:{free_port()}", timeout=1) as client:   # nothing listens there
...     pass
Traceback (most recent call last):
...
msp_analysis.cluster.ClusterError: no Dask scheduler answered at tcp://127.0.0.1:...
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from distributed import Client, LocalCluster
from distributed.security import Security

from .errors import MSPAnalysisError

__all__ = [
    "CHECKED_PACKAGES",
    "DEFAULT_TIMEOUT",
    "SCHEDULER_ENV",
    "ClusterError",
    "check_workers",
    "connect",
    "dashboard_link",
    "free_port",
    "local_workers",
    "package_fingerprint",
    "package_versions",
]

#: Environment variable Dask itself reads for a scheduler address.
SCHEDULER_ENV = "DASK_SCHEDULER_ADDRESS"
#: Seconds to wait for a scheduler to answer (and for a first worker to join it).
DEFAULT_TIMEOUT = 10.0
#: Packages whose versions must agree between this process and every worker.
CHECKED_PACKAGES = (
    "dask",
    "distributed",
    "cloudpickle",
    "msgpack",
    "numpy",
    "scipy",
    "pandas",
    "pyarrow",
    "msp_analysis",
)


class ClusterError(MSPAnalysisError):
    """The cluster cannot be used: no scheduler answers, no workers, or workers that differ from this process."""


def local_workers() -> int:
    """Cores this process may use: the default number of local worker processes.

    Examples
    --------
    >>> local_workers() >= 1
    True
    """
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS and Windows have no affinity mask
        return max(1, os.cpu_count() or 1)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now (for tests and examples)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def package_versions() -> dict[str, str | None]:
    """Python's version and those of :data:`CHECKED_PACKAGES` in this process (None: not installed).

    A worker runs this through ``client.run``: what matters is what *it* imports.

    Examples
    --------
    >>> v = package_versions()
    >>> v["python"].count("."), v["numpy"] is not None
    (2, True)
    """
    out: dict[str, str | None] = {"python": ".".join(map(str, sys.version_info[:3]))}
    for name in CHECKED_PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            # Not installed as a distribution (msp_analysis run from a checkout through
            # PYTHONPATH): the source fingerprint below still tells two copies apart.
            out[name] = None
    return out


def package_fingerprint() -> str:
    """SHA-256 of msp_analysis's files (Python source and bundled data) as this process imports them.

    Two processes with the same fingerprint run the same model, whatever
    their installed version number says (an edited checkout keeps "0.1.0").

    Examples
    --------
    >>> len(package_fingerprint())
    64
    """
    spec = importlib.util.find_spec("msp_analysis")
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover - we are inside it
        return ""
    root = Path(next(iter(spec.submodule_search_locations)))
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".json", ".csv") and "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _worker_identity() -> dict[str, Any]:
    return {"versions": package_versions(), "fingerprint": package_fingerprint()}


def check_workers(client: Client) -> int:
    """Raise :class:`ClusterError` unless every worker runs what this process runs; return the number of workers.

    Compares :func:`package_versions` and :func:`package_fingerprint` of this
    process with each worker's (``client.run``). A worker that cannot even
    import msp_analysis fails the same way, naming the import error.
    """
    mine = _worker_identity()
    try:
        theirs: dict[str, dict] = client.run(_worker_identity)
    except (ImportError, AttributeError) as e:
        raise ClusterError(
            f"the cluster's workers cannot run msp_analysis ({type(e).__name__}: {e}); install the same "
            "msp_analysis and its requirements on every worker"
        ) from None
    problems = []
    for worker, ident in sorted(theirs.items()):
        for name, value in mine["versions"].items():
            other = ident["versions"].get(name)
            if other != value:
                problems.append(f"{worker}: {name} {other or 'missing'} (here {value or 'missing'})")
        if ident["fingerprint"] != mine["fingerprint"]:
            problems.append(f"{worker}: msp_analysis source differs from this process's (a different checkout?)")
    if problems:
        shown = problems[:10] + ([f"... and {len(problems) - 10} more"] if len(problems) > 10 else [])
        raise ClusterError(
            "the cluster's workers differ from this process, so their results would not be this model's: "
            + "; ".join(shown)
            + ". Install the same versions everywhere (requirements.txt)."
        )
    return len(theirs)


@contextmanager
def connect(
    scheduler: str | Client = "local",
    *,
    workers: int | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    security: Security | None = None,
    check: bool = True,
) -> Iterator[Client]:
    """A checked ``distributed.Client`` for ``scheduler``, closed afterwards if opened here.

    Parameters
    ----------
    scheduler : {"local"}, str or distributed.Client
        ``"local"`` starts a ``LocalCluster`` (see the module docstring); an
        address such as ``"tcp://10.0.0.5:8786"`` connects to that scheduler;
        a ``Client`` is used as it is and not closed.
    workers : int, optional
        Worker processes of a local cluster (default: one per core,
        :func:`local_workers`). Ignored for an address or a client.
    timeout : float
        Seconds to wait for the scheduler to answer and for a first worker.
    security : distributed.security.Security, optional
        TLS settings for a remote scheduler (default: Dask's configuration).
    check : bool
        Run :func:`check_workers` before handing the client over.

    Raises
    ------
    ClusterError
        Nothing answers at the address within ``timeout``, the cluster has no
        workers, or the workers differ from this process.
    """
    if isinstance(scheduler, Client):
        if check:
            _check(scheduler, str(getattr(scheduler.scheduler, "address", "")), timeout)
        yield scheduler
        return
    if not isinstance(scheduler, str) or not scheduler.strip():
        raise ClusterError(
            f"scheduler: got {scheduler!r}, expected 'local', an address such as tcp://host:8786 or a Client"
        )
    if scheduler == "local":
        n = local_workers() if workers is None else workers
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ClusterError(f"workers: got {workers!r}, expected a whole number >= 1")
        cluster = LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            # The scheduler's HTTP server (the dashboard, when bokeh is installed) on
            # 127.0.0.1 only, on a free port: two runs at once do not collide.
            dashboard_address="127.0.0.1:0",
        )
        try:
            with Client(cluster, timeout=timeout) as client:
                if check:
                    _check(client, "the local cluster", timeout)
                yield client
        finally:
            cluster.close()
        return
    address = scheduler.strip()
    try:
        client = Client(address, timeout=timeout, security=security)
    except OSError as e:  # distributed raises OSError("Timed out trying to connect ...") and refused connections
        raise ClusterError(
            f"no Dask scheduler answered at {address} within {timeout:g} s ({e}); check the address and port, "
            "and that the scheduler is running"
        ) from None
    except ValueError as e:  # a malformed address, or TLS asked of a plain-TCP address
        raise ClusterError(f"scheduler {address!r}: {e}") from None
    try:
        if check:
            _check(client, address, timeout)
        yield client
    finally:
        client.close()


def _check(client: Client, where: str, timeout: float) -> None:
    try:
        client.wait_for_workers(1, timeout=timeout)
    except TimeoutError:
        raise ClusterError(f"the scheduler at {where} has no workers (none joined within {timeout:g} s)") from None
    check_workers(client)


def dashboard_link(client: Client) -> str | None:
    """The Dask dashboard's address, when the scheduler serves one (it needs bokeh), else None."""
    try:
        services = client.scheduler_info().get("services", {})
    except OSError:
        return None
    return client.dashboard_link if "dashboard" in services and importlib.util.find_spec("bokeh") else None
