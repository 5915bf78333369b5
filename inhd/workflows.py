"""Researcher workflows: re-run a paper's notebook on your own survey export (``inhd run``) and
write each network's feedback report (``inhd report``).

Both validate the data first and refuse bad input with the validation messages; both publish through
:class:`inhd.publish.OutputFolder` (one run at a time, outputs built aside and published whole with
``index.html`` and, last, ``manifest.json``; a non-empty folder only with ``force=True``; never a
folder that holds an input); both follow the suppression rule of :mod:`inhd.privacy` in what they
publish; neither modifies the input files. The survey options (:class:`SurveyOptions`: items or a
measures file, response scale, reverse-keyed items, estimation method, covariates and their
reference categories) reach every notebook that takes survey data as its parameters
(:data:`OPTION_PARAMETERS`); a notebook that has no use for an option refuses it rather than
ignoring it.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from inhd import ROOT
from inhd.batch import render_reports
from inhd.data import InvalidSurveyData, load_survey, validate
from inhd.privacy import MIN_CELL, check_min_cell, shown_groups
from inhd.publish import (CONTENT_SECURITY_POLICY, Entry, OutputFolder, check_output_folder, shareable_csv_file,
                          put_formulas, tex_as_mathml)
from inhd.report import calibrate, report_data
from inhd.runner import NotebookFailure, execute_notebook, notebook_parameters
from inhd.survey_run import few_networks, shipped_cohort
from inhd.validity import choose_reliability_wave
from inhd.warnings import DataWarning, InhdWarning

NOTEBOOKS = ROOT / "notebooks"

#: The command-line option behind each notebook parameter it sets (:class:`SurveyOptions`).
OPTION_PARAMETERS = {"item_columns": "--items", "measures_path": "--measures", "scale": "--scale",
                     "reverse": "--reverse", "rasch_method": "--method", "person_covariates": "--person-covariates",
                     "network_covariates": "--network-covariates", "references": "--reference"}
#: Notebook parameters that ``inhd run`` sets from its own options; ``-p`` may not set them.
OWNED_PARAMETERS = {"respondents_path": "--respondents", "networks_path": "--networks", "output_dir": "--out",
                    **OPTION_PARAMETERS, "min_cell": "--min-cell", "calibration_dir": "(inhd report)"}
#: Columns by which ``inhd run``'s tables are suppressed: rows of small groups are blanked.
GROUP_COLUMNS = ("network_id", "school_id")


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
        The item columns (one measure); None: a measures file's, or the shipped survey's; other data
        without either are refused (inhd does not choose items by their values).
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

    def load(self, respondents, networks):
        """Validate and load the survey files with these options (:func:`inhd.data.load_survey`);
        raise ``InvalidSurveyData`` listing every problem."""
        return load_survey(respondents, networks, items=self.items, scale=tuple(self.scale), measures=self.measures,
                           reverse=self.reverse, person_covariates=self.person_covariates,
                           network_covariates=self.network_covariates, references=self.references)


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


def validated(respondents: str | Path, networks: str | Path | None, **options) -> None:
    """Validate the survey files (``options`` as :func:`inhd.data.validate`), raising
    ``InvalidSurveyData`` (a ``ValueError``) with every problem."""
    report = validate(respondents, networks, **options)
    if not report.ok:
        raise InvalidSurveyData(report)


def export_html(notebook: str | Path, destination: str | Path, *, hide_code: bool = False) -> Path:
    """Render an executed notebook as one self-contained, inert HTML file.

    Figures are embedded as data URIs; the formulas of the markdown cells are written as MathML
    (:func:`inhd.publish.tex_as_mathml`); every script is dropped (the template's MathJax configuration
    and its loader of Mermaid from a CDN included), and the page carries the Content-Security-Policy of
    :data:`inhd.publish.CONTENT_SECURITY_POLICY`, so it opens offline, sends nothing anywhere and runs
    no script, whatever a notebook printed.
    """
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab", embed_images=True, exclude_input=hide_code,
                            exclude_input_prompt=hide_code, exclude_output_prompt=hide_code)
    node, formulas = nbformat.read(notebook, as_version=4), {}
    for cell in node.cells:
        if cell.cell_type == "markdown":      # our text: its formulas as MathML (no MathJax under the policy)
            cell.source = tex_as_mathml(cell.source, formulas)
    body, _ = exporter.from_notebook_node(node)
    body = put_formulas(body, formulas)
    body = re.sub(r"<script\b[^>]*>.*?</script\s*>", "", body, flags=re.S | re.I)   # no script at all
    body = re.sub(r'<link[^>]*\bhref="https?://[^"]*"[^>]*>', "", body)
    policy = f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'
    body = re.sub(r"<head[^>]*>", lambda m: m.group(0) + "\n" + policy, body, count=1)
    destination = Path(destination)
    destination.write_text(body, encoding="utf-8")
    return destination


def shown_sizes(respondents: pd.DataFrame, *, min_cell: int) -> dict[str, dict[str, int]]:
    """Publishable respondents of the shown networks and schools (:func:`inhd.privacy.shown_groups`, as
    the pages show them: those in a cell, a group in one wave, of at least ``min_cell``), for
    :func:`inhd.publish.shareable_csv_file`.

    Counting all rows instead would show a network of 6 members surveyed in three waves (18 rows)
    in every table, though each of its cells is suppressed.

    Examples
    --------
    >>> r = pd.DataFrame({"network_id": ["A"] * 18 + ["B"] * 12, "wave": [1, 2, 3] * 6 + [1] * 12})
    >>> shown_sizes(r, min_cell=10)
    {'network_id': {'B': 12}}
    """
    sizes = {}
    for column in GROUP_COLUMNS:
        if column in respondents.columns:
            shown = shown_groups(respondents, group=column, min_cell=min_cell).dropna(subset=["n_persons"])
            sizes[column] = {str(g): int(n) for g, n in zip(shown[column], shown["n_persons"])}
    return sizes


def _warn(report) -> None:
    """The validation's warnings (valid data, doubtful options), as :class:`inhd.warnings.DataWarning`."""
    for text in report.warnings:
        warnings.warn(text, DataWarning, stacklevel=3)


