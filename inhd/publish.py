"""Publishing an output folder safely: one run at a time, whole or visibly incomplete, nothing live.

What ``inhd report`` and ``inhd run`` leave for people to open and share goes through here:

- :class:`OutputFolder`: an exclusive lock on the folder for the run; every output is built aside
  (in a staging folder inside it) and published whole at the end, then ``index.html`` (listing every
  published file) and, last of all, ``manifest.json`` (each file with its network and SHA-256). A
  folder without a ``manifest.json`` is therefore visibly incomplete: a run that failed or was
  interrupted publishes nothing. Refused, even with ``force``: a folder that holds an input file, an
  output folder below an existing file, and any output name that would land outside the folder.
- :func:`file_names`: distinct, stable file names for distinct ids (a safe slug, plus a short hash of
  the id where the id is unsafe, long, reserved, or its slug collides with another's).
- :func:`write_shareable_csv`, :func:`neutralise_csv_file`: CSV tables meant for sharing, with every
  cell that a spreadsheet would run as a formula (starting with ``= + - @``, a tab or a carriage
  return, and not a number) written with a leading ``'``.
- :func:`html_page`, :func:`escape`: HTML pages with no script at all, every string from the data
  escaped, and a Content-Security-Policy (:data:`CONTENT_SECURITY_POLICY`) that forbids any fetch, so
  a page stays self-contained and inert whatever an id holds.
"""

from __future__ import annotations

import csv
import errno
import fcntl
import hashlib
import html
import io
import json
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pandas as pd

from inhd import __version__
from inhd.privacy import COUNT_COLUMNS, MIN_CELL, check_min_cell

#: The folder's lock file (held with ``flock`` while a run writes; removed at the end).
LOCK_NAME = ".inhd.lock"
#: Outputs are built in a folder of this prefix inside the output folder, then moved into place.
STAGING_PREFIX = ".inhd-staging-"
#: Written last: its presence says the folder is complete.
MANIFEST_NAME = "manifest.json"
INDEX_NAME = "index.html"

#: Pages may show inline styles and images from data: URIs, and fetch, run or submit nothing.
CONTENT_SECURITY_POLICY = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
                           "base-uri 'none'; form-action 'none'")

#: File stems that never come from an id as they are (our own files; devices on Windows).
RESERVED_STEMS = frozenset({"index", "manifest", "tables", "con", "prn", "aux", "nul",
                            *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))})
#: Longest slug kept from an id before the hash.
MAX_STEM = 60
_SAFE_STEM = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
#: A cell starting with one of these is run as a formula by spreadsheets (unless it is a number).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class OutputFolderError(ValueError):
    """An output folder that cannot be used: the message says why and what to do."""


class FolderLocked(OutputFolderError):
    """Another run holds the output folder's lock."""


# ---------------------------------------------------------------------------------------------------
# Names


def id_hash(value: object, length: int = 10) -> str:
    """The first ``length`` hex digits of the SHA-256 of ``str(value)`` (UTF-8): stable across runs."""
    return hashlib.sha256(str(value).encode("utf-8", "surrogatepass")).hexdigest()[:length]


def slug(value: object, *, max_length: int = MAX_STEM) -> str:
    """``value`` as a file-name stem of ASCII letters, digits, ``.``, ``_`` and ``-`` (at most ``max_length``).

    Accents are dropped (``é`` -> ``e``), every other run of characters becomes ``_``, and the ends are
    trimmed to a letter or digit; an empty result is ``"id"``.

    Examples
    --------
    >>> slug("North/East"), slug("../../etc/passwd"), slug("Réseau Nord"), slug("<>")
    ('North_East', 'etc_passwd', 'Reseau_Nord', 'id')
    """
    ascii_text = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode("ascii")
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_text)[:max_length]
    stem = re.sub(r"^[^A-Za-z0-9]+|[^A-Za-z0-9]+$", "", stem)
    return stem or "id"


def _plain(value: str, max_length: int) -> bool:
    """An id usable as its own file stem."""
    return (len(value) <= max_length and bool(_SAFE_STEM.fullmatch(value)) and ".." not in value
            and value.lower().split(".")[0] not in RESERVED_STEMS)


