"""The book builder and the notebook runner: table of contents, execution, failures that name the cell,
preparing pages for reading (folded code, charts, frozen widgets), launch buttons, the JupyterLite copy
and the Binder configuration."""

import os
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import nbformat
import pytest
import yaml

from inhd import ROOT, ROOT_ENV, charts
from inhd.book import (
    KERNEL_NOTE,
    LITE_DRIVE,
    LITE_FOLDERS,
    LITE_SETUP,
    VENDORED,
    WIDGET_STATE,
    WIDGET_VIEW,
    configure_repository,
    freeze_widgets,
    lite_notebook,
    prepare_for_reading,
    restore_downloads,
    toc_documents,
    toc_notebooks,
)
from inhd.runner import NotebookFailure, execute_notebook, notebook_parameters


def write_notebook(path: Path, *sources: str, parameters: str | None = None) -> Path:
    notebook = nbformat.v4.new_notebook()
    if parameters is not None:
        notebook.cells.append(nbformat.v4.new_code_cell(parameters, metadata={"tags": ["parameters"]}))
    notebook.cells += [nbformat.v4.new_code_cell(source) for source in sources]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, path)
    return path


def test_every_toc_document_exists():
    for doc in toc_documents():
        candidates = [ROOT / doc, ROOT / f"{doc}.md", ROOT / f"{doc}.ipynb"]
        assert any(path.is_file() for path in candidates), f"_toc.yml names {doc}, which does not exist"


def test_toc_notebooks_are_notebooks_in_toc_order():
    notebooks = toc_notebooks()
    assert notebooks, "the book has no notebook"
    order = [doc for doc in toc_documents() if (ROOT / f"{doc}.ipynb").is_file()]
    assert [str(nb.relative_to(ROOT).with_suffix("")) for nb in notebooks] == order


@pytest.mark.slow
def test_execute_injects_parameters_and_leaves_source_untouched(tmp_path):
    source = write_notebook(tmp_path / "nb.ipynb", "print(answer * 2)", parameters="answer = 1")
    before = source.read_bytes()
    assert notebook_parameters(source) == {"answer": "1"}
    executed = execute_notebook(source, tmp_path / "out" / "nb.ipynb", parameters={"answer": 21}, progress=False)
    assert source.read_bytes() == before
    outputs = nbformat.read(executed, as_version=4).cells[-1].outputs
    assert outputs[0]["text"].strip() == "42"


@pytest.mark.slow
def test_failure_names_notebook_cell_and_error_and_keeps_partial_notebook(tmp_path):
    source = write_notebook(
        tmp_path / "broken.ipynb", "x = 1", "raise ValueError('column b09 is empty')", "y = 2", parameters="a = 1"
    )
    destination = tmp_path / "out" / "broken.ipynb"
    with pytest.raises(
        NotebookFailure, match=r"broken\.ipynb failed in cell 2 .*starts `raise ValueError.*ValueError: column b09 is empty"
    ) as caught:
        execute_notebook(source, destination, parameters={"a": 2}, progress=False)
    assert caught.value.partial_notebook == str(destination)
    partial = [cell for cell in nbformat.read(destination, as_version=4).cells if cell.cell_type == "code"]
    errors = [cell for cell in partial if any(out.get("output_type") == "error" for out in cell.outputs)]
    assert [cell.source for cell in errors] == ["raise ValueError('column b09 is empty')"]
    assert partial[-1].execution_count is None  # the cell after the failure never ran


def test_execute_refuses_to_overwrite_its_source(tmp_path):
    source = write_notebook(tmp_path / "nb.ipynb", "1")
    with pytest.raises(ValueError, match="in place"):
        execute_notebook(source, source, progress=False)


def test_missing_notebook_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.ipynb"):
        execute_notebook(tmp_path / "nope.ipynb", tmp_path / "out.ipynb", progress=False)


