"""Build the compendium's book: execute every notebook with papermill, then run Jupyter Book.

``make book`` calls ``python -m inhd.book``. The steps:

1. Copy the book's sources (``_config.yml``, ``_toc.yml``, pages, bibliography, static files) into
   ``_build/src``; the working tree is never modified.
2. Execute every notebook listed in ``_toc.yml`` with papermill on its default parameters (plus
   ``output_dir`` pointing into ``_build/tables/<notebook>`` when the notebook declares it), writing the
   executed copy into ``_build/src``. A failing notebook stops the build, naming the notebook and cell.
   Each executed notebook is then prepared for reading (:func:`prepare_for_reading`): code inputs
   folded behind a toggle, the parameters cell shown, every client-side chart given its HTML, every
   ipywidgets control disabled with a line saying how to run it live. The executed notebook as it
   came from papermill is what the page's download button gives.
3. Vendor the JavaScript that pages need at reading time (the ipywidgets HTML manager, RequireJS,
   MathJax, Vega, Vega-Lite and vega-embed) from the npm registry into ``_build/src/_static/vendor``,
   so the built book renders offline: no script or style is fetched from a CDN.
4. Build ``_build/src`` with Jupyter Book, execution off and warnings as errors, into ``_build/html``.
5. Build the "Run in your browser" copy (:func:`build_lite`): a JupyterLite site in
   ``_build/html/lite`` holding every notebook of the book, the shipped data, and ``inhd`` as a
   pure-Python wheel. The Python runtime (Pyodide) itself is loaded by the reader's browser from the
   Pyodide CDN when a notebook starts, which the book says where it offers the button.

The repository the launch buttons (Binder, repository link) point at is ``repository.url`` in
``_config.yml``, unless the environment variable ``INHD_REPOSITORY_URL`` (``make book
REPOSITORY_URL=...``) names another; ``INHD_REPOSITORY_BRANCH`` likewise overrides the branch.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import nbformat
import yaml

from inhd import ROOT, ROOT_ENV
from inhd.charts import VEGALITE_MIMETYPE, chart_html
from inhd.runner import NotebookFailure, execute_notebook, notebook_parameters

BUILD = ROOT / "_build"
STAGE = BUILD / "src"
TABLES = BUILD / "tables"
#: Top-level files and folders that make up the book's sources besides the notebooks.
BOOK_SOURCES = ["_config.yml", "_toc.yml", "references.bib", "pages", "guide", "_static", "_ext", "data", "notebooks"]
#: The executed notebooks exactly as papermill wrote them: what each page's download button gives.
DOWNLOADS = BUILD / "downloads"
#: Where ``make book`` builds the JupyterLite copy (its work files) and the site's folder in the book.
LITE_WORK = BUILD / "lite"
LITE_SITE = "lite"
#: Environment variables that override the repository of the launch buttons (default: _config.yml).
REPOSITORY_ENV, BRANCH_ENV = "INHD_REPOSITORY_URL", "INHD_REPOSITORY_BRANCH"


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


def execute_all(notebooks: list[Path], *, root: Path = ROOT, stage: Path = STAGE, tables: Path = TABLES,
                downloads: Path = DOWNLOADS) -> None:
    """Execute each notebook into the stage, printing progress; stop at the first failure.

    The executed notebook is kept as papermill wrote it in ``downloads`` (for the download button),
    and the staged copy is prepared for reading (:func:`prepare_for_reading`).
    """
    for number, notebook in enumerate(notebooks, start=1):
        relative = notebook.relative_to(root)
        print(f"[{number}/{len(notebooks)}] executing {relative}", flush=True)
        started = time.monotonic()
        parameters = {}
        if "output_dir" in notebook_parameters(notebook):
            # relative to the notebook's folder (the kernel's working directory): no machine path
            # appears in the published notebook
            parameters["output_dir"] = os.path.relpath(tables / notebook.stem, notebook.parent)
        executed = execute_notebook(notebook, stage / relative, parameters=parameters, cwd=notebook.parent)
        scrub_paths(executed, relative)
        (downloads / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(executed, downloads / relative)
        found = prepare_for_reading(executed)
        extras = ", ".join(f"{n} {what}" for what, n in found.items() if n)
        print(f"    done in {time.monotonic() - started:.0f} s{'; ' + extras if extras else ''}", flush=True)


def scrub_paths(path: Path, relative: Path) -> None:
    """Replace papermill's record of where the notebook was read and written (paths on the building
    machine) by the notebook's path in the compendium: the published notebooks name no machine path."""
    notebook = nbformat.read(path, as_version=4)
    record = notebook.metadata.get("papermill", {})
    for key in ("input_path", "output_path"):
        if key in record:
            record[key] = relative.as_posix()
    nbformat.write(notebook, path)


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
    # client-side charts (inhd.charts): Vega-Lite 5, the version JupyterLab 4 and JupyterLite draw natively
    ("vega@5.33.1", {"build/vega.min.js": "vendor/vega/vega.min.js"}),
    ("vega-lite@5.23.0", {"build/vega-lite.min.js": "vendor/vega/vega-lite.min.js"}),
    ("vega-embed@6.29.0", {"build/vega-embed.min.js": "vendor/vega/vega-embed.min.js"}),
]
#: A trailing source-map comment names a file we do not ship; it is dropped from vendored scripts.
SOURCE_MAP = re.compile(rb"\n//# sourceMappingURL=\S+\s*$")