def file_names(ids: Iterable[object], *, suffix: str = ".html", max_length: int = MAX_STEM) -> dict[str, str]:
    """Distinct, stable file names for distinct ids.

    An id that is already a safe stem (ASCII letters, digits, ``._-``, at most ``max_length``, not
    a reserved name such as ``index`` or ``CON``) is its own name: ``N01`` -> ``N01.html``. Any other
    id gets its :func:`slug` plus the first 10 hex digits of its SHA-256:
    ``North/East`` -> ``North_East-<hash>.html``. Names that would still coincide (compared without
    regard to case, as Windows and macOS file systems do) all get the hash, so no report overwrites
    another. A name depends on its id alone, except for those case-only and crafted collisions.

    Returns
    -------
    dict
        ``str(id) -> file name``, for every distinct id.

    Examples
    --------
    >>> names = file_names(["N01", "North/East", "North_East", "North East"])
    >>> names["N01"], names["North_East"], len(set(names.values()))
    ('N01.html', 'North_East.html', 4)
    """
    if not re.fullmatch(r"(\.[A-Za-z0-9]+)*", suffix):
        raise ValueError(f"file_names: suffix must look like '.html', got {suffix!r}")
    keys = list(dict.fromkeys(str(i) for i in ids))
    hashed = {key: not _plain(key, max_length) for key in keys}
    length = 10
    while True:
        names = {key: (f"{slug(key, max_length=max_length)}-{id_hash(key, length)}" if hashed[key] else key)
                 for key in keys}
        by_lower: dict[str, list[str]] = {}
        for key, stem in names.items():
            by_lower.setdefault(stem.lower(), []).append(key)
        clashes = [group for group in by_lower.values() if len(group) > 1]
        if not clashes:
            return {key: names[key] + suffix for key in keys}
        plain_clash = [key for group in clashes for key in group if not hashed[key]]
        if plain_clash:
            hashed.update(dict.fromkeys(plain_clash, True))
        elif length < 64:
            length = 64                      # two ids whose 10-digit hashes coincide: use the full hash
        else:                                # pragma: no cover - a SHA-256 collision
            raise ValueError(f"file_names: cannot give distinct names to {clashes[0]}")


def check_file_name(name: str) -> str:
    """``name`` if it is a relative path of safe parts inside a folder (``tables/x.csv``); else ``ValueError``.

    Each part must be a safe stem with an extension (see :func:`file_names`), not hidden, not ``..``.
    """
    parts = str(name).split("/")
    if not name or any(not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", part) or ".." in part for part in parts):
        raise ValueError(f"{name!r} is not a safe output file name (letters, digits, '._-', no folder outside)")
    return str(name)


# ---------------------------------------------------------------------------------------------------
# Shareable CSV


def neutralise(value: object) -> object:
    """A cell a spreadsheet would run as a formula, written as text with a leading ``'``; others unchanged.

    Examples
    --------
    >>> neutralise("=HYPERLINK(\\"http://x\\")"), neutralise("-1.5"), neutralise("@SUM(A1)"), neutralise(3)
    ('\\'=HYPERLINK("http://x")', '-1.5', "'@SUM(A1)", 3)
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def shareable(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` with every text cell and column name passed through :func:`neutralise`."""
    result = table.copy()
    for column in result.columns:
        values = result[column]
        if not (pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)):
            result[column] = values.astype(object).map(neutralise)
    result.columns = [neutralise(str(c)) if not isinstance(c, (int, float)) else c for c in result.columns]
    return result


def write_shareable_csv(table: pd.DataFrame, path: str | Path) -> Path:
    """Write ``table`` (no index) as UTF-8 CSV with formulas neutralised (:func:`shareable`)."""
    path = Path(path)
    shareable(table).to_csv(path, index=False, lineterminator="\n")
    return path


