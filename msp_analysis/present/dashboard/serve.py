"""Where the dashboard's scenarios and reports are, and how Voilà serves it offline.

:func:`voila_command` is the one place that says how Voilà is started
(``make present`` and the browser test both use it): bound to 127.0.0.1, idle
kernels culled, and a template (shipped in ``msp_analysis/present/jupyter_path``)
that is Voilà's "lab" template without the FontAwesome stylesheets it would
fetch from a CDN.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from collections.abc import Callable
from pathlib import Path

from ...errors import DataError, MSPAnalysisError
from ...files import read_limited
from ...ingest import clients
from ...model.defaults import sample_scenario
from ...model.scenario import MAX_SCENARIO_BYTES, Scenario

__all__ = ["MAX_KERNELS", "TEMPLATE", "available_scenarios", "port_in_use", "reports_dir", "voila_command"]

#: The Voilà template without CDN assets (``msp_analysis/present/jupyter_path/voila/templates``).
TEMPLATE = "msp_offline"

#: The checkout this module sits in (``msp_analysis/present/dashboard/`` is three folders down).
PROJECT_ROOT = Path(__file__).resolve().parents[3]
# A folder on JUPYTER_PATH: Voilà finds the template under voila/templates/ in it.
_TEMPLATE_ROOT = Path(__file__).resolve().parents[1] / "jupyter_path"


def reports_dir() -> Path:
    """Where the export button writes (``MSP_ANALYSIS_REPORTS`` overrides ``<project>/reports``).

    Examples
    --------
    >>> reports_dir() == Path(os.environ.get("MSP_ANALYSIS_REPORTS") or PROJECT_ROOT / "reports")
    True
    """
    env = os.environ.get("MSP_ANALYSIS_REPORTS")
    return Path(env) if env else PROJECT_ROOT / "reports"


def available_scenarios() -> dict[str, Callable[[], Scenario]]:
    """The scenarios the selector lists, ``{label: loader}``, the sample first.

    Client scenarios are the folders :func:`msp_analysis.ingest.clients.list_clients`
    finds, each labelled with the organisation's name as its ``scenario.json``
    gives it (the client sees the selector), or its folder's name when the file
    cannot be read. Loading waits until a scenario is chosen, so one broken
    client file does not stop the meeting: choosing it shows its error and
    keeps the scenario on screen.

    The same firm is not listed twice: when a client folder holds the sample
    organisation itself (the suite ships one, with tickets and invoices),
    that folder takes the sample's place at the top.

    Examples
    --------
    >>> found = available_scenarios()
    >>> list(found)[0], "Sample organisation" in found
    ('Client: Harbourview Partners (sample)', False)
    """
    try:
        folders = clients.list_clients()
    except (OSError, MSPAnalysisError):
        folders = []
    sample: dict[str, Callable[[], Scenario]] = {"Sample organisation": sample_scenario}
    out: dict[str, Callable[[], Scenario]] = {}
    for folder in folders:
        label = f"Client: {_organisation_name(folder)}"
        if label in out:  # two folders, one organisation name: tell them apart
            label = f"{label} ({folder})"
        out[label] = _client_loader(folder)
        if "Sample organisation" in sample and _is_sample(folder):
            sample = {label: out.pop(label)}
    return sample | out


def _is_sample(folder: str) -> bool:
    """True when ``clients/<folder>/scenario.json`` is the sample organisation, value for value.

    Read and validated here (a few milliseconds); a file that cannot be read
    is not the sample, and its error waits until it is chosen.
    """
    try:
        return Scenario.from_json(clients.client_dir(folder) / "scenario.json") == sample_scenario()
    except (OSError, ValueError, MSPAnalysisError):
        return False


def _organisation_name(folder: str) -> str:
    """The organisation's name in ``clients/<folder>/scenario.json``, without validating it.

    A glance at one key, not a load: validation waits until the scenario is
    chosen, and any problem here just falls back to the folder's name.
    """
    try:
        # bounded and regular files only, like every reader (a link to /dev/zero must not hang the listing)
        raw = read_limited(clients.client_dir(folder) / "scenario.json", MAX_SCENARIO_BYTES)
        name = json.loads(raw.decode("utf-8-sig"))["organization"]["name"]
    except (ValueError, KeyError, TypeError, MSPAnalysisError):
        return folder
    return name.strip() if isinstance(name, str) and name.strip() else folder


def _client_loader(folder: str) -> Callable[[], Scenario]:
    def load() -> Scenario:
        scenario = clients.load_client(folder).scenario
        if scenario is None:  # listed a moment ago, since removed
            raise DataError(f"clients/{folder}: it no longer holds a scenario.json")
        return scenario

    return load


#: Kernels the dashboard server runs at most (pages open at once, a preheated pool included): eight of
#: ~200 MB each fit a consultant's laptop. Room for a few reloads in a minute: a closed page's kernel
#: lingers until culled (CULL_IDLE_S); with 4, the fifth reload in a row was told "busy".
#: Raise it with ``present --max-kernels N``.
MAX_KERNELS = 8
#: Seconds a kernel whose page is gone (or never connected: a bare GET) waits before it is shut down.
#: An open page keeps its kernel however long the meeting pauses (connected kernels are not culled).
CULL_IDLE_S = 120

# By name: Voilà loads it in the server's process; importing it here would load Jupyter Server into every
# notebook kernel that shows the dashboard.
_KERNEL_MANAGER = "msp_analysis.present.dashboard.kernels.CappedKernelManager"


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    """Whether something already listens on ``host:port`` (Voilà would then fail, or move elsewhere).

    Examples
    --------
    >>> import socket
    >>> with socket.socket() as s:
    ...     s.bind(("127.0.0.1", 0)); s.listen()
    ...     port_in_use(s.getsockname()[1])
    True
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((host, int(port)))
        except OSError:
            return True
    return False


