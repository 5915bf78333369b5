"""inhd.runner: a notebook failure keeps its message across a process boundary."""

import pickle
from concurrent.futures import ProcessPoolExecutor

import pytest

from inhd.runner import NotebookFailure

FAILURE = dict(notebook="07_network_report.ipynb", cell_index=3, execution_count=4, ename="ValueError",
               evalue="network 'x' is not in the calibration", partial_notebook="/out/07_network_report.ipynb",
               source_line="summary = report.network_summary(...)")


def _raise_failure():
    raise NotebookFailure(**FAILURE)


def test_notebook_failure_pickles_with_every_field():
    again = pickle.loads(pickle.dumps(NotebookFailure(**FAILURE)))
    assert isinstance(again, NotebookFailure) and vars(again) == vars(NotebookFailure(**FAILURE))
    assert str(again) == str(NotebookFailure(**FAILURE))


def test_notebook_failure_survives_a_process_pool():
    with ProcessPoolExecutor(max_workers=1) as pool:
        with pytest.raises(NotebookFailure) as caught:
            pool.submit(_raise_failure).result()
    message = str(caught.value)
    assert "07_network_report.ipynb failed in cell 3 (execution count 4)" in message
    assert "ValueError: network 'x' is not in the calibration" in message
    assert "kept at /out/07_network_report.ipynb" in message