def neutralise_csv_file(path: str | Path) -> int:
    """Neutralise the formulas of a CSV file in place (read and written as text); returns the cells changed.

    For tables written by code we do not control (a paper notebook's ``output_dir``): numbers, quoting
    and everything else stay as they were.
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    changed = 0
    for row in rows:
        for j, cell in enumerate(row):
            safe = neutralise(cell)
            if safe is not cell:
                row[j], changed = safe, changed + 1
    if changed:
        buffer = io.StringIO(newline="")
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        path.write_text(buffer.getvalue(), encoding="utf-8")
    return changed


#: Columns that label a row rather than describe a group (kept on a suppressed row, so one can tell
#: which row it was).
LABEL_COLUMNS = ("measure", "wave", "model", "term", "component", "quantity")


def shareable_csv_file(path: str | Path, *, group_sizes: Mapping[str, Mapping[str, int]] | None = None,
                       min_cell: int = MIN_CELL) -> Path:
    """Make a CSV table written by other code (a paper notebook) shareable, in place.

    For each column of ``group_sizes`` the table has (e.g. ``{"network_id": publishable respondents
    per network}``), the rows of a group with fewer than ``min_cell`` respondents (or none) keep only
    that column and their labels (:data:`LABEL_COLUMNS`) and are marked in a ``suppressed`` column
    (added, or combined with the table's own), as
    :func:`inhd.privacy.suppress_by_group_size` does. So is a group's row whose own count
    (:data:`COUNT_COLUMNS`) is below ``min_cell``: a figure of one wave, say, of a network large over
    all waves. Then every formula is neutralised. Cells are read and written as text, so numbers keep
    their digits and the header its names.
    """
    min_cell = check_min_cell(min_cell)
    path = Path(path)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))
    if rows:
        header, body = rows[0], rows[1:]
        groups = [(header.index(c), {str(k): v for k, v in dict(sizes).items()})
                  for c, sizes in (group_sizes or {}).items() if c in header]
        if groups:
            if "suppressed" not in header:
                header.append("suppressed")
            flag = header.index("suppressed")
            counts = [header.index(c) for c in COUNT_COLUMNS if c in header]
            for row in body:
                row.extend([""] * (len(header) - len(row)))
                small = (any(float(sizes.get(row[j], 0)) < min_cell for j, sizes in groups)
                         or any(_below(row[j], min_cell) for j in counts))
                if small:
                    keep = {j for j, _ in groups} | {j for j, c in enumerate(header) if c in LABEL_COLUMNS}
                    row[:] = [cell if j in keep else "" for j, cell in enumerate(row)]
                before = row[flag].strip().lower() in ("true", "1")
                row[flag] = str(small or before)
        rows = [header, *body]
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\n").writerows([[neutralise(cell) for cell in row] for row in rows])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def _below(cell: str, min_cell: int) -> bool:
    """A count cell below ``min_cell`` (blank or text: not a count, not below)."""
    try:
        return float(cell) < min_cell
    except ValueError:
        return False


# ---------------------------------------------------------------------------------------------------
# HTML


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

_STYLE = """
body { font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; max-width: 60rem; margin: 2rem auto;
       padding: 0 1rem; color: #1a1a1a; line-height: 1.45; }
h1, h2 { line-height: 1.2; overflow-wrap: anywhere; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; font-size: 0.9rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.25rem 0.6rem; text-align: left; overflow-wrap: anywhere; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.suppressed { color: #777; font-style: italic; }
.note { background: #fff6d6; border-left: 4px solid #e0b000; padding: 0.5rem 0.8rem; }
img { max-width: 100%; height: auto; }
"""


_CODE = re.compile(r"(```.*?```|`[^`\n]*`)", re.S)
_DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", re.S)
_INLINE_MATH = re.compile(r"(?<![\\$])\$([^$\n]+?)\$(?!\$)")


def tex_as_mathml(markdown: str, formulas: dict[str, str]) -> str:
    r"""Markdown with each ``$...$`` and ``$$...$$`` formula replaced by a placeholder word, its MathML
    stored in ``formulas`` under that word for :func:`put_formulas` to put in the finished HTML.
    Browsers draw MathML without a script (MathJax cannot run under :data:`CONTENT_SECURITY_POLICY`);
    placeholders, because nbconvert's image embedding re-parses inline HTML and would break the MathML
    apart. Code spans and fenced blocks are left alone, and so is a formula the converter cannot read.

    Examples
    --------
    >>> kept = {}
    >>> tex_as_mathml("A measure $\\theta_n$, $$x^2$$ and `$HOME`.", kept)
    'A measure inhdformula0001, inhdformula0000 and `$HOME`.'
    >>> "<msub><mi>&#x003B8;</mi><mi>n</mi></msub>" in kept["inhdformula0001"]
    True
    >>> put_formulas("<p>inhdformula0000</p>", kept)
    '<p><math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><mrow><msup><mi>x</mi><mn>2</mn></msup></mrow></math></p>'
    """
    from latex2mathml.converter import convert

    def placeholder(match, display):
        try:
            mathml = convert(match.group(1).strip(), display=display)
        except Exception:                      # the converter's own errors are of many kinds: keep the TeX
            return match.group(0)
        key = f"inhdformula{len(formulas):04d}"
        formulas[key] = mathml
        return key

    parts = _CODE.split(markdown)
    for k in range(0, len(parts), 2):          # the text between code spans
        text = _DISPLAY_MATH.sub(lambda m: placeholder(m, "block"), parts[k])
        parts[k] = _INLINE_MATH.sub(lambda m: placeholder(m, "inline"), text)
    return "".join(parts)


def put_formulas(html_text: str, formulas: Mapping[str, str]) -> str:
    """``html_text`` with the placeholders of :func:`tex_as_mathml` replaced by their MathML."""
    if not formulas:
        return html_text
    return re.sub(r"inhdformula\d{4}", lambda m: formulas.get(m.group(0), m.group(0)), html_text)


def escape(value: object) -> str:
    """``str(value)`` safe as HTML text or a quoted attribute: ``& < > " '`` escaped, control and
    bidirectional-override characters shown as U+FFFD.

    Examples
    --------
    >>> escape('"><img src=x onerror=alert(1)>')
    '&quot;&gt;&lt;img src=x onerror=alert(1)&gt;'
    """
    return html.escape(_CONTROL.sub("\ufffd", str(value)), quote=True)


def html_page(title: str, body: str) -> str:
    """A complete HTML page around ``body`` (already HTML): no script, the :data:`CONTENT_SECURITY_POLICY`.

    ``title`` is text (it is escaped here); ``body`` must have been built with :func:`escape`.
    """
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<meta http-equiv=\"Content-Security-Policy\" content=\"{CONTENT_SECURITY_POLICY}\">\n"
            "<meta name=\"referrer\" content=\"no-referrer\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")


def index_page(entries: Iterable["Entry"], *, title: str) -> str:
    """``index.html``: one link per published file, with its network id (escaped) when any file is
    about a network; the count says that ``manifest.json`` lists this index too."""
    entries = list(entries)
    networks = any(entry.network_id is not None for entry in entries)
    rows = []
    for entry in entries:
        label = f"<td>{'' if entry.network_id is None else escape(entry.network_id)}</td>" if networks else ""
        rows.append(f"<tr>{label}<td><a href=\"{escape(quote(entry.file))}\">{escape(entry.file)}</a></td></tr>")
    n = len(rows)
    body = (f"<h1>{escape(title)}</h1>\n<p>{n} file{'s' if n != 1 else ''} below, and this index: "
            f"<code>{MANIFEST_NAME}</code> lists all {n + 1} with their SHA-256; a folder without it is "
            "incomplete.</p>\n"
            f"<table>\n<thead><tr>{'<th>network</th>' if networks else ''}<th>file</th></tr></thead>\n<tbody>\n"
            + "\n".join(rows) + "\n</tbody>\n</table>")
    return html_page(title, body)


# ---------------------------------------------------------------------------------------------------
# The output folder


@dataclass(frozen=True)
class Entry:
    """One published file: its path relative to the output folder, and the network it is about."""

    file: str
    network_id: str | None = None

    def summary(self) -> str:
        """``file`` and the network it is about."""
        return self.file if self.network_id is None else f"{self.file} (network {self.network_id!r})"


def sha256_file(path: str | Path) -> str:
    """The SHA-256 of a file's bytes, in hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _is_within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_output_folder(out: str | Path, *, inputs: Iterable[str | Path] = ()) -> Path:
    """The absolute output folder, refused with a sentence when it cannot be used whatever ``force`` says.

    Raises
    ------
    OutputFolderError
        ``out`` is an existing file, lies below an existing file, or holds (at any depth) one of
        the ``inputs``.
    """
    given = Path(out).expanduser()
    absolute = Path(os.path.abspath(given))
    for ancestor in [absolute, *absolute.parents]:
        if ancestor.exists() and not ancestor.is_dir():
            where = "is a file" if ancestor == absolute else f"lies below {ancestor}, which is a file"
            raise OutputFolderError(f"cannot use {given} as the output folder: it {where}; choose a folder")
    resolved = absolute.resolve()
    for path in inputs:
        if path is None:
            continue
        candidates = {Path(os.path.abspath(Path(path).expanduser())), Path(path).expanduser().resolve()}
        if any(_is_within(c, absolute) or _is_within(c, resolved) for c in candidates):
            raise OutputFolderError(
                f"the output folder {given} holds the input file {path}: inhd never writes where its inputs are, "
                "even with --force; choose another folder")
    return absolute


class OutputFolder:
    """An output folder held by one run: lock, staging, then publication whole with an index and a manifest.

    Use it as a context manager::

        with OutputFolder(out, inputs=[respondents, networks], force=force) as folder:
            path = folder.stage("N01.html")        # write the file there
            ...
            folder.publish([Entry("N01.html", "N01")], title="Network reports")

    Entering creates the folder if needed, takes the lock (refusing with :class:`FolderLocked` if
    another run holds it), refuses a non-empty folder unless ``force``, and creates the staging
    folder. :meth:`publish` moves the staged files into place, removes the files the previous
    manifest listed that this run does not replace (named in :attr:`removed`, for the caller to say
    so), writes ``index.html`` and then ``manifest.json``.
    Leaving without publishing (an error, Ctrl-C) deletes the staging folder and publishes nothing
    (a folder the run created is removed again if it is left empty). The lock is released on leaving.

    Raises
    ------
    OutputFolderError
        The folder cannot be used (see :func:`check_output_folder`), or is not empty and ``force`` is
        false (a ``FileExistsError`` too, for callers that catch that).
    """

    def __init__(self, out: str | Path, *, inputs: Iterable[str | Path] = (), force: bool = False):
        self.path = check_output_folder(out, inputs=inputs)
        self.given = Path(out)
        self.force = force
        self.staging: Path | None = None
        self._lock_fd: int | None = None
        self._created = False
        self.published = False
        self.removed: list[str] = []          # files of the previous run that publish() removed

    # -- entering and leaving
    def __enter__(self) -> "OutputFolder":
        self._created = not self.path.exists()
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise OutputFolderError(f"cannot create the output folder {self.given}: {err.strerror or err}") from None
        self._lock()
        try:
            self._clear_stale_staging()
            leftovers = [p.name for p in self.path.iterdir() if p.name != LOCK_NAME]
            if leftovers and not self.force:
                raise NotEmpty(f"{self.given} is not empty: choose an empty folder, or pass --force to overwrite "
                               "what is there")
            self.staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=self.path))
        except BaseException:
            self._unlock()
            raise
        return self

    def __exit__(self, *exc) -> None:
        if self.staging is not None and self.staging.exists():
            shutil.rmtree(self.staging, ignore_errors=True)
        self.staging = None
        self._unlock()
        if self._created and not self.published:
            try:                               # a folder this run created and left empty goes again
                self.path.rmdir()
            except OSError:
                pass

    def _lock(self) -> None:
        lock = self.path / LOCK_NAME
        for _ in range(5):
            fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as err:
                os.close(fd)
                if err.errno in (errno.EAGAIN, errno.EACCES):
                    raise FolderLocked(f"another inhd run is writing into {self.given} (it holds {lock}): wait "
                                       "for it to finish, or choose another folder") from None
                raise
            try:                               # the file we locked is still the one at that path
                same = os.path.samestat(os.fstat(fd), os.stat(lock, follow_symlinks=False))
            except FileNotFoundError:
                same = False
            if same:
                self._lock_fd = fd
                return
            os.close(fd)
        raise FolderLocked(f"could not take the lock {lock}: another run keeps replacing it")

    def _unlock(self) -> None:
        if self._lock_fd is None:
            return
        try:
            os.unlink(self.path / LOCK_NAME)
        except FileNotFoundError:
            pass
        os.close(self._lock_fd)                # closing releases the flock
        self._lock_fd = None

    def _clear_stale_staging(self) -> None:
        """Staging folders left by a run that was killed (we hold the lock: no run is using them)."""
        for leftover in self.path.glob(STAGING_PREFIX + "*"):
            if leftover.is_dir() and not leftover.is_symlink():
                shutil.rmtree(leftover, ignore_errors=True)

    # -- building aside
    def stage(self, name: str) -> Path:
        """The path inside the staging folder where the output ``name`` (e.g. ``N01.html``) is built."""
        if self.staging is None:
            raise RuntimeError("OutputFolder.stage: use the folder inside a `with` block")
        path = self.staging / check_file_name(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def staged_files(self) -> list[str]:
        """Every regular file in the staging folder, as relative names (``tables/x.csv``), sorted."""
        names = []
        for path in sorted(self.staging.rglob("*")):
            if path.is_symlink():
                raise OutputFolderError(f"refusing to publish {path.relative_to(self.staging)}: it is a symbolic "
                                        "link (outputs are plain files inside the output folder)")
            if path.is_file():
                names.append(path.relative_to(self.staging).as_posix())
        return names

    def keep(self, name: str) -> Path:
        """Move one staged file into the output folder now, without index or manifest (e.g. a failed
        notebook kept for reading): the folder stays visibly incomplete."""
        source = self.staging / check_file_name(name)
        target = self.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)
        return target

    # -- publishing whole
    def publish(self, entries: Iterable[Entry], *, title: str, extra: Mapping[str, object] | None = None) -> Path:
        """Move the staged ``entries`` into place, then write ``index.html`` and, last, ``manifest.json``.

        Returns the manifest's path. Every entry must have been staged; names are checked again.
        """
        entries = [Entry(check_file_name(e.file), None if e.network_id is None else str(e.network_id))
                   for e in entries]
        if len({e.file.lower() for e in entries}) != len(entries):
            raise ValueError("publish: two entries have the same file name")
        if any(e.file.lower() in (INDEX_NAME, MANIFEST_NAME) for e in entries):
            raise ValueError(f"publish: {INDEX_NAME} and {MANIFEST_NAME} are written by the folder itself")
        missing = [e.file for e in entries if not (self.staging / e.file).is_file()]
        if missing:
            raise FileNotFoundError(f"publish: not staged: {', '.join(missing[:5])}")
        digests = {e.file: sha256_file(self.staging / e.file) for e in entries}
        previous = self._previous_files()
        manifest = self.path / MANIFEST_NAME
        if manifest.exists() or manifest.is_symlink():
            manifest.unlink()                  # from here until the end the folder is visibly incomplete
        for entry in entries:
            target = self.path / entry.file
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.staging / entry.file, target)
        for name in sorted(previous - {e.file for e in entries} - {INDEX_NAME}):
            stale = self.path / name
            if stale.is_file() or stale.is_symlink():
                stale.unlink()
                self.removed.append(name)
        self._write_atomic(INDEX_NAME, index_page(entries, title=title))
        listing = [{"file": e.file, "network_id": e.network_id, "sha256": digests[e.file]} for e in entries]
        listing.append({"file": INDEX_NAME, "network_id": None, "sha256": sha256_file(self.path / INDEX_NAME)})
        document = {"generator": f"inhd {__version__}", "title": title, "n_files": len(listing),
                    **(dict(extra) if extra else {}), "files": listing}
        manifest = self._write_atomic(MANIFEST_NAME, json.dumps(document, indent=1, ensure_ascii=False) + "\n")
        self.published = True
        return manifest

    def _previous_files(self) -> set[str]:
        """The files a previous run's manifest listed (safe names only)."""
        try:
            document = json.loads((self.path / MANIFEST_NAME).read_text(encoding="utf-8"))
            names = {str(f["file"]) for f in document["files"]}
        except (OSError, ValueError, KeyError, TypeError):
            return set()
        safe = set()
        for name in names:
            try:
                safe.add(check_file_name(name))
            except ValueError:
                pass
        return safe

    def _write_atomic(self, name: str, text: str) -> Path:
        temporary = self.staging / (name + ".part")
        temporary.write_text(text, encoding="utf-8")
        target = self.path / name
        os.replace(temporary, target)
        return target


class NotEmpty(OutputFolderError, FileExistsError):
    """The output folder is not empty and ``force`` is false."""