def widget_notebook(path: Path) -> Path:
    """A notebook as papermill leaves it after `interact`: a widget view output and the saved state."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("a = 1", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("a = 2", metadata={"tags": ["injected-parameters"]}),
        nbformat.v4.new_code_cell("import inhd"),
        nbformat.v4.new_code_cell("secret()", metadata={"tags": ["remove-input"]}),
        nbformat.v4.new_markdown_cell("text"),
        nbformat.v4.new_code_cell("widgets.interact(f, n=slider)", outputs=[nbformat.v4.new_output(
            "display_data", data={WIDGET_VIEW: {"model_id": "box", "version_major": 2, "version_minor": 0},
                                  "text/plain": "VBox()"})]),
        nbformat.v4.new_code_cell("charts.caterpillar(t)", outputs=[nbformat.v4.new_output(
            "execute_result", data=charts.caterpillar(CATERPILLAR)._repr_mimebundle_(), execution_count=1)]),
    ]
    notebook.metadata["widgets"] = {WIDGET_STATE: {"version_major": 2, "version_minor": 0, "state": {
        "slider": {"model_name": "IntSliderModel", "state": {"value": 9, "disabled": False}},
        "menu": {"model_name": "DropdownModel", "state": {"index": 0, "disabled": False}},
        "box": {"model_name": "VBoxModel", "state": {"children": ["IPY_MODEL_slider"]}},
        "layout": {"model_name": "LayoutModel", "state": {}},
    }}}
    nbformat.write(notebook, path)
    return path


CATERPILLAR = __import__("pandas").DataFrame({"network_id": ["A", "B"], "mean": [1.0, 2.0], "se": [0.1, 0.2],
                                              "ci_low": [0.8, 1.6], "ci_high": [1.2, 2.4], "n_persons": [20, 30]})


def test_prepare_for_reading_shows_parameters_folds_code_draws_charts_and_freezes_widgets(tmp_path):
    path = widget_notebook(tmp_path / "nb.ipynb")
    found = prepare_for_reading(path)
    assert found == {"folded": 3, "charts": 1, "controls": 2, "widget outputs": 1}
    notebook = nbformat.read(path, as_version=4)
    tags = [cell.metadata.get("tags", []) for cell in notebook.cells]
    assert tags[0] == ["parameters"]                                  # shown, unfolded
    assert "remove-cell" in tags[1]                                   # papermill's injected cell
    assert tags[2] == ["hide-input"] and tags[3] == ["remove-input"]  # folded; the author's choice kept
    assert tags[5] == tags[6] == ["hide-input"]
    widget_outputs = notebook.cells[5].outputs
    assert WIDGET_VIEW in widget_outputs[0]["data"]
    assert 'class="inhd-kernel-note"' in widget_outputs[1]["data"]["text/html"]
    assert "make lab" in widget_outputs[1]["data"]["text/plain"] and "<" not in widget_outputs[1]["data"]["text/plain"]
    state = notebook.metadata["widgets"][WIDGET_STATE]["state"]
    assert state["slider"]["state"]["disabled"] is True and state["menu"]["state"]["disabled"] is True
    assert "disabled" not in state["box"]["state"]                    # containers have no such attribute
    chart = notebook.cells[6].outputs[0]["data"]
    assert chart["text/html"] == charts.chart_html(chart[charts.VEGALITE_MIMETYPE])
    assert "Run in your browser" in KERNEL_NOTE


def test_papermill_paths_are_replaced_by_the_notebooks_place_in_the_compendium(tmp_path):
    from inhd.book import scrub_paths

    path = write_notebook(tmp_path / "nb.ipynb", "1")
    notebook = nbformat.read(path, as_version=4)
    notebook.metadata["papermill"] = {"input_path": str(tmp_path / "nb.ipynb"), "output_path": "/x/y.ipynb",
                                      "parameters": {"a": 1}}
    nbformat.write(notebook, path)
    scrub_paths(path, Path("notebooks/nb.ipynb"))
    record = nbformat.read(path, as_version=4).metadata["papermill"]
    assert record == {"input_path": "notebooks/nb.ipynb", "output_path": "notebooks/nb.ipynb", "parameters": {"a": 1}}


def test_freeze_widgets_without_widget_state_is_a_no_op():
    assert freeze_widgets(nbformat.v4.new_notebook()) == 0


def test_downloads_are_the_notebooks_as_executed(tmp_path):
    downloads, html = tmp_path / "downloads", tmp_path / "html"
    (downloads / "notebooks").mkdir(parents=True)
    (html / "_sources" / "notebooks").mkdir(parents=True)
    (downloads / "notebooks" / "a.ipynb").write_text("executed")
    (html / "_sources" / "notebooks" / "a.ipynb").write_text("prepared for the page")
    assert restore_downloads(html, downloads) == 1
    assert (html / "_sources" / "notebooks" / "a.ipynb").read_text() == "executed"


# --------------------------------------------------------------------------------------------
# launch buttons: the repository in one place, the JupyterLite button
# --------------------------------------------------------------------------------------------
@pytest.fixture
def staged_config(tmp_path):
    (tmp_path / "_config.yml").write_text((ROOT / "_config.yml").read_text())
    return tmp_path


def test_repository_url_defaults_to_config_and_is_overridden_by_the_environment(staged_config):
    default = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    assert configure_repository(staged_config, environ={})["url"] == default.rstrip("/")
    written = configure_repository(staged_config, environ={"INHD_REPOSITORY_URL": "https://github.com/me/inhd/",
                                                           "INHD_REPOSITORY_BRANCH": "gh-pages"})
    assert written == {**written, "url": "https://github.com/me/inhd", "branch": "gh-pages"}
    config = yaml.safe_load((staged_config / "_config.yml").read_text())
    assert config["repository"]["url"] == "https://github.com/me/inhd"
    assert config["launch_buttons"]["jupyterlite_url"] == "lite/notebooks/index.html"
    assert config["launch_buttons"]["binderhub_url"] == "https://mybinder.org"


@pytest.mark.parametrize("url", ["github.com/me/inhd", 'https://github.com/me/inhd"><script>', "javascript:1"])
def test_repository_url_must_be_an_https_repository_address(staged_config, url):
    with pytest.raises(ValueError, match="not an https URL"):
        configure_repository(staged_config, environ={"INHD_REPOSITORY_URL": url})


def test_the_book_extension_loads_the_vendored_chart_scripts():
    sys.path.insert(0, str(ROOT / "_ext"))
    try:
        import inhd_book
    finally:
        sys.path.remove(str(ROOT / "_ext"))
    vendored = {f"_static/{target}" for _, files in VENDORED for target in files.values()}
    assert set(inhd_book.CHART_SCRIPTS) <= vendored
    assert inhd_book.CHART_MARKER in charts.caterpillar(CATERPILLAR).to_html()
    assert (ROOT / "_static" / "inhd-charts.js").is_file()


# --------------------------------------------------------------------------------------------
# the JupyterLite copy and Binder
# --------------------------------------------------------------------------------------------
def test_lite_notebook_starts_with_the_setup_cell_and_has_no_outputs(tmp_path):
    source = widget_notebook(tmp_path / "nb.ipynb")
    copy = nbformat.read(lite_notebook(source, tmp_path / "lite" / "nb.ipynb"), as_version=4)
    assert copy.cells[0].source == LITE_SETUP and "jupyterlite-setup" in copy.cells[0].metadata["tags"]
    assert all(not cell.get("outputs") for cell in copy.cells if cell.cell_type == "code")
    assert "widgets" not in copy.metadata
    assert "%pip install -q --no-deps inhd" in LITE_SETUP
    assert set(LITE_FOLDERS) == {"data", "reference"}


def test_inhd_root_comes_from_the_environment_when_set(tmp_path):
    """INHD_ROOT (the JupyterLite set-up cell sets it before importing inhd) moves ROOT and DATA_DIR,
    and with them the defaults the modules derive at import (e.g. the shipped survey's measures file)."""
    probe = ("import inhd, inhd.survey_run as s; "
             "print(inhd.ROOT, inhd.DATA_DIR, s.DEFAULT_MEASURES, sep='|')")
    env = {**os.environ, ROOT_ENV: str(tmp_path)}
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
    assert run.stdout.strip().split("|") == [str(tmp_path), str(tmp_path / "data"),
                                             str(tmp_path / "data" / "network_health_measures.csv")]
    env.pop(ROOT_ENV)
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
    assert run.stdout.split("|")[0] == str(ROOT)
    assert f'os.environ["{ROOT_ENV}"] = "{LITE_DRIVE}"\nimport inhd' in LITE_SETUP   # set before the import


@pytest.mark.slow
def test_every_lite_notebook_runs_on_the_wheel_and_the_files_of_the_copy(tmp_path, monkeypatch):
    """The JupyterLite copy holds every file its notebooks read: each notebook of the copy runs, in a
    kernel, with inhd installed from the wheel the copy bundles and INHD_ROOT pointing at the copy's
    files (here a folder of this machine instead of the browser's /drive; the set-up cell's ``%pip``
    lines, Pyodide's installer, are left out: the wheel is installed into a folder on PYTHONPATH)."""
    from inhd.book import build_wheel, lite_contents
    from inhd.runner import execute_notebook

    notebooks = toc_notebooks()
    contents = lite_contents(notebooks, root=ROOT, contents=tmp_path / "contents")
    wheel = build_wheel(ROOT, tmp_path / "work")
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site),
                    str(wheel)], check=True)
    monkeypatch.setenv("PYTHONPATH", str(site))
    for notebook in notebooks:
        relative = notebook.relative_to(ROOT)
        copy = nbformat.read(contents / relative, as_version=4)
        setup = copy.cells[0]
        setup.source = "\n".join(line for line in setup.source.splitlines() if not line.startswith("%pip"))
        setup.source = setup.source.replace(f'"{LITE_DRIVE}"', repr(str(contents)))
        copy.cells.append(nbformat.v4.new_code_cell("print(inhd.__file__, inhd.DATA_DIR, sep='|')"))
        source = tmp_path / "run" / relative
        source.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(copy, source)
        executed = execute_notebook(source, tmp_path / "executed" / relative, cwd=(contents / relative).parent,
                                    progress=False)
        where = nbformat.read(executed, as_version=4).cells[-1].outputs[0]["text"].strip().split("|")
        assert where == [str(site / "inhd" / "__init__.py"), str(contents / "data")], relative