def npm_tarball(spec: str, cache: Path = NPM_CACHE) -> Path:
    """The npm package ``spec`` (``name@version``) as a tarball, fetched once into ``cache``."""
    cache.mkdir(parents=True, exist_ok=True)
    tarball = cache / (spec.lstrip("@").replace("/", "-").replace("@", "-") + ".tgz")
    if not tarball.is_file():
        print(f"fetching {spec} from the npm registry", flush=True)
        subprocess.run(["npm", "pack", spec, "--silent", "--pack-destination", str(cache)],
                       check=True, stdout=subprocess.DEVNULL)
    return tarball


def vendor_javascript(stage: Path = STAGE, cache: Path = NPM_CACHE) -> None:
    """Fetch the pinned npm packages (once, cached in ``_build/npm``) and copy their files into the stage."""
    from fnmatch import fnmatch

    for spec, files in VENDORED:
        tarball = npm_tarball(spec, cache)
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
                    content = archive.extractfile(member).read()
                    if destination.suffix == ".js":
                        content = SOURCE_MAP.sub(b"\n", content)
                    destination.write_bytes(content)


#: Tags that a notebook's author set to decide how a cell shows; such cells are left as they are.
DISPLAY_TAGS = {"remove-cell", "remove-input", "hide-input", "hide-cell", "show-input", "hide-output",
                "remove-output"}
