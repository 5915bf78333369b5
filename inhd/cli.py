"""The ``inhd`` command line: argument parsing only; every subcommand calls library functions.

Subcommands:

- ``inhd validate --respondents R.csv [--networks N.csv] [survey options]``: check a survey export
  against the data contract (:func:`inhd.data.validate`). Prints ``OK: ...`` and exits 0, or prints
  every problem, grouped by file, column and kind (the count and the first three lines of each), and
  exits 2.
- ``inhd run PAPER --respondents R.csv [--networks N.csv] --out DIR [survey options] [-p name=value ...]
  [--force]``: re-run a paper's notebook on a survey export (:func:`inhd.workflows.run_paper`);
  ``inhd run --list`` lists them.
- ``inhd report --respondents R.csv [--networks N.csv] --items a,b,c --out DIR [--scale LO-HI]
  [--reverse a,b] [--method jmle|cml] [--network ID]``: one self-contained HTML feedback report per
  network (:func:`inhd.workflows.make_reports`).

- ``--min-cell N`` (run and report): groups with fewer than N respondents are suppressed.

The survey options (:class:`inhd.workflows.SurveyOptions`): ``--items a,b,c`` or ``--measures M.csv``,
``--scale LO-HI``, ``--reverse a,b``, ``--method jmle|cml``, ``--person-covariates x,y``,
``--network-covariates u,v`` and ``--reference column=label`` (repeatable).

Both publish DIR whole: the outputs, then ``index.html``, then ``manifest.json`` (a folder without it is
incomplete); one run at a time per folder; never into a folder that holds an input.

Exit codes: 0 success; 1 a notebook or a report failed (the message names the notebook and cell, or
the network); 2 bad usage, invalid data, data that cannot be modelled, or an output folder that cannot
be used (not empty without ``--force``, holding an input, below a file, in use by another run); 130
interrupted (Ctrl-C), nothing published.

Adding a subcommand: write ``_add_<name>(subparsers)`` that creates its parser and sets
``func=_<name>`` (a function ``(args) -> int`` returning the exit code), and call it from
:func:`build_parser`. Exit codes: 0 success, 2 bad usage (argparse) or invalid data.
"""

from __future__ import annotations

import argparse
import re
import sys
import warnings

import yaml

from inhd import __version__
from inhd.data import InvalidSurveyData, validate
from inhd.batch import ReportFailure
from inhd.privacy import check_min_cell
from inhd.runner import NotebookFailure
from inhd.warnings import InhdWarning
from inhd.workflows import PAPERS, SurveyOptions, make_reports, run_paper

#: Exit code for invalid data (and, from argparse, for bad usage).
EXIT_INVALID = 2


def parse_scale(text: str) -> tuple[int, int]:
    """``"1-5"`` -> ``(1, 5)``; an ``argparse`` type (raises ``ArgumentTypeError``)."""
    match = re.fullmatch(r"\s*(-?\d+)\s*-\s*(-?\d+)\s*", text)
    if not match or int(match[1]) >= int(match[2]):
        raise argparse.ArgumentTypeError(f"{text!r} is not a response scale: write LOWEST-HIGHEST, e.g. 1-5")
    return int(match[1]), int(match[2])


