"""The book builder and the notebook runner: table of contents, execution, failures that name the cell."""

from pathlib import Path

import nbformat
import pytest

from inhd import ROOT
from inhd.book import hide_parameter_cells, toc_documents, toc_notebooks
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


def test_parameter_cells_are_hidden_from_readers(tmp_path):
    path = write_notebook(tmp_path / "nb.ipynb", "print(1)", parameters="a = 1")
    hide_parameter_cells(path)
    cells = nbformat.read(path, as_version=4).cells
    assert "remove-cell" in cells[0].metadata["tags"]
    assert "remove-cell" not in cells[1].metadata.get("tags", [])