#: The line shown under every ipywidgets control in the book, where no kernel runs.
KERNEL_NOTE = (
    "These controls need a running Python kernel, so they are disabled in the book. To move them, "
    "open this page with the launch button (rocket) at the top: <em>Run in your browser</em> "
    "(JupyterLite) or <em>Binder</em>; or run <code>make lab</code> in a copy of the compendium."
)
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def prepare_for_reading(path: Path) -> dict[str, int]:
    """Prepare an executed notebook for the book's page (in place); return what was changed.

    - The ``parameters`` cell is shown, input unfolded: it tells the reader what can be changed.
      Papermill's ``injected-parameters`` cell is removed from the page (it only repeats build
      settings).
    - Every other code cell's input is folded behind a "Show code cell source" toggle (tag
      ``hide-input``) unless the author tagged the cell's display already.
    - Every Vega-Lite output (:mod:`inhd.charts`) gets its HTML (:func:`inhd.charts.chart_html`),
      which the page draws with the vendored Vega scripts.
    - Every ipywidgets control in the saved widget state is disabled (``disabled: true``), and a
      line under each widget output says how to run it live (:data:`KERNEL_NOTE`): without a kernel
      a control could move while the output beneath it cannot.

    Returns
    -------
    dict
        Counts: ``folded`` inputs, ``charts``, ``controls`` disabled, ``widget outputs`` noted.
    """
    notebook = nbformat.read(path, as_version=4)
    found = {"folded": 0, "charts": 0, "controls": 0, "widget outputs": 0}
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        tags = cell.metadata.setdefault("tags", [])
        if "injected-parameters" in tags:
            if "remove-cell" not in tags:
                tags.append("remove-cell")
        elif "parameters" in tags:
            if "remove-cell" in tags:
                tags.remove("remove-cell")
        elif not DISPLAY_TAGS & set(tags):
            tags.append("hide-input")
            found["folded"] += 1
        outputs = []
        for output in cell.get("outputs", []):
            outputs.append(output)
            data = output.get("data", {})
            if VEGALITE_MIMETYPE in data:
                data["text/html"] = chart_html(_as_spec(data[VEGALITE_MIMETYPE]))
                found["charts"] += 1
            if WIDGET_VIEW in data:
                outputs.append(nbformat.v4.new_output(
                    "display_data", data={"text/html": f'<p class="inhd-kernel-note">{KERNEL_NOTE}</p>',
                                          "text/plain": re.sub(r"<[^>]+>", "", KERNEL_NOTE)}))
                found["widget outputs"] += 1
        cell["outputs"] = outputs
    found["controls"] = freeze_widgets(notebook)
    nbformat.write(notebook, path)
    return found


def _as_spec(data) -> dict:
    return json.loads(data) if isinstance(data, str) else data


def freeze_widgets(notebook) -> int:
    """Set ``disabled: true`` on every widget model in the notebook's saved widget state.

    Every ipywidgets control (sliders, drop-downs, buttons, text boxes, ...) has a ``disabled``
    attribute; containers, layouts, styles and outputs have none and are left alone. Returns the
    number of controls disabled.
    """
    state = notebook.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    frozen = 0
    for model in state.values():
        attributes = model.get("state", {})
        if "disabled" in attributes:
            attributes["disabled"] = True
            frozen += 1
    return frozen


def restore_downloads(html: Path, downloads: Path = DOWNLOADS) -> int:
    """Put the notebooks as papermill wrote them where the download buttons point (``_sources``).

    The staged copies carry the book's HTML for charts, which JupyterLab would prefer to the
    Vega-Lite output it draws natively; the downloaded notebook keeps only the latter.
    """
    count = 0
    for notebook in sorted(downloads.rglob("*.ipynb")):
        target = html / "_sources" / notebook.relative_to(downloads)
        if target.parent.is_dir():
            shutil.copy2(notebook, target)
            count += 1
    return count


def configure_repository(stage: Path = STAGE, *, environ=None) -> dict:
    """Write the launch buttons' repository (and the JupyterLite button) into the staged ``_config.yml``.

    The repository URL and branch come from :data:`REPOSITORY_ENV` / :data:`BRANCH_ENV` when set
    (``make book REPOSITORY_URL=https://github.com/you/inhd``), else from ``_config.yml``; so the
    URL is set in one place. Returns the ``repository`` section written.
    """
    environ = os.environ if environ is None else environ
    path = stage / "_config.yml"
    config = yaml.safe_load(path.read_text())
    repository = dict(config.get("repository") or {})
    url = environ.get(REPOSITORY_ENV, "").strip() or repository.get("url", "")
    if not re.fullmatch(r"https://[A-Za-z0-9.-]+(/[A-Za-z0-9._~-]+)+/?", url or ""):
        raise ValueError(f"repository URL {url!r} (from {REPOSITORY_ENV if environ.get(REPOSITORY_ENV) else '_config.yml'}) "
                         "is not an https URL of a repository, e.g. https://github.com/owner/name")
    repository["url"] = url.rstrip("/")
    repository["branch"] = environ.get(BRANCH_ENV, "").strip() or repository.get("branch", "main")
    config["repository"] = repository
    launch = dict(config.get("launch_buttons") or {})
    # the theme writes this string into every notebook page as is; the book's extension (_ext)
    # resolves it per page, so it works from pages at any depth and under any base URL
    launch["jupyterlite_url"] = f"{LITE_SITE}/notebooks/index.html"
    config["launch_buttons"] = launch
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return repository


