"""CSV records with the line each starts on, read in chunks: a survey file of any size in bounded memory.

:func:`file_problem` says, without reading the file into memory, why a path cannot be read as a UTF-8
CSV file (missing, a folder, a pipe or a device, unreadable, empty, UTF-16, another encoding: with the
line of the first byte that is not UTF-8). :func:`chunks` then yields its records in chunks of
``chunk_rows``, each record with the CSV line it starts on (the header is line 1; a quoted value may
span lines; blank lines are skipped), decoding the file block by block. Nothing here writes.

The lines are those of :class:`csv.reader` on the whole text opened with ``newline=""`` (line breaks
``\\r\\n``, ``\\r`` or ``\\n``), so the numbers are the ones a person sees in an editor.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import gc
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import numpy as np

#: Records per chunk: about 100 MB of Python strings for a 20-column survey.
CHUNK_ROWS = 100_000
#: Bytes decoded at a time.
BLOCK_BYTES = 4 << 20


@dataclass(frozen=True)
class FileProblem:
    """Why a file cannot be read: the message, and the line when there is one."""

    message: str
    line: int | None = None

    def summary(self) -> str:
        """The message, after the line when there is one."""
        return self.message if self.line is None else f"line {self.line}: {self.message}"


class CsvSyntaxError(Exception):
    """The CSV cannot be parsed from ``line`` on (a quote opened there is not closed properly)."""

    def __init__(self, message: str, line: int):
        super().__init__(message, line)
        self.message, self.line = message, line


@dataclass
class Chunk:
    """Records of a CSV file: ``rows`` (lists of strings, blank lines left out) and ``lines`` (the line
    each row starts on, an int64 array)."""

    rows: list[list[str]]
    lines: np.ndarray

    def summary(self) -> str:
        """How many records, from which line to which."""
        if not self.rows:
            return "no records"
        return f"{len(self.rows)} records, lines {int(self.lines[0])}-{int(self.lines[-1])}"


def file_problem(path: str | Path, *, what: str) -> FileProblem | None:
    """Why ``path`` cannot be read as a UTF-8 CSV file of ``what`` rows, or ``None`` when it can.

    The file is read once, block by block, to check its encoding; it is never held whole in memory.
    """
    path = Path(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return FileProblem(f"file not found (looked for {path.resolve()})")
    except PermissionError:
        return FileProblem("cannot be read: permission denied")
    except OSError as err:
        return FileProblem(f"cannot be read: {err.strerror or err}")
    if stat.S_ISDIR(info.st_mode):
        return FileProblem("is a folder, not a CSV file")
    if not stat.S_ISREG(info.st_mode):
        return FileProblem("is not a regular file (a pipe, a socket or a device?): save the survey as a CSV file "
                           "and name that file")
    try:
        with open(path, "rb") as handle:
            return _encoding_problem(handle, what=what)
    except PermissionError:
        return FileProblem("cannot be read: permission denied")
    except OSError as err:
        return FileProblem(f"cannot be read: {err.strerror or err}")


#: The first bytes of files that are not text: what they are, said to a person.
BINARY_SIGNATURES = (
    (b"PK\x03\x04", "a zip archive (an Excel .xlsx or OpenDocument .ods workbook?)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Excel workbook (.xls)"),
    (b"%PDF", "a PDF document"),
)


def _encoding_problem(handle, *, what: str) -> FileProblem | None:
    first = handle.read(BLOCK_BYTES)
    for signature, kind in BINARY_SIGNATURES:
        if first.startswith(signature):
            return FileProblem(f"not a CSV text file: the file is {kind}; open it in its program and save it as "
                               "'CSV UTF-8 (comma delimited)' (in Excel: File, Save As)")
    if first[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return FileProblem("the file is UTF-16 encoded (Excel's 'Unicode Text'): save it as 'CSV UTF-8 (comma "
                           "delimited)'")
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    newlines, block, content = 0, first, False
    while True:
        final = not block
        try:
            decoder.decode(block, final=final)
        except UnicodeDecodeError as err:
            data = err.object
            line = newlines + bytes(data[:err.start]).count(b"\n") + 1
            byte = bytes(data[err.start:err.start + 1]).hex()
            return FileProblem(f"byte 0x{byte} is not valid UTF-8: the file is in another encoding "
                               "(Latin-1/Windows-1252?); save it as 'CSV UTF-8' (in Excel) or re-encode it as UTF-8",
                               line=line)
        if final:
            break
        content = content or bool(block.strip())
        newlines += block.count(b"\n")
        block = handle.read(BLOCK_BYTES)
    if not content:
        return FileProblem(f"file is empty: expected a header row, then one row per {what}")
    return None


def _breaks(row: list[str]) -> int:
    """Line breaks inside a record's (quoted) values: the lines it spans beyond its first."""
    return sum(f.count("\n") + f.count("\r") - f.count("\r\n") for f in row)


def chunks(path: str | Path, *, chunk_rows: int | None = None) -> Iterator[Chunk]:
    """The records of a CSV file (checked with :func:`file_problem` first), ``chunk_rows`` at a time
    (default :data:`CHUNK_ROWS`).

    Raises
    ------
    CsvSyntaxError
        After yielding the records before it: a record that cannot be parsed (the CSV module's strict
        mode: a quote not closed properly), with the line it starts on.
    """
    with open(path, encoding="utf-8-sig", newline="") as handle, _collector_paused():
        yield from _chunks(csv.reader(handle, strict=True), chunk_rows or CHUNK_ROWS)


@contextlib.contextmanager
def _collector_paused():
    """Pause the cyclic garbage collector: millions of new lists of strings (which hold no cycle) would
    otherwise set it scanning again and again, tripling the time a file takes to read."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _chunks(reader, chunk_rows: int) -> Iterator[Chunk]:
    while True:
        before, rows, error = reader.line_num, [], None
        try:
            for row in islice(reader, chunk_rows):
                rows.append(row)
        except csv.Error as err:
            error = err
        except UnicodeDecodeError as err:            # the file changed since file_problem() read it
            error = csv.Error(f"the file is no longer UTF-8 ({err.reason})")
        after = reader.line_num
        if error is None and after - before == len(rows):        # one line per record: the usual case
            spans = np.ones(len(rows), dtype=np.int64)
        else:
            spans = np.fromiter((1 + _breaks(row) for row in rows), dtype=np.int64, count=len(rows))
        starts = before + np.cumsum(spans) - spans + 1
        keep = None if all(rows) else [i for i, row in enumerate(rows) if row]
        if keep is not None:
            rows, starts = [rows[i] for i in keep], starts[keep]
        if rows:
            yield Chunk(rows, starts)
        if error is not None:
            line = int(before + spans.sum() + 1)
            raise CsvSyntaxError(f"the CSV cannot be parsed here ({error}): a quote opened on this line is not "
                                 "closed properly; the rest of the file was not read", line)
        if after == before:
            return
