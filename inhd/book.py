"""Build the compendium's book: execute every notebook with papermill, then run Jupyter Book.

``make book`` calls ``python -m inhd.book``. The steps:

1. Copy the book's sources (``_config.yml``, ``_toc.yml``, pages, bibliography, static files) into
   ``_build/src``; the working tree is never modified.
2. Execute every notebook listed in ``_toc.yml`` with papermill on its default parameters (plus
   ``output_dir`` pointing into ``_build/tables/<notebook>`` when the notebook declares it), writing the
   executed copy into ``_build/src``. A failing notebook stops the build, naming the notebook and cell.
3. Vendor the JavaScript that pages need at reading time (the ipywidgets HTML manager, RequireJS,
   MathJax) from the npm registry into ``_build/src/_static/vendor``, so the built book renders offline:
   no script or style is fetched from a CDN.
4. Build ``_build/src`` with Jupyter Book, execution off and warnings as errors, into ``_build/html``.
"""

from __future__ import annotations

import argparse
import shutil
import tarfile
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import yaml

from inhd import ROOT
from inhd.runner import NotebookFailure, execute_notebook, notebook_parameters

BUILD = ROOT / "_build"
STAGE = BUILD / "src"
TABLES = BUILD / "tables"
#: Top-level files and folders that make up the book's sources besides the notebooks.
BOOK_SOURCES = ["_config.yml", "_toc.yml", "references.bib", "pages", "_static", "_ext", "data", "notebooks"]


def toc_documents(toc_path: Path = ROOT / "_toc.yml") -> list[str]:
    """Every document named in ``_toc.yml`` (root first), as written there (no suffix)."""
    toc = yaml.safe_load(toc_path.read_text())
    docs = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                docs.append(entry["file"])
            walk(entry.get("sections"))
            for part in entry.get("parts", []) if isinstance(entry, dict) else []:
                walk(part.get("chapters"))

    walk(toc.get("chapters"))
    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    return docs


def toc_notebooks(root: Path = ROOT) -> list[Path]:
    """The notebooks the book shows, in table-of-contents order."""
    notebooks = []
    for doc in toc_documents(root / "_toc.yml"):
        path = root / doc
        candidate = path if path.suffix == ".ipynb" else path.with_suffix(".ipynb")
        if candidate.is_file():
            notebooks.append(candidate)
    return notebooks


def stage_sources(root: Path = ROOT, stage: Path = STAGE) -> None:
    """Copy the book's sources into ``stage`` (replacing an earlier stage)."""
    if stage.exists():
        shutil.rmtree(stage)
    stage.mkdir(parents=True)
    for name in BOOK_SOURCES:
        src = root / name
        if src.is_dir():
            shutil.copytree(src, stage / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        elif src.is_file():
            shutil.copy2(src, stage / name)


def execute_all(notebooks: list[Path], *, root: Path = ROOT, stage: Path = STAGE, tables: Path = TABLES) -> None:
    """Execute each notebook into the stage, printing progress; stop at the first failure."""
    for number, notebook in enumerate(notebooks, start=1):
        relative = notebook.relative_to(root)
        print(f"[{number}/{len(notebooks)}] executing {relative}", flush=True)
        started = time.monotonic()
        parameters = {}
        if "output_dir" in notebook_parameters(notebook):
            parameters["output_dir"] = str(tables / notebook.stem)
        executed = execute_notebook(notebook, stage / relative, parameters=parameters, cwd=notebook.parent)
        hide_parameter_cells(executed)
        print(f"    done in {time.monotonic() - started:.0f} s", flush=True)


NPM_CACHE = BUILD / "npm"
#: npm packages vendored into the book's static files: (spec, {file in the package: path under _static}).
#: Paths under _static are the ones _config.yml names (nb_ipywidgets_js, mathjax_path).
VENDORED = [
    ("requirejs@2.3.7", {"require.js": "vendor/require.js"}),
    ("@jupyter-widgets/html-manager@1.0.15", {"dist/embed-amd.js": "vendor/html-manager/embed-amd.js",
                                              "dist/*.woff2": "vendor/html-manager/",
                                              "dist/*.woff": "vendor/html-manager/"}),
    ("mathjax@3.2.2", {"es5/tex-chtml.js": "vendor/mathjax/tex-chtml.js",
                       "es5/output/chtml/fonts/woff-v2/*": "vendor/mathjax/output/chtml/fonts/woff-v2/"}),
]


def vendor_javascript(stage: Path = STAGE, cache: Path = NPM_CACHE) -> None:
    """Fetch the pinned npm packages (once, cached in ``_build/npm``) and copy their files into the stage."""
    from fnmatch import fnmatch

    cache.mkdir(parents=True, exist_ok=True)
    for spec, files in VENDORED:
        tarball_name = spec.lstrip("@").replace("/", "-").replace("@", "-") + ".tgz"
        tarball = cache / tarball_name
        if not tarball.is_file():
            print(f"fetching {spec} from the npm registry", flush=True)
            subprocess.run(["npm", "pack", spec, "--silent", "--pack-destination", str(cache)],
                           check=True, stdout=subprocess.DEVNULL)
        with tarfile.open(tarball) as archive:
            members = [m for m in archive.getmembers() if m.isfile()]
            for pattern, target in files.items():
                matched = [m for m in members if fnmatch(m.name, f"package/{pattern}")]
                if not matched:
                    raise FileNotFoundError(f"{spec} has no file matching {pattern}")
                for member in matched:
                    destination = stage / "_static" / target
                    if target.endswith("/"):
                        destination = destination / Path(member.name).name
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    destination.write_bytes(archive.extractfile(member).read())


#: Cells carrying one of these tags are removed from the published page (they stay in the notebook).
HIDDEN_TAGS = {"parameters", "injected-parameters"}


def hide_parameter_cells(path: Path) -> None:
    """Tag parameter and papermill-injected cells ``remove-cell`` so readers do not see them."""
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        tags = cell.metadata.setdefault("tags", [])
        if HIDDEN_TAGS & set(tags) and "remove-cell" not in tags:
            tags.append("remove-cell")
    nbformat.write(notebook, path)


def build_html(stage: Path = STAGE, root: Path = ROOT) -> None:
    """Run Jupyter Book on the staged sources, warnings as errors, into ``_build/html``."""
    for stale in (root / "_build" / "html", root / "_build" / ".doctrees"):
        shutil.rmtree(stale, ignore_errors=True)  # a clean build: Sphinx skips pages it thinks unchanged
    command = [
        str(Path(sys.executable).with_name("jupyter-book")), "build", str(stage),
        "--path-output", str(root), "--warningiserror", "--keep-going",
    ]
    print("building the book:", " ".join(command), flush=True)
    subprocess.run(command, check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m inhd.book", description=__doc__.splitlines()[0])
    parser.add_argument("--skip-execution", action="store_true",
                        help="build from notebooks already executed into _build/src")
    args = parser.parse_args(argv)
    notebooks = toc_notebooks()
    if not args.skip_execution:
        stage_sources()
        try:
            execute_all(notebooks)
        except NotebookFailure as failure:
            print(f"make book: {failure}", file=sys.stderr)
            return 1
        vendor_javascript()
    try:
        build_html()
    except subprocess.CalledProcessError as err:
        print(f"make book: Jupyter Book failed (exit {err.returncode}); see the messages above", file=sys.stderr)
        return 1
    print(f"the book is in {BUILD / 'html' / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