def test_notebook_imports_need_nothing_that_pyodide_lacks():
    """The JupyterLite copy installs inhd without its dependencies: the modules the notebooks import
    must not need papermill, nbformat, nbconvert or a Jupyter client (no ZeroMQ in the browser)."""
    imported = set()
    for notebook in toc_notebooks():
        for cell in nbformat.read(notebook, as_version=4).cells:
            if cell.cell_type == "code":
                imported |= set(re.findall(r"^\s*from (inhd(?:\.\w+)?) import|^\s*import (inhd(?:\.\w+)?)",
                                           cell.source, flags=re.M))
    modules = sorted({m for pair in imported for m in pair if m} | {"inhd.charts"})
    blocked = ["papermill", "nbformat", "nbconvert", "nbclient", "jupyter_client", "zmq", "yaml", "tqdm"]
    probe = (
        "import sys\n"
        f"class Block:\n"
        f"    def find_spec(self, name, path=None, target=None):\n"
        f"        if name.split('.')[0] in {blocked!r}: raise ImportError('not in Pyodide: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        + "".join(f"import {m}\n" for m in modules)
    )
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-800:]


def requirement_pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if "==" in line:
            name, version = line.split("==")
            pins[name.strip().lower()] = version.strip()
    return pins


def test_binder_pins_the_packages_the_notebooks_need_at_the_book_versions():
    binder, book = requirement_pins(ROOT / "binder" / "requirements.txt"), requirement_pins(ROOT / "requirements.txt")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    needed = {re.split(r"[<>=!~ ;\[]", dep)[0].lower() for dep in project["dependencies"]}
    assert needed | {"jupyterlab", "ipywidgets", "ipykernel"} <= set(binder), "binder/requirements.txt misses a package"
    assert {name: binder[name] for name in binder if name in book} == {name: book[name] for name in binder if name in book}
    runtime = (ROOT / "binder" / "runtime.txt").read_text().strip()
    assert re.fullmatch(r"python-3\.\d+", runtime)
    minimum = project["requires-python"].removeprefix(">=")
    assert tuple(map(int, runtime.removeprefix("python-").split("."))) >= tuple(map(int, minimum.split(".")))
    post_build = (ROOT / "binder" / "postBuild").read_text()
    assert "pip install --no-deps" in post_build and post_build.startswith("#!")


@pytest.mark.slow
def test_inhd_builds_as_a_pure_python_wheel(tmp_path):
    from inhd.book import build_wheel

    wheel = build_wheel(ROOT, tmp_path)
    assert wheel.name.endswith("-py3-none-any.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert {"inhd/__init__.py", "inhd/charts.py", "inhd/rasch.py"} <= names
    assert not [n for n in names if n.endswith((".so", ".pyd", ".pyc"))]
    assert not (ROOT / "build").exists()                              # the source tree is left untouched
