"""Researcher workflows: re-run a paper's notebook on your own survey export (``inhd run``) and
write each network's feedback report (``inhd report``).

Both validate the data first and refuse bad input with the validation messages; both refuse to write
into a non-empty output folder unless ``force=True``; neither modifies the input files. The survey
options (:class:`SurveyOptions`: items or a measures file, response scale, reverse-keyed items,
estimation method, covariates and their reference categories) reach every notebook that takes
survey data as its parameters (:data:`OPTION_PARAMETERS`); a notebook that has no use for an option
refuses it rather than ignoring it.
"""

from __future__ import annotations

import re
import tempfile
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from inhd import ROOT
from inhd.data import InvalidSurveyData, load_survey, validate
from inhd.privacy import MIN_CELL
from inhd.report import calibrate
from inhd.runner import execute_notebook, notebook_parameters

NOTEBOOKS = ROOT / "notebooks"


@dataclass(frozen=True)
class Paper:
    """A paper's notebook as ``inhd run`` knows it."""

    name: str
    notebook: str
    title: str


#: The notebooks ``inhd run`` can re-run, by short name (``inhd run --list``).
PAPERS = {
    paper.name: paper
    for paper in [
        Paper("framework", "01_framework.ipynb", "Russell et al. (2025): the INHD framework"),
        Paper("measure-validity", "02_measure_validity.ipynb", "Bryk, Li, Luppescu & Bui (2025): validity of the INHD measures"),
        Paper("network-variation", "03_network_variation.ipynb", "Russell, Bryk & Sherer: variation among 34 networks"),
        Paper("participatory-benefits", "04_participatory_benefits.ipynb", "Perlman, Bryk & Russell (2025): participatory benefits"),
        Paper("hub-leadership", "05_hub_leadership.ipynb", "Peurach et al.: hub leadership"),
        Paper("equity", "06_equity.ipynb", "Duff, Premo & Sherer: equity in network documentation"),
        Paper("network-report", "07_network_report.ipynb", "Sherer et al. (2025): one network's feedback report"),
        Paper("teaching", "08_teaching_measure_construction.ipynb", "A lab on measure construction"),
    ]
}


@dataclass(frozen=True)
class SurveyOptions:
    """How to read a survey: what ``inhd run`` and ``inhd report`` pass to the notebooks.

    Attributes
    ----------
    items : list of str or None
        The item columns (one measure); None: every column holding responses on the scale.
    measures : str or None
        A measures file (``measure, name, domain, items``) for a survey of several measures.
    scale : (int, int)
        The response scale (validation, estimation, text and plots all use it).
    reverse : list of str
        Reverse-keyed items, recoded as ``lowest + highest - x``.
    method : str or None
        ``"jmle"`` or ``"cml"``; None: the notebook's default (JMLE).
    person_covariates, network_covariates : list of str or None
        Covariate columns; None: the paper's covariates when all are present, otherwise none.
    references : dict
        ``{covariate: label}``: reference categories of text covariates.
    """

    items: list[str] | None = None
    measures: str | None = None
    scale: tuple[int, int] = (1, 5)
    reverse: list[str] = field(default_factory=list)
    method: str | None = None
    person_covariates: list[str] | None = None
    network_covariates: list[str] | None = None
    references: dict = field(default_factory=dict)

    def summary(self) -> str:
        """The options set, as ``inhd run`` spells them."""
        given = self.given()
        return " ".join(f"{OPTION_PARAMETERS[k]} {v}" for k, v in given.items()) or "the defaults"

    def given(self) -> dict[str, object]:
        """The options set away from their defaults, by notebook parameter name."""
        values = {"item_columns": self.items, "measures_path": self.measures,
                  "scale": None if tuple(self.scale) == (1, 5) else list(self.scale),
                  "reverse": list(self.reverse) or None, "rasch_method": self.method,
                  "person_covariates": self.person_covariates, "network_covariates": self.network_covariates,
                  "references": dict(self.references) or None}
        return {k: v for k, v in values.items() if v is not None}

    def validate(self, respondents, networks) -> None:
        """Validate the survey files with these options; raise ``InvalidSurveyData`` listing every problem."""
        validated(respondents, networks, items=self.items, scale=tuple(self.scale), measures=self.measures,
                  reverse=self.reverse, person_covariates=self.person_covariates,
                  network_covariates=self.network_covariates, references=self.references)