#: Where the JupyterLite copy's files (notebooks, ``data/``, ``reference/``) are in the browser's Python.
LITE_DRIVE = "/drive"
#: The first cell of every notebook in the JupyterLite copy.
LITE_SETUP = f'''# Running in your browser (JupyterLite). This cell installs what the notebook needs: the compendium's
# package `inhd` from this site, and numpy, pandas, scipy, statsmodels and matplotlib from the Pyodide
# CDN (the first run downloads them, about 40 MB; the browser keeps them). It then tells `inhd` where
# the data shipped beside the notebooks are ({ROOT_ENV}). Your data stay in your browser.
%pip install -q numpy pandas scipy statsmodels patsy matplotlib ipywidgets
%pip install -q --no-deps inhd
import os
os.environ["{ROOT_ENV}"] = "{LITE_DRIVE}"
import inhd'''
#: Folders of the compendium the notebooks read, copied into the JupyterLite copy (data files only).
LITE_FOLDERS = {"data": ("*.csv", "*.md"), "reference": ("*.csv", "*.json", "*.md")}
#: Pure-Python wheels bundled beside ``inhd`` (fetched once from PyPI at the venv's versions).
LITE_WHEELS = ("ipywidgets", "comm")


def lite_notebook(source: Path, destination: Path) -> Path:
    """Copy a notebook for the JupyterLite site: outputs cleared, the set-up cell (:data:`LITE_SETUP`) first."""
    notebook = nbformat.read(source, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    setup = nbformat.v4.new_code_cell(LITE_SETUP, metadata={"tags": ["jupyterlite-setup"]})
    notebook.cells.insert(0, setup)
    notebook.metadata["kernelspec"] = {"name": "python", "display_name": "Python (Pyodide)", "language": "python"}
    notebook.metadata.pop("widgets", None)
    destination.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, destination)
    return destination


def lite_contents(notebooks: list[Path], *, root: Path = ROOT, contents: Path = LITE_WORK / "contents") -> Path:
    """The JupyterLite copy's files in ``contents`` (replaced): every notebook (:func:`lite_notebook`)
    at its path in the compendium, and the data files of :data:`LITE_FOLDERS`. The set-up cell points
    ``inhd`` at this folder (``INHD_ROOT``), so what a notebook reads must be here."""
    shutil.rmtree(contents, ignore_errors=True)
    for notebook in notebooks:
        lite_notebook(notebook, contents / notebook.relative_to(root))
    for folder, patterns in LITE_FOLDERS.items():
        for pattern in patterns:
            for path in sorted((root / folder).rglob(pattern)):
                target = contents / path.relative_to(root)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)
    return contents


