"""The ``inhd`` command line: argument parsing only; every subcommand calls library functions.

Subcommands:

- ``inhd validate --respondents R.csv --networks N.csv [--items a,b,c] [--scale 1-5]``: check a survey
  export against the data contract (:func:`inhd.data.validate`). Prints ``OK: ...`` and exits 0, or
  prints every problem (the first 50, then a count of the rest) and exits 2.

Adding a subcommand: write ``_add_<name>(subparsers)`` that creates its parser and sets
``func=_<name>`` (a function ``(args) -> int`` returning the exit code), and call it from
:func:`build_parser`. Exit codes: 0 success, 2 bad usage (argparse) or invalid data.
"""

from __future__ import annotations

import argparse
import re
import sys

from inhd import __version__

#: Exit code for invalid data (and, from argparse, for bad usage).
EXIT_INVALID = 2


def parse_scale(text: str) -> tuple[int, int]:
    """``"1-5"`` -> ``(1, 5)``; an ``argparse`` type (raises ``ArgumentTypeError``)."""
    match = re.fullmatch(r"\s*(-?\d+)\s*-\s*(-?\d+)\s*", text)
    if not match or int(match[1]) >= int(match[2]):
        raise argparse.ArgumentTypeError(f"{text!r} is not a response scale: write LOWEST-HIGHEST, e.g. 1-5")
    return int(match[1]), int(match[2])


def parse_items(text: str) -> list[str]:
    """``"a,b,c"`` -> ``["a", "b", "c"]`` (spaces around names dropped); an ``argparse`` type."""
    items = [name.strip() for name in text.split(",") if name.strip()]
    if not items:
        raise argparse.ArgumentTypeError("name at least one item column, e.g. --items b01,b02,b03")
    return items


def _add_survey_arguments(parser: argparse.ArgumentParser) -> None:
    """--respondents, --networks, --items, --scale: shared by every subcommand that reads a survey."""
    parser.add_argument("--respondents", required=True, metavar="R.csv",
                        help="respondents table: one row per respondent (see data/README.md)")
    parser.add_argument("--networks", required=True, metavar="N.csv", help="networks table: one row per network")
    parser.add_argument("--items", type=parse_items, default=None, metavar="a,b,c",
                        help="the item columns, comma-separated (default: every column that is not a "
                             "contract column)")
    parser.add_argument("--scale", type=parse_scale, default=(1, 5), metavar="LOW-HIGH",
                        help="response scale of the items (default: 1-5)")


def _add_validate(subparsers) -> None:
    parser = subparsers.add_parser(
        "validate", help="check a survey export against the data contract",
        description="Check the respondents and networks CSV files against the data contract. Prints OK and "
                    "exits 0, or lists every problem (file, line, column, value) and exits 2. The files are "
                    "only read, never modified.")
    _add_survey_arguments(parser)
    parser.set_defaults(func=_validate)


def _validate(args: argparse.Namespace) -> int:
    from inhd.data import validate

    report = validate(args.respondents, args.networks, items=args.items, scale=args.scale)
    print(report.summary())
    return 0 if report.ok else EXIT_INVALID


def build_parser() -> argparse.ArgumentParser:
    """The ``inhd`` parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="inhd", description="Measurement methods of the INHD research program: check survey data, re-run "
                                 "the papers' analyses on it.")
    parser.add_argument("--version", action="version", version=f"inhd {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    _add_validate(subparsers)
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
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
