"""Many network reports in one process pool: no kernel per network, Ctrl-C honoured, errors kept.

:func:`publish_reports` renders every network's page (:func:`inhd.report_page.render_report`) in a pool
of worker processes that receive the published figures (:class:`inhd.report_page.ReportData`, never a
respondent-level row) once, build the pages in the output folder's staging area, and leave the
publication to :class:`inhd.publish.OutputFolder`: all pages, then ``index.html``, then
``manifest.json``, or nothing.

- A progress bar counts the reports (``progress=False`` hides it).
- Ctrl-C (or SIGTERM) stops the workers at once (they ignore SIGINT; the pool is terminated), the
  staging area is removed and no manifest is written; :class:`KeyboardInterrupt` propagates.
- An error in a worker comes back as a :class:`ReportFailure` naming the network, the error and its
  message (the traceback text too): nothing is lost at the process boundary.
"""

from __future__ import annotations

import multiprocessing
import signal
import traceback
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tqdm.auto import tqdm

from inhd.publish import Entry, OutputFolder, file_names
from inhd.report_page import Painter, ReportData, render_report


class ReportFailure(RuntimeError):
    """A network's report could not be rendered: which network, which error, and its message."""

    def __init__(self, network_id: str, ename: str, evalue: str, details: str = ""):
        super().__init__(network_id, ename, evalue, details)
        self.network_id, self.ename, self.evalue, self.details = network_id, ename, evalue, details

    def __str__(self) -> str:
        return f"the report of network {self.network_id!r} failed: {self.ename}: {self.evalue}"


@dataclass(frozen=True)
class _Failed:
    """A worker's error, as plain text (always picklable)."""

    network_id: str
    ename: str
    evalue: str
    details: str


# Worker state: set once per process by _start_worker.
_DATA: ReportData | None = None
_STAGING: Path | None = None
_PAINTER: Painter | None = None


def _start_worker(data: ReportData, staging: str) -> None:
    """Pool initializer: ignore Ctrl-C (the parent stops us), keep the figures for every page."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)   # the parent's handler is not ours
    global _DATA, _STAGING, _PAINTER
    _DATA, _STAGING, _PAINTER = data, Path(staging), None


def _render_chunk(chunk: Sequence[tuple[str, str]]) -> list[tuple[str, str] | _Failed]:
    """Render and write each (network_id, file name) of ``chunk``; errors come back as :class:`_Failed`."""
    global _PAINTER
    done: list[tuple[str, str] | _Failed] = []
    for network_id, name in chunk:
        try:
            if _PAINTER is None:
                _PAINTER = Painter(_DATA)
            page = render_report(_DATA, network_id, painter=_PAINTER)
            (_STAGING / name).write_text(page, encoding="utf-8")
            done.append((network_id, name))
        except Exception as err:          # noqa: BLE001 - every error is reported, with its network
            done.append(_Failed(network_id, type(err).__name__, str(err), traceback.format_exc()))
    return done


def _chunks(items: list, size: int) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def _raise_on_sigterm(signum, frame):        # pragma: no cover - exercised through a subprocess
    raise KeyboardInterrupt(f"signal {signum}")


def render_reports(
    data: ReportData,
    network_ids: Iterable[str],
    staging: str | Path,
    *,
    jobs: int = 2,
    progress: bool = True,
    chunk_size: int | None = None,
) -> list[Entry]:
    """Render each network's report into ``staging``; return the entries to publish (file, network).

    File names come from :func:`inhd.publish.file_names` (distinct and stable). With ``jobs`` > 1 the
    pages are rendered in a pool of ``jobs`` processes, in chunks.

    Raises
    ------
    ReportFailure
        A page failed (the first failure, by network order); nothing more is rendered.
    KeyboardInterrupt
        Ctrl-C or SIGTERM: the workers are terminated before this propagates.
    ValueError
        ``jobs`` is below 1.
    """
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be a whole number of at least 1, got {jobs!r}")
    ids = [str(i) for i in network_ids]
    names = file_names(ids)
    tasks = [(network_id, names[network_id]) for network_id in ids]
    chunk_size = chunk_size or max(1, min(25, len(tasks) // (4 * jobs) or 1))
    chunks = _chunks(tasks, chunk_size)
    previous_term = signal.signal(signal.SIGTERM, _raise_on_sigterm)
    pool = None
    try:
        if jobs == 1 or len(chunks) == 1:
            _start_worker_in_process(data, staging)
            results = map(_render_chunk, chunks)
        else:
            pool = multiprocessing.get_context("fork").Pool(jobs, initializer=_start_worker,
                                                            initargs=(data, str(staging)))
            results = pool.imap_unordered(_render_chunk, chunks)
        written: dict[str, str] = {}
        with tqdm(total=len(tasks), desc="network reports", unit="report", disable=not progress) as bar:
            for done in results:
                for item in done:
                    if isinstance(item, _Failed):
                        raise ReportFailure(item.network_id, item.ename, item.evalue, item.details)
                    written[item[0]] = item[1]
                bar.update(len(done))
        if pool is not None:
            pool.close()
            pool.join()
    except BaseException:
        if pool is not None:
            pool.terminate()                 # SIGTERM to every worker, now
            pool.join()
        raise
    finally:
        signal.signal(signal.SIGTERM, previous_term)
        _stop_worker_in_process()
    return [Entry(written[network_id], network_id) for network_id in ids]


def _start_worker_in_process(data: ReportData, staging: str | Path) -> None:
    global _DATA, _STAGING, _PAINTER
    _DATA, _STAGING, _PAINTER = data, Path(staging), None


def _stop_worker_in_process() -> None:
    global _DATA, _STAGING, _PAINTER
    _DATA, _STAGING, _PAINTER = None, None, None


def publish_reports(
    data: ReportData,
    out: str | Path,
    *,
    network_ids: Iterable[str] | None = None,
    inputs: Iterable[str | Path] = (),
    force: bool = False,
    jobs: int = 2,
    progress: bool = True,
    title: str = "Network feedback reports",
) -> list[Path]:
    """Render the reports of ``network_ids`` (default: every network) and publish them whole into ``out``.

    ``out`` is held by :class:`inhd.publish.OutputFolder` (locked, refused when it holds an input or is
    not empty without ``force``); the pages are built aside and published with ``index.html`` and,
    last, ``manifest.json``. Returns the published report paths, in network order.
    """
    ids = data.network_ids if network_ids is None else [str(i) for i in network_ids]
    with OutputFolder(out, inputs=inputs, force=force) as folder:
        entries = render_reports(data, ids, folder.staging, jobs=jobs, progress=progress)
        folder.publish(entries, title=title, extra={"min_cell": data.min_cell, "n_networks": len(ids)})
        return [folder.path / entry.file for entry in entries]
