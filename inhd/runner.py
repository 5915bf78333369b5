"""Execute parameterised notebooks with papermill and report failures a person can act on.

papermill and nbformat are imported when a notebook is run or inspected, not with this module, so
that ``inhd validate`` starts quickly.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path


@dataclass(eq=False)
class NotebookFailure(RuntimeError):
    """A notebook cell raised: which notebook, which cell, which error, and where the partial notebook is."""

    notebook: str
    cell_index: int
    execution_count: int | None
    ename: str
    evalue: str
    partial_notebook: str
    source_line: str = ""

    def __str__(self) -> str:
        count = f" (execution count {self.execution_count})" if self.execution_count else ""
        where = f", which starts `{self.source_line}`" if self.source_line else ""
        return (
            f"notebook {self.notebook} failed in cell {self.cell_index}{count}{where}: "
            f"{self.ename}: {self.evalue}\n"
            f"the partially executed notebook is kept at {self.partial_notebook}"
        )

    def __reduce__(self):
        # An exception is pickled as ``cls(*self.args)`` by default, and a dataclass sets no args: rebuild
        # it from its fields, so that it crosses a process boundary (a worker of a pool) intact.
        fields = (self.notebook, self.cell_index, self.execution_count, self.ename, self.evalue,
                  self.partial_notebook, self.source_line)
        return (type(self), fields)


def notebook_parameters(path: str | Path) -> dict[str, object]:
    """Names and default values of the parameters declared in a notebook's ``parameters`` cell."""
    import papermill as pm

    found = pm.inspect_notebook(str(path))
    return {name: spec["default"] for name, spec in found.items()}


@functools.cache
def _ipc_kernel_manager():
    """A kernel manager that talks to its kernel over local sockets (IPC), not TCP ports: other users
    of the machine cannot connect, and the kernel does not warn on every run that TCP is unencrypted.
    TCP where the sockets' paths (in Jupyter's runtime folder) would pass the 107 bytes a socket path
    may hold."""
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.paths import jupyter_runtime_dir
    from traitlets import default

    longest = f"{jupyter_runtime_dir()}/kernel-00000000-0000-0000-0000-000000000000-ipc-9"
    if len(longest.encode()) > 107:
        return AsyncKernelManager

    class IpcKernelManager(AsyncKernelManager):
        @default("transport")
        def _default_transport(self):
            return "ipc"

    return IpcKernelManager


def execute_notebook(
    source: str | Path,
    destination: str | Path,
    *,
    parameters: dict[str, object] | None = None,
    cwd: str | Path | None = None,
    progress: bool = True,
) -> Path:
    """Run ``source`` with papermill, writing the executed notebook to ``destination``.

    Cells are numbered from 0 in the source notebook, the way ``nbformat`` lists them.

    Parameters
    ----------
    source, destination
        The notebook to run and where to write the executed copy (the source is never modified).
    parameters
        Values injected after the notebook's ``parameters`` cell.
    cwd
        Working directory for the kernel; defaults to the source notebook's folder.
    progress
        Show papermill's progress bar (one tick per cell).

    Raises
    ------
    NotebookFailure
        When a cell raises. The partially executed notebook is kept at ``destination``.
    FileNotFoundError
        When ``source`` does not exist.
    """
    import nbformat
    import papermill as pm

    source, destination = Path(source), Path(destination)
    if not source.is_file():
        raise FileNotFoundError(f"notebook {source} does not exist")
    if source.resolve() == destination.resolve():
        raise ValueError(f"refusing to execute {source} in place: give another destination")
    destination.parent.mkdir(parents=True, exist_ok=True)
    try:
        pm.execute_notebook(
            str(source),
            str(destination),
            parameters=parameters or {},
            cwd=str(cwd or source.parent),
            kernel_name="python3",
            kernel_manager_class=_ipc_kernel_manager(),
            progress_bar=progress,
            log_output=False,
        )
    except pm.PapermillExecutionError as err:
        # papermill counts cells in the executed copy, which has an injected-parameters cell the
        # source lacks; report the index in the source notebook, which is what the reader opens.
        executed = [cell for cell in nbformat.read(destination, as_version=4).cells
                    if "papermill-error-cell-tag" not in cell.metadata.get("tags", [])]  # papermill's error banners
        injected_before = sum(
            "injected-parameters" in cell.metadata.get("tags", []) for cell in executed[: err.cell_index]
        )
        raise NotebookFailure(
            notebook=source.name,
            cell_index=err.cell_index - injected_before,
            source_line=(err.source or "").strip().splitlines()[0] if (err.source or "").strip() else "",
            execution_count=err.exec_count,
            ename=err.ename,
            evalue=err.evalue,
            partial_notebook=str(destination),
        ) from None
    return destination
