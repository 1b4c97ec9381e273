"""Jupyter kernels for batch runs: IPC sockets, and forked from a pre-loaded server.

A pack notebook spends most of its time *starting*: a new Python, then importing IPython,
pandas, altair and the workbench (about 2.5 s on a laptop core) before its first real
line runs. A batch of 24 notebooks pays that 24 times.

``ForkingProvisioner`` starts each kernel by forking a small server process (Python's
``multiprocessing`` forkserver) that imported those modules once. Each notebook still gets
its own, fresh kernel process: nothing a notebook computes is ever seen by another (the
server never runs notebook code, only imports). Only the import work is shared, by
copy-on-write memory. Where forking does not apply (a kernel other than this Python, a
daemonic process such as a Dask worker, not POSIX, or ``CSCW_FORK_KERNELS=0``) the kernel
is started the ordinary way.

``IPCKernelManager`` talks to the kernel over Unix-domain sockets in a private folder:
TCP kernels pick random ports, which clash now and then when many start at once.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import time
import types
import uuid
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner
from traitlets import CaselessStrEnum, default

# Imported once by the fork server; every forked kernel starts with them loaded. Only
# modules whose import has no side effect beyond defining things belong here.
KERNEL_PRELOAD = (
    "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "IPython.core.interactiveshell",
    "numpy", "pandas", "pyarrow", "duckdb", "altair", "jsonschema",
    "csc_workbench.model.warehouse", "csc_workbench.presentation.charts",
    "csc_workbench.presentation.published",
    # The monthly pack's library: assessment, reference, narrative, sections, the workbook writer.
    "csc_workbench.packs.monthly", "csc_workbench.assessment", "csc_workbench.reference.report",
    "csc_workbench.presentation.sections", "markdown_it", "openpyxl",
)
_PRELOAD_SET = False


def library_path() -> str:
    """The folder holding the csc_workbench package this process runs."""
    return str(Path(__file__).resolve().parents[2])


def forking_enabled() -> bool:
    if os.environ.get("CSCW_FORK_KERNELS", "1").strip().lower() in ("0", "false", "no", "off"):
        return False
    if sys.platform == "win32" or "forkserver" not in multiprocessing.get_all_start_methods():
        return False
    # multiprocessing forbids children of daemonic processes (Dask worker processes are).
    return not multiprocessing.current_process().daemon


def _forkserver_context():
    global _PRELOAD_SET
    ctx = multiprocessing.get_context("forkserver")
    if not _PRELOAD_SET:
        ctx.set_forkserver_preload(list(KERNEL_PRELOAD))
        _PRELOAD_SET = True
    return ctx


def _exit_with(client_pid: int) -> None:
    """Exit as soon as the process that asked for this kernel is gone (killed batch,
    crashed worker): a forked kernel is not that process's child, so nothing else would
    stop it, and it keeps the fork server alive too."""
    import threading

    def watch() -> None:
        try:
            fd = os.pidfd_open(client_pid)
        except (AttributeError, OSError):
            fd = None
        if fd is not None:
            import select

            select.select([fd], [], [])  # readable once the process has exited
        else:
            while True:
                try:
                    os.kill(client_pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="cscw-client-watch", daemon=True).start()


def _kernel_main(argv: list[str], env: dict[str, str], cwd: str | None, client_pid: int) -> None:
    """Body of a forked kernel: become the process a normal kernel launch would have made."""
    _exit_with(client_pid)
    os.setsid()  # own process group, as jupyter_client gives spawned kernels
    os.environ.clear()
    os.environ.update(env)
    for entry in reversed([p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]):
        if entry not in sys.path:
            sys.path.insert(0, entry)
    if cwd:
        os.chdir(cwd)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    # As for a launched kernel: a parent to watch (here the fork server), which also tells
    # ipykernel it was started by a client (no console banner).
    argv = [*argv, f"--IPKernelApp.parent_handle={os.getppid()}"]
    sys.argv = ["ipykernel_launcher", *argv]
    from ipykernel.kernelapp import IPKernelApp

    IPKernelApp.launch_instance(argv=argv)


@contextlib.contextmanager
def no_main_module():
    """multiprocessing re-imports the parent's ``__main__`` script in a child it starts
    (running an unguarded script's code again). A kernel needs nothing from it, so hide it
    while the child is being started."""
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


class _ForkedProcess:
    """The part of ``subprocess.Popen`` that LocalProvisioner uses, for a forked kernel."""

    stdin = stdout = stderr = None

    def __init__(self, process: multiprocessing.Process):
        self._process = process
        self.pid = process.pid

    def poll(self) -> int | None:
        return self._process.exitcode

    def wait(self, timeout: float | None = None) -> int | None:
        self._process.join(timeout)
        return self._process.exitcode

    def send_signal(self, signum: int) -> None:
        os.kill(self.pid, signum)

    def kill(self) -> None:
        self._process.kill()

    def terminate(self) -> None:
        self._process.terminate()


class ForkingProvisioner(LocalProvisioner):
    """LocalProvisioner that forks the kernel from the pre-loaded server when it can."""

    forked = False

    async def launch_kernel(self, cmd: list[str], **kwargs):
        is_this_python = (len(cmd) > 2 and os.path.realpath(cmd[0]) == os.path.realpath(sys.executable)
                          and cmd[1] == "-m" and cmd[2] == "ipykernel_launcher")
        if not (is_this_python and forking_enabled()):
            return await super().launch_kernel(cmd, **kwargs)
        env = dict(kwargs.get("env") or os.environ)
        cwd = kwargs.get("cwd")
        ctx = _forkserver_context()
        process = ctx.Process(target=_kernel_main, args=(cmd[3:], env, str(cwd) if cwd else None, os.getpid()),
                              name="cscw-kernel")
        with no_main_module():
            process.start()
        self.process = _ForkedProcess(process)
        self.forked = True
        self.pid = process.pid
        # Signal the kernel itself, never a group: until the child has called setsid() its
        # group is ours, and an interrupt sent there would hit the batch.
        self.pgid = None
        self.cwd = cwd
        return self.connection_info


class IPCKernelManager(AsyncKernelManager):
    """A kernel reached over Unix-domain sockets in its own private folder, started by
    ``ForkingProvisioner``, with this process's ``csc_workbench`` on its ``PYTHONPATH``
    so notebooks run the same library as the batch that launched them."""

    transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)

    @default("ip")
    def _ip_default(self) -> str:
        self._ipc_dir = tempfile.mkdtemp(prefix="cscw-k-")
        return os.path.join(self._ipc_dir, "k")

    async def _async_pre_start_kernel(self, **kw):
        env = dict(kw.pop("env", None) or os.environ)
        lib = library_path()
        paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
        if lib not in paths:
            env["PYTHONPATH"] = os.pathsep.join([lib, *paths])
        env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # silences a debugger warning
        kw["env"] = env
        # Notebook code is not kept in IPython's history database.
        kw["extra_arguments"] = [*kw.get("extra_arguments", []), "--HistoryManager.enabled=False"]
        if self.provisioner is None:
            self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
            self.provisioner = ForkingProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec,
                                                  parent=self)
        return await super()._async_pre_start_kernel(**kw)

    _skip_interrupt = False

    async def _async_shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
        # jupyter_client interrupts a kernel before asking it to shut down. After papermill
        # the kernel is idle (or past a timeout, when shutdown goes by the control channel
        # and a kill follows anyway), and the stray interrupt only makes the kernel log a
        # KeyboardInterrupt error on the console.
        self._skip_interrupt = True
        try:
            await super()._async_shutdown_kernel(now=now, restart=restart)
        finally:
            self._skip_interrupt = False

    shutdown_kernel = _async_shutdown_kernel

    async def _async_interrupt_kernel(self) -> None:
        if not self._skip_interrupt:
            await super()._async_interrupt_kernel()

    interrupt_kernel = _async_interrupt_kernel

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart and getattr(self, "_ipc_dir", None):
            shutil.rmtree(self._ipc_dir, ignore_errors=True)


def start_fork_server() -> None:
    """Start the kernel fork server now (it takes a few seconds to import its modules)
    rather than when the first notebook needs a kernel."""
    from multiprocessing import forkserver

    _forkserver_context()
    forkserver.ensure_running()