def build_wheel(root: Path = ROOT, work: Path = LITE_WORK) -> Path:
    """Build ``inhd`` as a pure-Python wheel from a copy of its sources (the tree is left untouched)."""
    source = work / "package"
    shutil.rmtree(source, ignore_errors=True)
    source.mkdir(parents=True)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(root / name, source / name)
    shutil.copytree(root / "inhd", source / "inhd", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    wheels = work / "wheels"
    shutil.rmtree(wheels, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--no-build-isolation",
                    "--quiet", "--wheel-dir", str(wheels)], check=True, cwd=source,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    found = sorted(wheels.glob("inhd-*-py3-none-any.whl"))
    if len(found) != 1:
        raise RuntimeError(f"expected one pure-Python inhd wheel in {wheels}, found {[w.name for w in found]}")
    return found[0]


def bundled_wheels(work: Path = LITE_WORK) -> list[Path]:
    """The wheels of :data:`LITE_WHEELS` at the versions installed here, fetched once from PyPI."""
    cache = work / "pypi-cache"
    cache.mkdir(parents=True, exist_ok=True)
    wheels = []
    for name in LITE_WHEELS:
        version = importlib.metadata.version(name)
        pattern = f"{name.replace('-', '_')}-{version}-py3-none-any.whl"
        if not (cache / pattern).is_file():
            print(f"fetching {name}=={version} from PyPI", flush=True)
            subprocess.run([sys.executable, "-m", "pip", "download", f"{name}=={version}", "--no-deps",
                            "--only-binary=:all:", "--quiet", "--dest", str(cache)], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wheels.append(cache / pattern)
    return wheels


def build_lite(notebooks: list[Path], *, root: Path = ROOT, html: Path = BUILD / "html",
               work: Path = LITE_WORK) -> Path:
    """Build the JupyterLite copy of the book into ``html/lite``: notebooks, data, the inhd wheel.

    Runs ``jupyter lite build`` (jupyterlite-core with the Pyodide kernel) offline, with the apps
    ``notebooks`` and ``repl`` only and no source maps (about 20 MB). Returns the site's folder.
    """
    contents = lite_contents(notebooks, root=root, contents=work / "contents")
    wheels = [build_wheel(root, work), *bundled_wheels(work)]
    site = html / LITE_SITE
    shutil.rmtree(site, ignore_errors=True)
    command = [str(Path(sys.executable).with_name("jupyter")), "lite", "build",
               "--lite-dir", str(work / "site-config"), "--contents", str(contents),
               "--output-dir", str(site), "--no-sourcemaps", "--no-unused-shared-packages",
               "--apps", "notebooks", "--apps", "repl"]
    for wheel in wheels:
        command += ["--piplite-wheels", str(wheel)]
    (work / "site-config").mkdir(parents=True, exist_ok=True)
    print("building the JupyterLite copy:", " ".join(command[1:3]), f"({len(notebooks)} notebooks)", flush=True)
    with open(work / "lite-build.log", "w") as log:
        done = subprocess.run(command, cwd=work, stdout=log, stderr=subprocess.STDOUT)
    if done.returncode:
        print((work / "lite-build.log").read_text()[-3000:], file=sys.stderr)
        raise subprocess.CalledProcessError(done.returncode, command)
    link_favicons(site)
    size = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    print(f"    JupyterLite copy: {size / 1e6:.1f} MB in {site}", flush=True)
    return site


def link_favicons(site: Path) -> None:
    """Name each JupyterLite app's icon in its page: without it the browser asks the server root for
    ``/favicon.ico``, which the book does not have (a 404 in the console)."""
    icon = site / "notebooks" / "favicon.ico"
    for page in sorted(site.glob("*/index.html")):
        text = page.read_text()
        if 'rel="icon"' in text or not icon.is_file() or "<head>" not in text:
            continue
        href = "./favicon.ico" if (page.parent / "favicon.ico").is_file() else "../notebooks/favicon.ico"
        page.write_text(text.replace("<head>", f'<head><link rel="icon" href="{href}">', 1))


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
    parser.add_argument("--skip-lite", action="store_true",
                        help="leave out the JupyterLite copy (faster; the launch button then leads nowhere)")
    args = parser.parse_args(argv)
    notebooks = toc_notebooks()
    started = time.monotonic()
    if not args.skip_execution:
        stage_sources()
        try:
            configure_repository()
        except ValueError as err:
            print(f"make book: {err}", file=sys.stderr)
            return 2
        shutil.rmtree(DOWNLOADS, ignore_errors=True)
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
    restore_downloads(BUILD / "html")
    if not args.skip_lite:
        try:
            build_lite(notebooks)
        except subprocess.CalledProcessError as err:
            print(f"make book: the JupyterLite build failed (exit {err.returncode}): {' '.join(map(str, err.cmd[:4]))}",
                  file=sys.stderr)
            return 1
    print(f"the book is in {BUILD / 'html' / 'index.html'} ({time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