#: The command-line option behind each notebook parameter it sets.
OPTION_PARAMETERS = {"item_columns": "--items", "measures_path": "--measures", "scale": "--scale",
                     "reverse": "--reverse", "rasch_method": "--method", "person_covariates": "--person-covariates",
                     "network_covariates": "--network-covariates", "references": "--reference"}


@dataclass(frozen=True)
class RunResult:
    """What ``run_paper`` left in the output folder."""

    notebook: Path
    html: Path
    tables: list[Path]

    def summary(self) -> str:
        """Where the executed notebook, its HTML rendering and its tables are."""
        return (f"executed notebook {self.notebook}\nHTML {self.html}\n"
                f"{len(self.tables)} table(s): {', '.join(p.name for p in self.tables)}")


def ensure_empty_output(out: str | Path, *, force: bool) -> Path:
    """Create ``out`` if needed; refuse a non-empty folder unless ``force``.

    Raises
    ------
    FileExistsError
        ``out`` is a file, or a non-empty folder and ``force`` is false.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise FileExistsError(f"{out} is a file, not a folder")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise FileExistsError(f"{out} is not empty: choose an empty folder, or pass --force to overwrite what is there")
    out.mkdir(parents=True, exist_ok=True)
    return out


def validated(respondents: str | Path, networks: str | Path | None, **options) -> None:
    """Validate the survey files (``options`` as :func:`inhd.data.validate`), raising
    ``InvalidSurveyData`` (a ``ValueError``) with every problem."""
    report = validate(respondents, networks, **options)
    if not report.ok:
        raise InvalidSurveyData(report)


def export_html(notebook: str | Path, destination: str | Path, *, hide_code: bool = False) -> Path:
    """Render an executed notebook as one self-contained HTML file.

    Figures are embedded as data URIs and every script the default template would fetch from a CDN
    (RequireJS, MathJax) is dropped, so the file opens offline and sends nothing anywhere.
    """
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab", embed_images=True, exclude_input=hide_code,
                            exclude_input_prompt=hide_code, exclude_output_prompt=hide_code)
    body, _ = exporter.from_notebook_node(nbformat.read(notebook, as_version=4))
    body = re.sub(r'<script[^>]*\bsrc="https?://[^"]*"[^>]*>\s*</script>', "", body)
    body = re.sub(r'<link[^>]*\bhref="https?://[^"]*"[^>]*>', "", body)
    destination = Path(destination)
    destination.write_text(body, encoding="utf-8")
    return destination


def run_paper(
    name: str,
    *,
    respondents: str | Path,
    networks: str | Path | None = None,
    out: str | Path,
    options: SurveyOptions | None = None,
    parameters: dict[str, object] | None = None,
    force: bool = False,
    progress: bool = True,
) -> RunResult:
    """Re-run a paper's notebook on a survey export.

    Validates the data with ``options``, executes the notebook with papermill
    (``respondents_path``, ``networks_path`` when given, ``output_dir``, the parameters of the
    options set (:meth:`SurveyOptions.given`), then ``parameters``), and leaves in ``out`` the
    executed notebook, an HTML rendering and the notebook's CSV tables (in ``out/tables``).

    Raises
    ------
    KeyError
        Unknown paper name (the message lists the known ones).
    ValueError
        The paper's notebook takes no survey data, or no such option or parameter, or the data
        are invalid (``InvalidSurveyData``).
    FileExistsError
        ``out`` is not empty and ``force`` is false.
    inhd.runner.NotebookFailure
        A cell failed; the partial notebook is kept in ``out``.
    """
    if name not in PAPERS:
        raise KeyError(f"unknown paper {name!r}: choose one of {', '.join(PAPERS)}")
    paper = PAPERS[name]
    options = options or SurveyOptions()
    source = NOTEBOOKS / paper.notebook
    declared = notebook_parameters(source)
    if "respondents_path" not in declared:
        raise ValueError(f"the {name} notebook does not take survey data (its parameters: {', '.join(declared)})")
    unknown = sorted(set(parameters or {}) - set(declared))
    if unknown:
        raise ValueError(f"the {name} notebook has no parameter(s) {unknown}; it has: {', '.join(declared)}")
    given = options.given()
    refused = [OPTION_PARAMETERS[k] for k in given if k not in declared]
    if networks is not None and "networks_path" not in declared:
        refused.append("--networks")
    if refused:
        raise ValueError(f"the {name} notebook does not use {', '.join(refused)} (its parameters: "
                         f"{', '.join(declared)})")
    options.validate(respondents, networks)
    out = ensure_empty_output(out, force=force)
    tables = out / "tables"
    injected = {"respondents_path": str(Path(respondents).resolve()), "output_dir": str(tables.resolve()),
                **({"networks_path": str(Path(networks).resolve())} if networks is not None else {}),
                **{k: str(Path(v).resolve()) if k == "measures_path" else v for k, v in given.items()},
                **(parameters or {})}
    executed = execute_notebook(source, out / paper.notebook, parameters=injected, cwd=NOTEBOOKS, progress=progress)
    html = export_html(executed, executed.with_suffix(".html"))
    return RunResult(notebook=executed, html=html, tables=sorted(tables.glob("*.csv")))


def report_filename(network_id: str) -> str:
    """The report's file name: the network id, with characters unsafe in file names replaced by ``_``."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", str(network_id)) + ".html"


