"""A cap on the dashboard server's kernels: past it, a new page is told the dashboard is busy.

Voilà starts a kernel (about 200 MB) for every GET of the dashboard's URL,
even one that never connects, so any web page the laptop opens could fill
its memory by requesting that URL over and over. :class:`CappedKernelManager`
is the kernel manager :func:`~msp_analysis.present.dashboard.serve.voila_command`
names: it refuses a new kernel once :data:`MAX_KERNELS` are running (a
preheated pool's kernels count too, being kernels of this manager), with an
HTTP 503 whose message says how many pages are open and what to do.

Loading it also makes the dashboard's page refuse requests from other sites
(:func:`refuse_other_sites`): a foreign ``Origin``, or a browser's
``Sec-Fetch-Site: cross-site`` (sent even when ``Origin`` is not, e.g. for an
``<img>`` or a no-cors ``fetch``), gets HTTP 403 before any kernel starts.

Loaded by Voilà by its dotted name, in the server's process; nothing in the
package imports it.

Examples
--------
>>> manager = CappedKernelManager(max_kernels=0)
>>> busy_message(manager, 0)[:28]
'The dashboard is busy: 0 pag'
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado import web
from traitlets import Integer
from voila.handler import VoilaHandler

from .serve import MAX_KERNELS

__all__ = ["CappedKernelManager", "busy_message", "foreign_request", "refuse_other_sites"]


def busy_message(manager: Any, running: int) -> str:
    """What a page past the cap says (as the 503's reason)."""
    return (
        f"The dashboard is busy: {running} {'page is' if running == 1 else 'pages are'} open, the most it serves at once "
        f"({manager.max_kernels}). Close a dashboard tab (its kernel stops when it has been idle for a while) "
        "and reload; or restart it with `python -m msp_analysis present --max-kernels N`."
    )


class CappedKernelManager(AsyncMappingKernelManager):
    """Jupyter Server's kernel manager, refusing a new kernel once ``max_kernels`` are running."""

    max_kernels = Integer(MAX_KERNELS, config=True, help="Most kernels running at once; past it HTTP 503.")

    # jupyter_client declares start_kernel synchronous; Jupyter Server's async manager (this one's base) awaits it
    async def start_kernel(  # type: ignore[override]
        self, *, kernel_id: str | None = None, path: Any = None, **kwargs: Any
    ) -> str:
        """Start a kernel as Jupyter Server does, unless ``max_kernels`` already run (then HTTP 503)."""
        running = len(self.list_kernel_ids())
        if kernel_id is None and running >= self.max_kernels:
            self.log.warning("refusing a kernel: %d of %d running", running, self.max_kernels)
            message = busy_message(self, running)
            raise web.HTTPError(503, message, reason=message.replace("`", ""))
        kernel: str = await super().start_kernel(kernel_id=kernel_id, path=path, **kwargs)
        return kernel


def foreign_request(headers: Any, host: str) -> str | None:
    """Why a request for the dashboard's page comes from another site, or None if it does not.

    Examples
    --------
    >>> foreign_request({"Origin": "https://evil.example"}, "127.0.0.1:8866")
    "Origin 'https://evil.example' is not this dashboard"
    >>> foreign_request({"Sec-Fetch-Site": "cross-site"}, "127.0.0.1:8866")
    'Sec-Fetch-Site is cross-site'
    >>> foreign_request({"Origin": "http://127.0.0.1:8866", "Sec-Fetch-Site": "same-origin"}, "127.0.0.1:8866")
    """
    # Not Jupyter Server's JupyterHandler.check_origin: under Voila's own app it reads
    # settings Voila does not set and fails with HTTP 500 (tried, 2026-12-08).
    origin = headers.get("Origin")
    if origin is not None and urlparse(origin.lower()).netloc != host.lower():
        return f"Origin {origin[:100]!r} is not this dashboard"
    if (headers.get("Sec-Fetch-Site") or "").lower() == "cross-site":
        return "Sec-Fetch-Site is cross-site"
    return None


def refuse_other_sites() -> None:
    """Make Voilà's page handler answer HTTP 403 to a request from another site, before any kernel starts.

    Voilà offers no setting for this (its ``prelaunch_hook`` cannot be used
    with preheated kernels), so its handler's ``prepare`` is wrapped, once,
    in the server's process that loads this module.
    """
    if getattr(VoilaHandler, "_msp_same_site_only", False):
        return
    original = VoilaHandler.prepare

    async def prepare(self: Any, *args: Any, **kwargs: Any) -> Any:
        reason = foreign_request(self.request.headers, self.request.host)
        if reason is not None:
            self.log.warning("refusing a request from another site: %s", reason)
            raise web.HTTPError(403, reason, reason="Forbidden: a request from another site")
        return await original(self, *args, **kwargs)

    VoilaHandler.prepare = prepare
    VoilaHandler._msp_same_site_only = True


refuse_other_sites()
