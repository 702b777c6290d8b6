"""One Jupyter kernel for many notebooks: papermill's engine API with a kernel that is kept.

Run through papermill one by one, every notebook starts its own kernel, which then imports pandas,
seaborn and the helpers again: about 1.5 s a notebook, more than the work most of them do. The batch
instead keeps one kernel per worker and executes the notebooks of its districts in it, one after the
other, through `SharedKernel.execute` (papermill's `execute_notebook` with the engine below).

What a notebook sees is what a fresh kernel shows it: before each notebook the kernel's namespace
is emptied (IPython's `%reset -f`), its cell counter set back to 1 and any open matplotlib figure
closed, so a notebook cannot use a name another one left behind; only imported modules stay, which
is the point. The executed
notebook is the same run record papermill always writes (parameters cell, outputs, timings).
A kernel that died (a crash in a cell) is replaced before the next notebook.
"""

from __future__ import annotations

from pathlib import Path
from typing import Self

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines

ENGINE_NAME = "chiso-shared-kernel"
KERNEL_ARGUMENTS = [
    # the kernel talks to us on loopback only; its warning about unencrypted TCP is noise here
    "--IPKernelApp.log_level=ERROR",
    # no input history database: the cell counter restarts at 1 for every notebook, and IPython's
    # history would then print "Session/line number was not unique" into a notebook's output
    "--HistoryManager.enabled=False",
]
RESET_CODE = """\
import sys as _sys
if "matplotlib.pyplot" in _sys.modules:
    _sys.modules["matplotlib.pyplot"].close("all")
get_ipython().run_line_magic("reset", "-f")
get_ipython().execution_count = 1
"""


class NamespaceResetError(RuntimeError):
    pass


class _SharedKernelClient(PapermillNotebookClient):
    """papermill's client on a kernel and channels it does not own: it empties the namespace first
    and leaves kernel and channels open for the next notebook."""

    def papermill_execute_cells(self):
        reply = self.wait_for_reply(self.kc.execute(RESET_CODE, silent=True, store_history=False))
        if reply is None or reply["content"]["status"] != "ok":
            raise NamespaceResetError("không làm trống được không gian tên của kernel trước notebook")
        super().papermill_execute_cells()


class SharedKernelEngine(NBClientEngine):
    """papermill engine: `km` (a started kernel manager) and `kc` (its client, channels started) are
    required; neither is shut down."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                 stderr_file=None, start_timeout=60, execution_timeout=None, **kwargs):
        kwargs.pop("input_path", None)
        kc = kwargs.pop("kc")
        client = _SharedKernelClient(
            nb_man, timeout=execution_timeout, startup_timeout=start_timeout, kernel_name=kernel_name,
            log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file, **kwargs)
        client.kc = kc  # nbclient starts a client only when it has none
        return client.execute()


papermill_engines.register(ENGINE_NAME, SharedKernelEngine)


class SharedKernel:
    """A kernel that executes notebooks in turn. Use as a context manager, or call close().

    `start()` only launches the kernel process, so the caller can do other work while it boots;
    `execute` waits for it to be ready (and starts one if there is none, or it died).
    """

    def __init__(self, kernel_name: str, cwd: Path):
        self.kernel_name = kernel_name
        self.cwd = Path(cwd)
        self.km: AsyncKernelManager | None = None
        self.kc = None  # our client of km, channels open once the kernel answered
        self.started = 0  # kernels launched (1 unless one died)

    def start(self) -> None:
        self.close()
        self.km = AsyncKernelManager(kernel_name=self.kernel_name)
        run_sync(self.km.start_kernel)(extra_arguments=KERNEL_ARGUMENTS, cwd=str(self.cwd))
        self.started += 1

    def _ready(self) -> None:
        if self.km is None or not run_sync(self.km.is_alive)():
            self.start()
        if self.kc is None:
            self.kc = self.km.client()
            self.kc.start_channels()
            run_sync(self.kc.wait_for_ready)(timeout=60)

    def execute(self, input_path: Path, output_path: Path, parameters: dict) -> None:
        """papermill.execute_notebook in this kernel; raises what papermill raises."""
        import papermill as pm

        self._ready()
        pm.execute_notebook(
            str(input_path), str(output_path), parameters=parameters, engine_name=ENGINE_NAME,
            km=self.km, kc=self.kc, kernel_name=self.kernel_name, cwd=str(self.cwd), progress_bar=False,
            log_output=False)

    def close(self) -> None:
        if self.km is None:
            return
        km, kc, self.km, self.kc = self.km, self.kc, None, None
        if kc is not None:
            kc.stop_channels()
        try:
            run_sync(km.shutdown_kernel)(now=False)
        except RuntimeError:  # already gone
            pass
        finally:
            run_sync(km.cleanup_resources)()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