def voila_command(
    port: int = 8866,
    notebook: str | Path | None = None,
    *,
    cull_idle_timeout: int = CULL_IDLE_S,
    cull_interval: int = 15,
    max_kernels: int = MAX_KERNELS,
    pool_size: int = 1,
    extra: tuple[str, ...] = (),
) -> tuple[list[str], dict[str, str]]:
    """The command line and environment that serve the dashboard with Voilà.

    Bound to 127.0.0.1 only. A kernel is shut down ``cull_idle_timeout``
    seconds after its last activity once no browser is connected to it
    (``cull_connected=False``: the dashboard on screen through a long meeting
    keeps its kernel; a closed tab, or a bare GET that never connects, does
    not), checked every ``cull_interval`` seconds. ``JUPYTER_PATH`` points at
    the :data:`TEMPLATE` template, which leaves out the CDN stylesheets of
    Voilà's own.

    Preheated kernels: ``pool_size`` kernels (default one, for the page on
    screen; two if a second screen opens it) have run the presentation
    before anyone asks, so a page opens on a dashboard ready to use instead
    of a spinner through "Executing 5 of 5" (about 5 s here); the pool is
    refilled a second after a kernel is taken. Pooled kernels are never
    culled (Voilà keeps them), a taken one is culled as above; each is a
    kernel (~190 MB) toward any cap on kernels. ``pool_size=0`` starts a
    kernel per page as before.

    Hardened (issue 17): at most ``max_kernels`` kernels run at once, the
    preheated pool's included (:class:`~.kernels.CappedKernelManager`; past
    it a page gets HTTP 503 saying the dashboard is busy), a request whose
    ``Host`` is not this machine is refused (Jupyter Server's check, which
    Voilà switches off), and a busy port is an error instead of a silent
    move to another port (so the address printed is the one served).

    Returns
    -------
    (argv, env)
        For :class:`subprocess.Popen` or :func:`os.execve`.

    Examples
    --------
    >>> argv, env = voila_command(9000)
    >>> "--Voila.ip=127.0.0.1" in argv, "--port=9000" in argv, "--VoilaConfiguration.preheat_kernel=True" in argv
    (True, True, True)
    >>> "--CappedKernelManager.max_kernels=8" in argv
    True
    """
    nb = Path(notebook) if notebook else PROJECT_ROOT / "notebooks" / "07_client_presentation.ipynb"
    argv = [
        sys.executable,
        "-m",
        "voila",
        str(nb),
        "--no-browser",
        f"--port={int(port)}",
        "--Voila.ip=127.0.0.1",
        "--theme=light",
        f"--template={TEMPLATE}",
        f"--MappingKernelManager.cull_idle_timeout={int(cull_idle_timeout)}",
        f"--MappingKernelManager.cull_interval={int(cull_interval)}",
        "--MappingKernelManager.cull_connected=False",
        f"--VoilaConfiguration.multi_kernel_manager_class={_KERNEL_MANAGER}",
        f"--CappedKernelManager.max_kernels={int(max_kernels)}",
        "--Voila.port_retries=0",
        # Voilà passes allow_remote_access=True to Tornado; False restores Jupyter Server's Host check
        # (DNS rebinding: a page elsewhere that names this machine under its own host name is refused)
        '--Voila.tornado_settings={"allow_remote_access": False}',
        *(
            [
                "--VoilaConfiguration.preheat_kernel=True",
                f"--VoilaConfiguration.default_pool_size={int(pool_size)}",
            ]
            if pool_size > 0
            else []
        ),
        *extra,
    ]
    env = dict(os.environ)
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(_TEMPLATE_ROOT), env.get("JUPYTER_PATH", "")) if p)
    # The kernel draws with Agg; a machine without a display must not try a GUI backend.
    env.setdefault("MPLBACKEND", "Agg")
    return argv, env