def _warn_few(n_networks: int, *, where: str = "") -> None:
    """Too few networks for a variance between them (:func:`inhd.survey_run.few_networks`), as a
    :class:`inhd.warnings.DataWarning`; the pages say it too."""
    text = few_networks(n_networks, where=where)
    if text:
        warnings.warn(text, DataWarning, stacklevel=3)


def _refuse_owned(parameters: dict[str, object]) -> None:
    owned = [name for name in parameters if name in OWNED_PARAMETERS]
    if owned:
        options = "; ".join(f"{name} is set by inhd run from {OWNED_PARAMETERS[name]}" for name in owned)
        raise ValueError(f"-p cannot set {', '.join(owned)}: {options}, which inhd checks; use the option instead")


def run_paper(
    name: str,
    *,
    respondents: str | Path,
    networks: str | Path | None = None,
    out: str | Path,
    options: SurveyOptions | None = None,
    parameters: dict[str, object] | None = None,
    force: bool = False,
    min_cell: int | None = None,
    progress: bool = True,
) -> RunResult:
    """Re-run a paper's notebook on a survey export.

    Validates the data with ``options``, executes the notebook with papermill (``respondents_path``,
    ``networks_path`` when given and ``output_dir`` injected, the parameters of the options set
    (:meth:`SurveyOptions.given`), ``min_cell`` when the notebook takes it, then ``parameters``), and
    publishes into ``out`` the executed notebook, an HTML
    rendering and the notebook's CSV tables (in ``out/tables``), then ``index.html`` and
    ``manifest.json``. The tables are made shareable: rows of a network (or school) with fewer than
    ``min_cell`` respondents are blanked and marked, formulas neutralised.

    Raises
    ------
    KeyError
        Unknown paper name (the message lists the known ones).
    ValueError
        The paper's notebook takes no survey data or has no use for an option set, a parameter is
        unknown or set by inhd run itself (:data:`OWNED_PARAMETERS`), ``min_cell`` is below 1, the data are invalid
        (``InvalidSurveyData``), or ``out`` cannot be used (:class:`inhd.publish.OutputFolderError`:
        it holds an input, lies below a file, is locked by another run, or is not empty without
        ``force``).
    inhd.runner.NotebookFailure
        A cell failed; the partial notebook is kept in ``out`` (and nothing is published).
    """
    if name not in PAPERS:
        raise KeyError(f"unknown paper {name!r}: choose one of {', '.join(PAPERS)}")
    paper = PAPERS[name]
    source = NOTEBOOKS / paper.notebook
    parameters = dict(parameters or {})
    _refuse_owned(parameters)
    min_cell = check_min_cell(MIN_CELL if min_cell is None else min_cell)
    options = options or SurveyOptions()
    declared = notebook_parameters(source)
    if "respondents_path" not in declared:
        raise ValueError(f"the {name} notebook does not take survey data (its parameters: {', '.join(declared)})")
    unknown = sorted(set(parameters) - set(declared))
    if unknown:
        raise ValueError(f"the {name} notebook has no parameter(s) {unknown}; it has: {', '.join(declared)}")
    given = options.given()
    refused = [OPTION_PARAMETERS[k] for k in given if k not in declared]
    if networks is not None and "networks_path" not in declared:
        refused.append("--networks")
    if refused:
        raise ValueError(f"the {name} notebook does not use {', '.join(refused)} (its parameters: "
                         f"{', '.join(declared)})")
    inputs = [p for p in (respondents, networks, options.measures) if p is not None]
    check_output_folder(out, inputs=inputs)
    survey = options.load(respondents, networks)
    _warn(survey.report)
    _warn_few(survey.respondents["network_id"].nunique())
    if parameters.get("reliability_wave") is not None:     # refused here (exit 2), not in a cell (exit 1)
        choose_reliability_wave(survey.respondents, parameters["reliability_wave"])
    sizes = shown_sizes(survey.respondents, min_cell=min_cell)
    with OutputFolder(out, inputs=inputs, force=force) as folder:
        tables = folder.staging / "tables"
        injected = {"respondents_path": str(Path(respondents).resolve()), "output_dir": str(tables),
                    **({"networks_path": str(Path(networks).resolve())} if networks is not None else {}),
                    **{k: str(Path(v).resolve()) if k == "measures_path" else v for k, v in given.items()},
                    **({"min_cell": min_cell} if "min_cell" in declared else {}), **parameters}
        try:
            executed = execute_notebook(source, folder.stage(paper.notebook), parameters=injected, cwd=NOTEBOOKS,
                                        progress=progress)
        except NotebookFailure as failure:
            kept = folder.keep(paper.notebook)
            raise dataclasses.replace(failure, partial_notebook=str(kept)) from None
        _show_paths_as_given(executed, {injected["output_dir"]: "tables", **{
            str(Path(path).resolve()): str(path) for path in inputs}})
        export_html(executed, executed.with_suffix(".html"))
        for table in sorted(tables.rglob("*.csv")):
            shareable_csv_file(table, group_sizes=sizes, min_cell=min_cell)
        files = folder.staged_files()
        folder.publish([Entry(file) for file in files], title=f"inhd run {name}",
                       extra={"paper": name, "min_cell": min_cell})
    _say_removed(folder, out, what="file(s)")
    notebook = folder.path / paper.notebook
    return RunResult(notebook=notebook, html=notebook.with_suffix(".html"),
                     tables=sorted(folder.path / f for f in files if f.startswith("tables/") and f.endswith(".csv")))