def _one_report(network_id: str, *, calibration_dir: str, work: str, out: str, parameters: dict) -> str:
    """Execute the network-report notebook for one network and render it (runs in a worker process)."""
    source = NOTEBOOKS / PAPERS["network-report"].notebook
    executed = execute_notebook(
        source, Path(work) / f"{report_filename(network_id)}.ipynb",
        parameters={**parameters, "network_id": network_id, "calibration_dir": calibration_dir},
        cwd=NOTEBOOKS, progress=False,
    )
    return str(export_html(executed, Path(out) / report_filename(network_id), hide_code=True))


def make_reports(
    *,
    respondents: str | Path,
    networks: str | Path | None = None,
    items: list[str],
    out: str | Path,
    scale: tuple[int, int] = (1, 5),
    reverse: list[str] | None = None,
    method: str = "jmle",
    network: str | None = None,
    force: bool = False,
    min_cell: int | None = None,
    jobs: int = 2,
    progress: bool = True,
) -> list[Path]:
    """Write one self-contained HTML feedback report per network into ``out``, named by ``network_id``.

    The measure is calibrated once on all respondents (:func:`inhd.report.calibrate`); each network's
    report is the network-report notebook executed for that network, rendered without code. The items
    are read on ``scale``, the ``reverse`` ones recoded as ``lowest + highest - x``, and calibrated by
    ``method`` (``"jmle"`` or ``"cml"``). Networks run
    in ``jobs`` parallel processes with a progress bar. The calibration (respondent-level) stays in a
    temporary folder that is deleted afterwards: only group-level figures reach ``out``.

    Raises
    ------
    ValueError
        Invalid data (``InvalidSurveyData``), no items, or a ``network`` that is not in the data.
    FileExistsError
        ``out`` is not empty and ``force`` is false.
    inhd.runner.NotebookFailure
        A network's report failed (the message names the notebook and cell).
    """
    from tqdm.auto import tqdm

    if not items:
        raise ValueError("make_reports: name the items that make up the measure (--items a,b,c)")
    validated(respondents, networks, items=items, scale=scale, reverse=reverse)
    frame = load_survey(respondents, networks, items=items, scale=scale, reverse=reverse).respondents
    present = sorted(frame["network_id"].astype(str).unique())
    if network is not None and str(network) not in present:
        raise ValueError(f"network {network!r} has no respondents in {respondents} (networks with respondents: "
                         f"{', '.join(present[:10])}{' ...' if len(present) > 10 else ''})")
    out = ensure_empty_output(out, force=force)
    targets = [str(network)] if network is not None else present
    parameters = {"respondents_path": str(Path(respondents).resolve()),
                  **({"networks_path": str(Path(networks).resolve())} if networks is not None else {}),
                  "item_columns": list(items), "scale": list(scale), "reverse": list(reverse or []),
                  "rasch_method": method, "min_cell": MIN_CELL if min_cell is None else min_cell}
    written = []
    with tempfile.TemporaryDirectory(prefix="inhd-report-") as work:
        calibration = calibrate(frame, items=list(items), method=method, scale=tuple(scale))
        calibration_dir = str(calibration.save(Path(work) / "calibration"))
        with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
            futures = {pool.submit(_one_report, network_id, calibration_dir=calibration_dir, work=work,
                                   out=str(out), parameters=parameters): network_id for network_id in targets}
            for future in tqdm(as_completed(futures), total=len(futures), desc="network reports", unit="report",
                               disable=not progress):
                written.append(Path(future.result()))
    return sorted(written)
