"""Privacy guards for published outputs: the one suppression rule, and no respondent exposed.

Published outputs (the feedback reports, the book, the CSV tables meant for sharing) hold no
respondent-level rows, and they follow one rule, written here as functions so that every output
applies it the same way.

The suppression rule
--------------------
1. **Cells.** A *cell* is the smallest group a published figure describes: a network, or a network in
   one survey wave when the data have waves. A cell with fewer than ``min_cell`` respondents is
   *suppressed*. A respondent in a shown cell is *publishable* (:func:`publishable`); a network is
   shown when it has at least ``min_cell`` publishable respondents (:func:`shown_groups`).
2. **Only publishable respondents count.** Every published count, mean, share and figure is computed
   from publishable respondents only, so no published figure draws on a respondent of a suppressed
   cell. A network's own figures use its publishable respondents; the *all-networks* figures (the
   comparison every report shows) pool the shown cells only (:func:`pooled_means`), never everyone.
3. **Every figure has its own threshold.** A mean of an item, or of a wave, is a figure of the
   respondents it averages: shown only when at least ``min_cell`` of them answered (per network:
   :func:`cell_means`; pooled: :func:`pooled_means`). Below that it is suppressed and *marked*, in
   tables (``suppressed`` is true, the values blank) and figures (a marker in place of the point)
   alike; it is never silently left out.
4. **Hence no differencing.** Since every published figure is a function of the publishable
   respondents' answers alone (and of the model parameters of 5), no combination of published
   all-networks and network figures can recover a suppressed cell's mean or count: they do not
   depend on it. ``tests/test_privacy.py`` and ``tests/test_hostile.py`` check both that the
   published figures do not change when a suppressed cell's answers do, and that the differencing
   attacks of issue 12 recover nothing.
5. **Model parameters may stay.** Parameters of a model calibrated on everyone (item difficulties
   and thresholds of the rating-scale model, a paper's fixed effects and variance components) are
   not descriptive figures of a group and are published as they are; the per-network estimates of a
   suppressed network never are (:func:`suppress_by_group_size`).

The default ``min_cell`` of 10 follows common small-cell suppression practice in education
statistics; ``min_cell`` must be a whole number of at least 1 (:func:`check_min_cell`).
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

#: Groups with fewer respondents than this are suppressed in everything published.
MIN_CELL = 10
#: The marker shown in place of a suppressed value.
SUPPRESSED_LABEL = f"suppressed (fewer than {MIN_CELL} respondents)"


def check_min_cell(min_cell: object) -> int:
    """``min_cell`` as an ``int``, refused unless it is a whole number of at least 1.

    Raises
    ------
    ValueError
        ``min_cell`` is below 1, not whole, or not a number (a ``bool`` is not a number here).

    Examples
    --------
    >>> check_min_cell(10)
    10
    >>> check_min_cell(0)
    Traceback (most recent call last):
    ...
    ValueError: min_cell must be a whole number of at least 1 (smallest group shown), got 0
    """
    whole = isinstance(min_cell, numbers.Integral) or isinstance(min_cell, float) and min_cell.is_integer()
    if isinstance(min_cell, bool) or not whole or min_cell < 1:
        raise ValueError(f"min_cell must be a whole number of at least 1 (smallest group shown), got {min_cell!r}")
    return int(min_cell)


def suppress_small_groups(
    table: pd.DataFrame,
    *,
    count_column: str = "n_persons",
    min_cell: int = MIN_CELL,
    keep: Iterable[str] = (),
) -> pd.DataFrame:
    """Blank every value of groups with fewer than ``min_cell`` respondents and mark them.

    Parameters
    ----------
    table
        One row per group, with the group's respondent count in ``count_column``.
    count_column
        The column holding the number of respondents in each group.
    min_cell
        Smallest group shown. Groups below it keep only their identifying columns.
    keep
        Columns that identify the group (e.g. ``network_id``) and so stay visible.

    Returns
    -------
    pandas.DataFrame
        A copy with the same columns plus a boolean ``suppressed``; in suppressed rows every column
        but ``keep`` (the count included) is missing. The input is not modified.

    Raises
    ------
    ValueError
        If ``count_column`` or a ``keep`` column is absent, or ``min_cell`` is below 1.
    """
    keep = list(keep)
    missing = [c for c in [count_column, *keep] if c not in table.columns]
    if missing:
        raise ValueError(f"suppress_small_groups: column(s) {missing} not in the table (it has {list(table.columns)})")
    min_cell = check_min_cell(min_cell)
    result = table.copy()
    small = result[count_column].fillna(0).to_numpy() < min_cell
    if small.any():
        for column in (c for c in result.columns if c not in keep):
            numeric = pd.api.types.is_numeric_dtype(result[column]) and not pd.api.types.is_bool_dtype(result[column])
            result[column] = result[column].astype("Float64" if numeric else object)
            result.loc[small, column] = pd.NA
    result["suppressed"] = small
    return result


def group_counts(frame: pd.DataFrame, by: str | list[str], *, min_cell: int = MIN_CELL) -> pd.DataFrame:
    """Respondents per group, with small groups suppressed: the shareable form of a crosstab."""
    counts = frame.groupby(by, observed=True).size().rename("n_persons").reset_index()
    return suppress_small_groups(counts, keep=[by] if isinstance(by, str) else by, min_cell=min_cell)


def check_shareable(table: pd.DataFrame, *, respondent_ids: Iterable[object], name: str = "table") -> None:
    """Refuse a table that would expose respondents: a respondent id column or any respondent's id.

    Raises
    ------
    ValueError
        Naming the table and the offending column.
    """
    if "respondent_id" in table.columns:
        raise ValueError(f"{name} has a respondent_id column: respondent-level rows are never published")
    ids = {str(i) for i in respondent_ids}
    for column in table.columns:
        values = table[column].dropna().astype(str)
        hits = values[values.isin(ids)]
        if len(hits):
            raise ValueError(
                f"{name}, column {column}: holds respondent id {hits.iloc[0]!r}: respondent-level rows are never published"
            )


def _present(frame: pd.DataFrame, columns: Iterable[str]) -> list[str]:
    return [c for c in columns if c in frame.columns]


def publishable(
    frame: pd.DataFrame,
    *,
    group: str = "network_id",
    cells: Sequence[str] = ("wave",),
    min_cell: int = MIN_CELL,
) -> pd.Series:
    """Which respondents may enter published figures: those in a cell of at least ``min_cell``.

    Part 1 of the rule. A cell is ``group`` crossed with each of ``cells`` that ``frame`` has (a
    network in one wave); without those columns a cell is the group itself. A missing wave is a
    cell of its own.

    Parameters
    ----------
    frame
        One row per respondent, with the ``group`` column (and ``cells`` columns, when present).
    group, cells
        The column naming the group and the columns splitting it into published cells.
    min_cell
        Smallest cell shown.

    Returns
    -------
    pandas.Series
        Boolean, indexed like ``frame``; true for a respondent whose cell has at least ``min_cell``
        respondents.

    Examples
    --------
    >>> people = pd.DataFrame({"network_id": ["A"] * 12 + ["B"] * 12, "wave": [1] * 12 + [1] * 8 + [2] * 4})
    >>> publishable(people, min_cell=10).groupby(people["network_id"]).sum().to_dict()
    {'A': 12, 'B': 0}
    """
    min_cell = check_min_cell(min_cell)
    if group not in frame.columns:
        raise ValueError(f"publishable: column {group!r} not in the table (it has {list(frame.columns)})")
    keys = [group, *_present(frame, cells)]
    size = frame.groupby(keys, dropna=False, observed=True)[group].transform("size")
    return (size >= min_cell).rename("publishable")


def shown_groups(
    frame: pd.DataFrame,
    *,
    group: str = "network_id",
    cells: Sequence[str] = ("wave",),
    min_cell: int = MIN_CELL,
) -> pd.DataFrame:
    """Every group of ``frame`` with its publishable respondents, and whether it is shown.

    Returns
    -------
    pandas.DataFrame
        ``group, n_persons, suppressed``, one row per group (sorted): ``n_persons`` counts the
        group's publishable respondents and is missing for a suppressed group; a group is shown when
        it has at least ``min_cell`` of them.
    """
    ok = publishable(frame, group=group, cells=cells, min_cell=min_cell)
    counts = ok.groupby(frame[group], observed=True).sum().astype("Int64").rename("n_persons")
    table = counts.rename_axis(group).reset_index()
    table["suppressed"] = (table["n_persons"] < min_cell).to_numpy(dtype=bool)
    table.loc[table["suppressed"], "n_persons"] = pd.NA
    return table


def _among(frame: pd.DataFrame, among: pd.Series | None) -> np.ndarray:
    if among is None:
        return np.ones(len(frame), dtype=bool)
    mask = pd.Series(among).reindex(frame.index)
    if mask.isna().any():
        raise ValueError("among must be a boolean Series indexed like the table (e.g. publishable(frame))")
    return mask.to_numpy(dtype=bool)


def _long_sums(frame: pd.DataFrame, values: Sequence[str], keys: list[str],
               among: pd.Series | None = None) -> pd.DataFrame:
    """``keys..., variable, n_persons, total``: count and sum of each value column per cell, over the
    non-missing values of the rows in ``among``; every cell of ``frame`` gets a row."""
    numeric = frame[list(values)].apply(pd.to_numeric, errors="coerce").astype(float)
    numeric[~_among(frame, among)] = np.nan
    numeric.columns = list(values)
    data = pd.concat([frame[keys].reset_index(drop=True), numeric.reset_index(drop=True)], axis=1)
    long = data.melt(id_vars=keys, value_vars=list(values), var_name="variable", value_name="value")
    long["variable"] = pd.Categorical(long["variable"], categories=list(values), ordered=True)
    grouped = long.groupby([*keys, "variable"], dropna=False, observed=True)["value"]
    return grouped.agg(n_persons="count", total="sum").reset_index()


def cell_means(frame: pd.DataFrame, values: Sequence[str], *, by: Sequence[str], among: pd.Series | None = None,
               min_cell: int = MIN_CELL) -> pd.DataFrame:
    """The mean of each value column in each cell of ``by``, suppressed below ``min_cell`` answers.

    Part 3 of the rule, for one group's figures: a network's mean response to an item counts only the
    publishable respondents who answered it, and is shown only when at least ``min_cell`` did.

    Parameters
    ----------
    frame
        One row per respondent: the ``by`` columns and the ``values`` columns.
    values, by
        The columns averaged and the columns naming a cell.
    among
        The rows that may count (a boolean Series indexed like ``frame``): pass
        :func:`publishable`. Every cell of ``frame`` gets a row, those without enough of these rows
        marked suppressed. ``None``: every row counts.
    min_cell
        Smallest number of answers averaged.

    Returns
    -------
    pandas.DataFrame
        ``by..., variable, n_persons, mean, suppressed`` (long form; ``variable`` in the order of
        ``values``); ``n_persons`` and ``mean`` are missing where ``suppressed``.
    """
    min_cell = check_min_cell(min_cell)
    by = list(by)
    table = _long_sums(frame, values, by, among)
    table["mean"] = table["total"] / table["n_persons"].where(table["n_persons"] > 0)
    return _mark(table.drop(columns="total"), min_cell)


def pooled_means(frame: pd.DataFrame, values: Sequence[str], *, cells: Sequence[str], by: Sequence[str] = (),
                 among: pd.Series | None = None, min_cell: int = MIN_CELL) -> pd.DataFrame:
    """The all-groups mean of each value column, pooled over the shown cells only.

    Parts 2 and 3 of the rule: the comparison figure ("all networks") for each level of ``by`` (a
    wave; none for an overall figure) pools the respondents of the cells ``cells + by`` that are
    themselves shown, i.e. that have at least ``min_cell`` answers; a suppressed cell adds nothing to
    it, so no difference of published figures recovers it. The pooled figure is suppressed when no
    cell is shown. ``among`` (pass :func:`publishable`) names the rows that may count, as in
    :func:`cell_means`; every level of ``by`` in ``frame`` gets a row.

    Returns
    -------
    pandas.DataFrame
        ``by..., variable, n_persons, n_cells, mean, suppressed`` (long form): ``n_cells`` is the
        number of shown cells pooled; ``n_persons`` and ``mean`` are missing where ``suppressed``.

    Examples
    --------
    A network of 9 alone in wave 2 leaves no shown cell in wave 2, so no all-networks mean there:

    >>> people = pd.DataFrame({"network_id": ["A"] * 10 + ["B"] * 9, "wave": [1] * 10 + [2] * 9,
    ...                        "measure": [0.0] * 10 + [3.0] * 9})
    >>> pooled = pooled_means(people, ["measure"], cells=["network_id"], by=["wave"], among=publishable(people))
    >>> pooled[["wave", "mean", "suppressed"]]
       wave  mean  suppressed
    0     1   0.0       False
    1     2  <NA>        True
    """
    min_cell = check_min_cell(min_cell)
    by, cells = list(by), list(cells)
    per_cell = _long_sums(frame, values, [*by, *cells], among)
    per_cell = per_cell[per_cell["n_persons"] >= min_cell]
    keys = [*by, "variable"]
    pooled = per_cell.groupby(keys, dropna=False, observed=True).agg(
        n_persons=("n_persons", "sum"), n_cells=("n_persons", "size"), total=("total", "sum"))
    # every (by, variable) present in the data gets a row, shown or marked suppressed
    everything = _long_sums(frame, values, by)[keys]  # every level, whoever counts
    table = everything.merge(pooled.reset_index(), on=keys, how="left")
    table["n_cells"] = table["n_cells"].fillna(0).astype(int)
    table["n_persons"] = table["n_persons"].fillna(0)
    table["mean"] = table["total"] / table["n_persons"].where(table["n_persons"] > 0)
    return _mark(table.drop(columns="total")[[*keys, "n_persons", "n_cells", "mean"]], min_cell)


def _mark(table: pd.DataFrame, min_cell: int) -> pd.DataFrame:
    """Blank ``n_persons`` and ``mean`` below ``min_cell`` and add ``suppressed``."""
    table = table.reset_index(drop=True)
    small = (table["n_persons"].to_numpy(dtype=float) < min_cell)
    table["n_persons"] = table["n_persons"].astype("Int64").mask(small)
    table["mean"] = table["mean"].astype("Float64").mask(small)
    table["suppressed"] = small
    return table


def category_shares(frame: pd.DataFrame, column: str, categories: Sequence[str], *, by: Sequence[str] = (),
                    among: pd.Series | None = None, min_cell: int = MIN_CELL) -> pd.DataFrame:
    """The share of respondents in each category, per group of ``by`` (or overall), small groups blanked.

    Only the rows in ``among`` count (pass :func:`publishable`); the overall shares are then the
    all-networks figure of the rule, pooling the shown networks only. Every group of ``frame`` gets
    a row.

    Returns
    -------
    pandas.DataFrame
        ``by..., n_persons, <one column per category>, suppressed``; a group with fewer than
        ``min_cell`` respondents keeps only its ``by`` columns.
    """
    min_cell = check_min_cell(min_cell)
    by = list(by)
    codes = pd.Categorical(frame[column], categories=list(categories)).codes
    counted = (codes >= 0) & _among(frame, among)
    dummies = pd.DataFrame(np.eye(len(categories))[codes] * counted[:, None], columns=list(categories))
    if by:
        keys = frame[by].reset_index(drop=True)
        counts = dummies.groupby([keys[c] for c in by], dropna=False, observed=True).sum()
        table = counts.reset_index()
    else:
        table = dummies.sum().to_frame().T
    n = table[list(categories)].sum(axis=1)
    table.insert(len(by), "n_persons", n.astype(int))
    table[list(categories)] = table[list(categories)].div(n.where(n > 0), axis=0)
    return suppress_small_groups(table, count_column="n_persons", keep=by, min_cell=min_cell)


def suppress_by_group_size(
    table: pd.DataFrame,
    sizes: pd.Series,
    *,
    group: str = "network_id",
    min_cell: int = MIN_CELL,
) -> pd.DataFrame:
    """Blank the rows of a published table that describe a group of fewer than ``min_cell`` respondents.

    For tables made elsewhere (a paper's per-network estimates, e.g. ``network_eb.csv``): the group's
    size comes from ``sizes`` (respondents per group, indexed by the group's id), not from the table.
    A group absent from ``sizes`` has no respondents and is suppressed. Part 5 of the rule.

    Returns
    -------
    pandas.DataFrame
        A copy with ``suppressed`` added (or updated); in suppressed rows every column but ``group`` is
        missing. A table without a ``group`` column is returned unchanged (a copy).
    """
    min_cell = check_min_cell(min_cell)
    if group not in table.columns:
        return table.copy()
    counts = pd.Series(sizes, dtype="float64")
    counts.index = counts.index.astype(str)
    n = table[group].astype(str).map(counts).fillna(0.0).rename("__n__")
    marked = suppress_small_groups(table.assign(__n__=n.to_numpy()), count_column="__n__", keep=[group],
                                   min_cell=min_cell)
    if "suppressed" in table.columns:
        before = table["suppressed"]
        if not pd.api.types.is_bool_dtype(before):       # read back from a CSV: "True", "False", ""
            before = before.astype(str).str.strip().str.lower().isin(["true", "1"])
        marked["suppressed"] = marked["suppressed"] | before.fillna(False).to_numpy(dtype=bool)
    return marked.drop(columns="__n__")


#: Columns in which a per-group table counts the respondents behind a row.
COUNT_COLUMNS = ("n_persons", "n_respondents")


def shown_rows(table: pd.DataFrame | pd.Series, shown: pd.DataFrame, *,
               group: str = "network_id") -> pd.DataFrame | pd.Series:
    """The rows of a per-group table (a page's figure, chart or list) whose group is shown.

    For the per-network displays of a paper's page: the model is fitted on everyone (part 5 of the
    rule), but a network's estimate is a figure of that network, so a suppressed network is left out
    of every chart, table and list on the page (and counted by :func:`not_shown_note`).

    Parameters
    ----------
    table
        One or more rows per group: the group's id in the column ``group``, or, when ``table`` has
        no such column (a Series, or a frame indexed by network), in its index.
    shown
        :func:`shown_groups` of the respondents behind ``table`` (for a figure of one survey wave,
        of that wave's respondents: a network is shown there when its cell in that wave is).
    group
        The column naming the group, in ``table`` and ``shown``.

    Returns
    -------
    pandas.DataFrame or pandas.Series
        A copy of the rows of shown groups, in their order; the input is not modified. When a group
        is left out, the rows' counts (:data:`COUNT_COLUMNS`) are blanked: the page states how many
        respondents a model has, and that total minus the shown counts is the hidden groups' count.

    Examples
    --------
    >>> people = pd.DataFrame({"network_id": ["A"] * 12 + ["B"] * 18, "wave": [1] * 12 + [1, 2, 3] * 6})
    >>> eb = pd.DataFrame({"network_id": ["A", "B"], "n_persons": [12, 18], "mean": [4.5, 7.5]})
    >>> shown_rows(eb, shown_groups(people))
      network_id  n_persons  mean
    0          A       <NA>   4.5
    >>> not_shown_note(eb, shown_rows(eb, shown_groups(people)), min_cell=10)
    '1 network(s) with fewer than 10 respondents in a survey wave are not shown.'
    """
    if group not in shown.columns or "suppressed" not in shown.columns:
        raise ValueError(f"shown_rows: shown must be shown_groups(...) with columns {group!r} and 'suppressed', "
                         f"found {list(shown.columns)}")
    keep = set(shown.loc[~shown["suppressed"].astype(bool), group].astype(str))
    ids = table[group] if isinstance(table, pd.DataFrame) and group in table.columns else table.index.to_series()
    rows = ids.astype(str).isin(keep).to_numpy()
    out = table[rows].copy()
    if not rows.all() and isinstance(out, pd.DataFrame):
        # the page also states the model's respondents: minus the shown groups' counts, that would
        # give the hidden groups' count by difference
        for column in [c for c in COUNT_COLUMNS if c in out.columns]:
            out[column] = pd.Series(pd.NA, index=out.index, dtype="Int64")
    return out


def not_shown_note(table: pd.DataFrame | pd.Series, shown_table: pd.DataFrame | pd.Series, *,
                   group: str = "network_id", min_cell: int = MIN_CELL, waves: bool = True) -> str:
    """The sentence a page prints under a per-network display that :func:`shown_rows` thinned, or ``""``.

    Counts the groups of ``table`` that are not in ``shown_table`` (ids in the ``group`` column or
    the index, as in :func:`shown_rows`); ``waves=False`` for data without survey waves, where a cell
    is the network itself. The sentence names no group.

    Examples
    --------
    >>> not_shown_note(pd.Series({"A": 1.0, "B": 2.0}), pd.Series({"A": 1.0}), min_cell=10, waves=False)
    '1 network(s) with fewer than 10 respondents are not shown.'
    >>> not_shown_note(pd.Series({"A": 1.0}), pd.Series({"A": 1.0}))
    ''
    """
    min_cell = check_min_cell(min_cell)

    def ids(frame):
        column = frame[group] if isinstance(frame, pd.DataFrame) and group in frame.columns else frame.index
        return set(pd.Index(column).astype(str))

    n = len(ids(table) - ids(shown_table))
    if not n:
        return ""
    where = " in a survey wave" if waves else ""
    return f"{n} network(s) with fewer than {min_cell} respondents{where} are not shown."
