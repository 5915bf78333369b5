"""Privacy guards for published outputs: no respondent is exposed.

Published outputs (the book, the feedback reports, CSV tables meant for sharing) hold no
respondent-level rows, and any group shown (a network, a demographic category within a network) with
fewer than ``min_cell`` respondents is suppressed and marked as such, in tables and figures alike.
The default ``min_cell`` of 10 follows common small-cell suppression practice in education statistics.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

#: Groups with fewer respondents than this are suppressed in everything published.
MIN_CELL = 10
#: The marker shown in place of a suppressed value.
SUPPRESSED_LABEL = f"suppressed (fewer than {MIN_CELL} respondents)"


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
    if min_cell < 1:
        raise ValueError(f"suppress_small_groups: min_cell must be at least 1, got {min_cell}")
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