def _show_paths_as_given(notebook: Path, shown: dict[str, str]) -> None:
    """In the executed notebook's injected-parameters cell, the paths as the user gave them: the
    staging folder (gone once published) becomes ``tables`` and an input's absolute path the path
    typed, so that the published notebook and page show no machine path (newcomer trial). The values
    are Python string literals, replaced as such; a comment says so."""
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            source = cell.source
            for path, given in shown.items():
                source = source.replace(repr(path), repr(given)).replace(f'"{path}"', repr(given))
            if source != cell.source:
                cell.source = ("# Paths as given to inhd run (it ran with their absolute form; output_dir is the "
                               "run's tables/ folder)\n" + source)
    papermill = nb.metadata.get("papermill", {})
    for key, value in papermill.get("parameters", {}).items():
        if isinstance(value, str) and value in shown:
            papermill["parameters"][key] = shown[value]
    if "input_path" in papermill:                       # the compendium's notebook, relative to the compendium
        source = Path(papermill["input_path"])
        papermill["input_path"] = str(source.relative_to(ROOT)) if source.is_relative_to(ROOT) else source.name
    if "output_path" in papermill:
        papermill["output_path"] = notebook.name
    nbformat.write(nb, notebook)


def _close_ids(given: str, ids: list[str]) -> list[str]:
    """Ids that ``given`` may stand for: the same but for case, the same after a letter prefix (``72``
    for ``G72``), or close in spelling."""
    lower = given.strip().lower()
    same = [i for i in ids if i.lower() == lower
            or (lower and i.lower().endswith(lower) and i[: len(i) - len(lower)].isalpha())]
    return same[:3] or difflib.get_close_matches(given, ids, n=3, cutoff=0.75)