def parse_min_cell(text: str) -> int:
    """``"10"`` -> ``10``; an ``argparse`` type refusing anything but a whole number of at least 1."""
    try:
        return check_min_cell(int(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1 (the smallest group shown), "
                                         f"got {text!r}") from None


def parse_items(text: str) -> list[str]:
    """``"a,b,c"`` -> ``["a", "b", "c"]`` (spaces around names dropped); an ``argparse`` type."""
    items = [name.strip() for name in text.split(",") if name.strip()]
    if not items:
        raise argparse.ArgumentTypeError("name at least one item column, e.g. --items b01,b02,b03")
    return items


def parse_reference(text: str) -> tuple[str, str]:
    """``"column=label"`` -> ``(column, label)``; an ``argparse`` type."""
    column, sep, label = text.partition("=")
    if not sep or not column.strip() or not label:
        raise argparse.ArgumentTypeError(f"{text!r} is not a reference category: write COLUMN=LABEL, "
                                         "e.g. --reference education=college")
    return column.strip(), label


def _add_survey_arguments(parser: argparse.ArgumentParser, *, files_required: bool = True,
                          items_required: bool = False, covariates: bool = True) -> None:
    """--respondents, --networks, --items, --scale, --reverse and the other survey options: shared by
    every subcommand that reads a survey."""
    parser.add_argument("--respondents", required=files_required, metavar="R.csv",
                        help="respondents table: one row per respondent (see data/README.md)")
    parser.add_argument("--networks", metavar="N.csv",
                        help="networks table: one row per network (optional: needed for network covariates)")
    default_help = ("the item columns that make up the measure, comma-separated (required)" if items_required
                    else "the item columns of one measure, comma-separated (or --measures M.csv for several). "
                         "Without either, the shipped survey uses its own items and other data are refused: "
                         "inhd does not choose items by their values; the message lists the columns holding "
                         "whole numbers and the --items to paste")
    parser.add_argument("--items", type=parse_items, default=None, required=items_required, metavar="a,b,c",
                        help=default_help)
    parser.add_argument("--scale", type=parse_scale, default=(1, 5), metavar="LOW-HIGH",
                        help="response scale of the items, e.g. 1-6 (default: 1-5)")
    parser.add_argument("--reverse", type=parse_items, default=[], metavar="a,b",
                        help="reverse-keyed items, recoded as LOW+HIGH-x before any analysis")
    parser.add_argument("--method", choices=["jmle", "cml"], default=None,
                        help="Rasch estimation: jmle (as Winsteps, the default) or cml (as eRm)")
    if not covariates:
        return
    parser.add_argument("--measures", metavar="M.csv", default=None,
                        help="measures file (measure,name,domain,items) for a survey of several measures")
    parser.add_argument("--person-covariates", type=parse_items, default=None, metavar="x,y",
                        help="covariate columns of the respondents table (numbers as they are, text dummy-coded)")
    parser.add_argument("--network-covariates", type=parse_items, default=None, metavar="u,v",
                        help="covariate columns of the networks table")
    parser.add_argument("--reference", type=parse_reference, action="append", default=[], metavar="COLUMN=LABEL",
                        help="reference category of a text covariate (default: its most frequent label); repeatable")


def survey_options(args: argparse.Namespace) -> SurveyOptions:
    """The survey options of parsed arguments."""
    return SurveyOptions(items=args.items, measures=getattr(args, "measures", None), scale=args.scale,
                         reverse=list(args.reverse), method=args.method,
                         person_covariates=getattr(args, "person_covariates", None),
                         network_covariates=getattr(args, "network_covariates", None),
                         references=dict(getattr(args, "reference", [])))


def _add_validate(subparsers) -> None:
    parser = subparsers.add_parser(
        "validate", help="check a survey export against the data contract",
        description="Check the respondents (and networks, measures) CSV files against the data contract. Prints "
                    "OK and exits 0, or lists every problem, grouped by column and kind (file, line, value), and "
                    "exits 2. The files are only read, never modified.")
    _add_survey_arguments(parser)
    parser.set_defaults(func=_validate)


def _validate(args: argparse.Namespace) -> int:
    o = survey_options(args)
    try:
        report = validate(args.respondents, args.networks, items=o.items, scale=o.scale, measures=o.measures,
                          reverse=o.reverse, person_covariates=o.person_covariates,
                          network_covariates=o.network_covariates, references=o.references)
    except (TypeError, ValueError) as err:
        print(f"inhd: {err}", file=sys.stderr)
        return EXIT_INVALID
    print(report.summary())
    return 0 if report.ok else EXIT_INVALID


#: Exit code for a notebook (or a report) that failed while running.
EXIT_FAILED = 1
#: Exit code after Ctrl-C (128 + SIGINT, as shells report it).
EXIT_INTERRUPTED = 130


def parse_parameter(text: str) -> tuple[str, object]:
    """``"name=value"`` -> ``(name, value)``, the value read as YAML (numbers, lists, true/false, text)."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip().isidentifier():
        raise argparse.ArgumentTypeError(f"{text!r} is not a parameter: write NAME=VALUE, e.g. -p max_infit=1.4")
    return name.strip(), yaml.safe_load(value)


def _add_output_arguments(parser: argparse.ArgumentParser, *, required: bool = True) -> None:
    """--out, --force, --quiet: shared by the subcommands that write results."""
    parser.add_argument("--out", required=required, metavar="DIR", help="output folder (must be empty unless --force)")
    parser.add_argument("--force", action="store_true", help="write into DIR even if it is not empty")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def _add_run(subparsers) -> None:
    parser = subparsers.add_parser(
        "run", help="re-run a paper's notebook on your survey export",
        description="Validate the survey data, then run a paper's notebook on it with papermill. DIR receives the "
                    "executed notebook, an HTML rendering and the notebook's CSV tables (DIR/tables).")
    parser.add_argument("paper", nargs="?", metavar="PAPER", help="the paper's short name (see --list)")
    parser.add_argument("--list", action="store_true", help="list the papers and exit")
    _add_survey_arguments(parser, files_required=False)  # not needed with --list; _run checks them
    _add_output_arguments(parser, required=False)
    parser.add_argument("-p", "--parameter", dest="parameters", type=parse_parameter, action="append", default=[],
                        metavar="NAME=VALUE", help="a notebook parameter (repeatable), e.g. -p max_infit=1.4; the "
                        "paths, the survey options (items, scale, reverse, method, covariates) and --min-cell are set by "
                        "the options above, not by -p")
    _add_min_cell(parser, what="in the tables written (rows of smaller networks and schools are blanked)")
    parser.set_defaults(func=_run, parser=parser)


def _add_min_cell(parser: argparse.ArgumentParser, *, what: str) -> None:
    parser.add_argument("--min-cell", type=parse_min_cell, default=None, metavar="N",
                        help=f"suppress groups with fewer than N respondents {what} (default: 10; at least 1)")


def _run(args: argparse.Namespace) -> int:
    if args.list:
        width = max(map(len, PAPERS))
        for paper in PAPERS.values():
            print(f"{paper.name:<{width}}  {paper.title}  [notebooks/{paper.notebook}]")
        return 0
    missing = [flag for flag, value in (("PAPER", args.paper), ("--respondents", args.respondents),
                                        ("--out", args.out)) if not value]
    if missing:
        args.parser.error(f"missing {', '.join(missing)} (or use --list)")
    return _guarded(lambda: run_paper(args.paper, respondents=args.respondents, networks=args.networks, out=args.out,
                                      options=survey_options(args), parameters=dict(args.parameters),
                                      force=args.force, min_cell=args.min_cell, progress=not args.quiet),
                    done=lambda result: f"done: {result.notebook}\n      {result.html}\n      "
                                        f"{len(result.tables)} table(s) in {result.notebook.parent / 'tables'}")


def _add_report(subparsers) -> None:
    parser = subparsers.add_parser(
        "report", help="write each network's feedback report (HTML)",
        description="Validate the survey data, calibrate the measure, then write one self-contained HTML report "
                    "per network (named by its network_id where that is a safe file name, else a slug and a short "
                    "hash), an index.html listing them, and manifest.json last. Groups with fewer than --min-cell "
                    "respondents are suppressed, and the all-networks figures pool only the groups shown (see "
                    "data/README.md, 'The suppression rule').")
    _add_survey_arguments(parser, items_required=True, covariates=False)
    _add_output_arguments(parser)
    parser.add_argument("--network", metavar="ID", help="only this network's report")
    _add_min_cell(parser, what="(and items and waves with fewer answers)")
    parser.add_argument("--jobs", type=int, default=2, metavar="N", help="parallel processes (default: 2)")
    parser.set_defaults(func=_report, parser=parser)


def _report(args: argparse.Namespace) -> int:
    return _guarded(lambda: make_reports(respondents=args.respondents, networks=args.networks, items=args.items,
                                         out=args.out, scale=args.scale, reverse=list(args.reverse),
                                         method=args.method or "jmle", network=args.network, force=args.force,
                                         min_cell=args.min_cell, jobs=args.jobs, progress=not args.quiet),
                    done=lambda written: f"done: {len(written)} report(s) in {args.out}")


def _guarded(action, *, done) -> int:
    """Run a workflow, turning the errors a person can act on into messages and exit codes, and its
    :class:`inhd.warnings.InhdWarning`s into ``inhd: warning: ...`` lines."""
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", InhdWarning)
            try:
                result = action()
            finally:
                _show(caught)
    except InvalidSurveyData as err:
        print(err.report.summary(), file=sys.stderr)
        return EXIT_INVALID
    except (NotebookFailure, ReportFailure) as err:
        print(f"inhd: {err}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("inhd: interrupted: the workers were stopped and nothing was published (no manifest.json)",
              file=sys.stderr)
        return EXIT_INTERRUPTED
    except (FileExistsError, FileNotFoundError, KeyError, ValueError) as err:
        print(f"inhd: {err.args[0] if err.args else err}", file=sys.stderr)
        return EXIT_INVALID
    except OSError as err:                      # a path that cannot be read or written: a sentence
        where = f" ({err.filename})" if err.filename else ""
        print(f"inhd: cannot read or write{where}: {err.strerror or err}", file=sys.stderr)
        return EXIT_INVALID
    print(done(result))
    return 0


def _show(caught) -> None:
    """Print the package's warnings as sentences (once each); pass the others on as Python shows them."""
    seen = set()
    for w in caught:
        if issubclass(w.category, InhdWarning):
            if str(w.message) not in seen:
                seen.add(str(w.message))
                print(f"inhd: warning: {w.message}", file=sys.stderr)
        else:
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)


def build_parser() -> argparse.ArgumentParser:
    """The ``inhd`` parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="inhd", description="Measurement methods of the INHD research program: check survey data, re-run "
                                 "the papers' analyses on it.")
    parser.add_argument("--version", action="version", version=f"inhd {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    _add_validate(subparsers)
    _add_run(subparsers)
    _add_report(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run ``inhd`` with ``argv`` (default ``sys.argv[1:]``); return the exit code.

    Bad usage raises ``SystemExit(2)`` from argparse, after printing the usage.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "func"):
        parser.print_help(sys.stderr)
        return EXIT_INVALID
    try:
        return args.func(args)
    except BrokenPipeError:                     # `inhd validate ... | head`: the reader left; so do we
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())   # no second error at exit
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