#: The note on every report drawn from the compendium's synthetic data.
SYNTHETIC_NOTE = ("SYNTHETIC DATA. These reports are drawn from the compendium's synthetic cohort, calibrated to "
                  "the published tables; no real network or respondent is shown.")


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
    """Write one self-contained HTML feedback report per network into ``out``, with an index and a manifest.

    The items are read on ``scale``, the ``reverse`` ones recoded as ``lowest + highest - x``, and the
    measure is calibrated once by ``method`` (:func:`inhd.report.calibrate`; the network model on the
    respondents of shown cells), every published figure is computed once under the suppression rule
    (:func:`inhd.report.report_data`), and the pages are rendered in Python by ``jobs`` processes
    (:func:`inhd.batch.render_reports`: no kernel per network) and published whole: the reports,
    then ``index.html``, then ``manifest.json``. File names are the network ids where they are safe,
    else a slug and a short hash (:func:`inhd.publish.file_names`). Nothing respondent-level is
    written anywhere.

    Raises
    ------
    ValueError
        Invalid data (``InvalidSurveyData``), no items, ``min_cell`` below 1, a ``network`` that is not
        in the data, data that cannot be modelled (:class:`inhd.report.UnmodellableData`, naming the
        networks and the cause), or an output folder that cannot be used
        (:class:`inhd.publish.OutputFolderError`).
    inhd.batch.ReportFailure
        A network's page failed (the message names the network and the error).
    KeyboardInterrupt
        Ctrl-C: the workers are stopped and nothing is published.
    """
    if not items:
        raise ValueError("make_reports: name the items that make up the measure (--items a,b,c)")
    min_cell = check_min_cell(MIN_CELL if min_cell is None else min_cell)
    inputs = [p for p in (respondents, networks) if p is not None]
    check_output_folder(out, inputs=inputs)
    survey = load_survey(respondents, networks, items=items, scale=scale, reverse=reverse)
    _warn(survey.report)
    frame = survey.respondents
    present = sorted(frame["network_id"].astype(str).unique())
    if network is not None and str(network) not in present:
        close = _close_ids(str(network), present)
        raise ValueError(f"network {network!r} has no respondents in {respondents}"
                         + (f"; did you mean {' or '.join(map(repr, close))}?" if close else
                            f" (networks with respondents: {', '.join(present[:10])}{' ...' if len(present) > 10 else ''})"))
    note = SYNTHETIC_NOTE if shipped_cohort(respondents) is not None else ""      # by content, not by name
    targets = [str(network)] if network is not None else present
    with OutputFolder(out, inputs=inputs, force=force) as folder:     # locked before the long part
        calibration = calibrate(frame, items=list(items), method=method, scale=tuple(scale), min_cell=min_cell,
                                reversed=tuple(reverse or ()))
        data = report_data(calibration, note=note, warnings=survey.report.warnings)
        _warn_few(int((~data.networks["suppressed"]).sum()), where=" shown")
        entries = render_reports(data, targets, folder.staging, jobs=max(1, jobs), progress=progress)
        folder.publish(entries, title="Network feedback reports", extra={"min_cell": min_cell,
                                                                        "n_networks": len(targets)})
    _say_removed(folder, out, what="report(s) of other networks" if network is not None else "file(s)",
                 hint="; to refresh one network's report and keep the others, write it into another folder"
                 if network is not None else "")
    return [folder.path / entry.file for entry in entries]


def _say_removed(folder: OutputFolder, out, *, what: str, hint: str = "") -> None:
    """Warn that publishing with ``force`` removed files of the previous run (never silently)."""
    if folder.removed:
        shown = ", ".join(folder.removed[:5]) + (" ..." if len(folder.removed) > 5 else "")
        warnings.warn(f"--force replaced the previous run in {out} whole: {len(folder.removed)} {what} it had written "
                      f"were removed ({shown}){hint}", InhdWarning, stacklevel=3)
