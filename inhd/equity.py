"""Equity in improvement networks: the framework table, SYNTHETIC documentation coding, coverage.

Duff, Premo & Sherer, *Dynamic perspectives on equity in networked improvement* (program poster,
``../shared/papers/000_0b4d24aad3ee4194.txt``): hub leaders' documentation for 35 networks coded
against an equity framework of four dimensions (outcomes, opportunity, identity, power), each with
approaches put into practice at stakeholder levels (Table 1, shipped as
``data/published/equity_framework.csv``). Published findings: all hub leaders described practices
related to equitable outcomes; 94% of hub leaders "attended to at least two equity dimensions",
49% "prioritized three or more", 15% "of networks" "prioritized strategies across all"; fewer
described practices related to identity; approaches "were evolving".

The real coding is not public: :func:`simulate_equity_coding` makes a SYNTHETIC coding calibrated to
those shares. We treat each share as a share of the 35 networks, and "prioritized" as "attended to"
(any approach of the dimension in any year's documentation), a reading the poster does not define.
As counts: 33 networks with two or more dimensions (94.3%), 17 with three or more (48.6%), 5 with
all four (14.3%; 6 would be 17.1%, so 5 is the nearest count to the printed 15%). Those counts are
hit exactly, not in expectation.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from inhd import DATA_DIR

DIMENSIONS: tuple[str, ...] = ("outcomes", "opportunity", "identity", "power")
STAKEHOLDERS: tuple[str, ...] = ("students", "families_communities", "educators", "district_staff", "network_hub")
YEARS: tuple[int, ...] = (2020, 2021, 2022, 2023)
N_NETWORKS = 35

#: Published shares of networks attending to at least k dimensions, and the counts out of 35 we hit.
PUBLISHED_SHARES = {2: 0.94, 3: 0.49, 4: 0.15}
TARGET_COUNTS = {1: 35, 2: 33, 3: 17, 4: 5}

#: SYNTHETIC calibration choice (not published): how many of the 35 networks attend to each of the
#: three dimensions beyond outcomes, by number of dimensions. Rows: networks with exactly 2, 3, 4
#: dimensions (16, 12, 5 networks); the extra dimensions are assigned as fixed combinations so that
#: opportunity (26) > power (18) > identity (11): identity the least often, as published.
_COMBINATIONS = (
    # (extra dimensions, number of networks)
    ((), 2),
    (("opportunity",), 10), (("power",), 4), (("identity",), 2),
    (("opportunity", "power"), 8), (("opportunity", "identity"), 3), (("identity", "power"), 1),
    (("opportunity", "identity", "power"), 5),
)


def load_equity_framework(path: str | Path | None = None) -> pd.DataFrame:
    """The equity framework table (Duff, Premo & Sherer, Table 1).

    One row per approach: ``dimension, approach`` and one 0/1 column per stakeholder level
    (``students, families_communities, educators, district_staff, network_hub``), 1 where the poster
    marks the approach as put into practice at that level.

    Raises
    ------
    ValueError
        When a column is missing, a dimension is unknown, or an approach has no stakeholder level.
    """
    path = Path(path) if path is not None else DATA_DIR / "published" / "equity_framework.csv"
    table = pd.read_csv(path)
    missing = [c for c in ("dimension", "approach", *STAKEHOLDERS) if c not in table.columns]
    if missing:
        raise ValueError(f"{path}: columns {missing} are missing")
    problems = [f"{path} line {i + 2}, column dimension: {d!r} is not one of {list(DIMENSIONS)}"
                for i, d in enumerate(table["dimension"]) if d not in DIMENSIONS]
    problems += [f"{path} line {i + 2}: approach {a!r} has no stakeholder level"
                 for i, a in enumerate(table["approach"]) if table.loc[i, list(STAKEHOLDERS)].sum() == 0]
    if problems:
        raise ValueError("; ".join(problems))
    return table


def simulate_equity_coding(*, rng: int | np.random.Generator, framework: pd.DataFrame | None = None,
                           years: tuple[int, ...] = YEARS) -> pd.DataFrame:
    """SYNTHETIC coding of 35 networks' documentation: each approach present or absent each year.

    Generation: each network gets a set of dimensions from the fixed combinations above (so the
    counts attending to >= 2, 3, 4 dimensions are exactly 33, 17, 5, and outcomes is universal);
    which network gets which set is random. Each dimension in a network's set enters its
    documentation in a random first year (outcomes in the first year; others uniformly over the
    years, so networks broaden over time) and stays; outcomes every year, every other dimension with
    probability 0.15 per later year is absent again
    from one year's documentation (never in its first year or the last year, so every dimension of
    the set is present at least once). In each year a dimension is present, one of its approaches
    (chosen at random) is coded present and each other approach with probability 0.35.

    Returns
    -------
    DataFrame
        Long format, every (network, year, approach): ``network_id, year, dimension, approach,
        present`` (0/1), ``35 * len(years) * n_approaches`` rows.
    """
    rng = np.random.default_rng(rng)
    framework = load_equity_framework() if framework is None else framework
    if len(years) < 2:
        raise ValueError(f"years: expected at least two years of documentation, found {list(years)}")
    sets = [("outcomes", *extra) for extra, n in _COMBINATIONS for _ in range(n)]
    order = rng.permutation(N_NETWORKS)
    approaches = {d: list(framework.loc[framework["dimension"] == d, "approach"]) for d in DIMENSIONS}
    rows = []
    for k, idx in enumerate(order):
        network_id = f"E{k + 1:02d}"
        dims = sets[idx]
        n_years = len(years)
        presence = {}
        for d in DIMENSIONS:
            on = np.zeros(n_years, dtype=bool)
            if d in dims:
                first = 0 if d == "outcomes" else int(rng.integers(0, n_years))
                on[first:] = True
                for t in range(first + 1, n_years - 1) if d != "outcomes" else ():
                    if rng.random() < 0.15:
                        on[t] = False
            presence[d] = on
        for t, year in enumerate(years):
            for d in DIMENSIONS:
                n_app = len(approaches[d])
                coded = np.zeros(n_app, dtype=int)
                if presence[d][t]:
                    coded = (rng.random(n_app) < 0.35).astype(int)
                    coded[int(rng.integers(0, n_app))] = 1
                for a, c in zip(approaches[d], coded):
                    rows.append((network_id, year, d, a, int(c)))
    return pd.DataFrame(rows, columns=["network_id", "year", "dimension", "approach", "present"])


def _check_coding(coding: pd.DataFrame) -> None:
    missing = [c for c in ("network_id", "year", "dimension", "approach", "present") if c not in coding.columns]
    if missing:
        raise ValueError(f"coding: columns {missing} are missing")
    bad = sorted(set(coding["dimension"]) - set(DIMENSIONS))
    if bad:
        raise ValueError(f"coding, column dimension: {bad} are not among {list(DIMENSIONS)}")
    badp = sorted(set(coding["present"].dropna().unique()) - {0, 1})
    if badp or coding["present"].isna().any():
        raise ValueError(f"coding, column present: expected 0/1 with no missing values, found {badp or 'missing'}")


def dimension_coverage(coding: pd.DataFrame) -> pd.DataFrame:
    """Which dimensions each network attends to over all its documentation.

    A network attends to a dimension when any approach of it is coded present in any year.

    Returns
    -------
    DataFrame
        One row per network: ``network_id``, one 0/1 column per dimension, ``n_dimensions``.
    """
    _check_coding(coding)
    wide = (coding.groupby(["network_id", "dimension"])["present"].max()
            .unstack("dimension").reindex(columns=list(DIMENSIONS)).fillna(0).astype(int))
    wide["n_dimensions"] = wide.sum(axis=1)
    return wide.reset_index()


def yearly_coverage(coding: pd.DataFrame) -> pd.DataFrame:
    """Trajectories: per network and year, the 0/1 attention to each dimension and their number."""
    _check_coding(coding)
    wide = (coding.groupby(["network_id", "year", "dimension"])["present"].max()
            .unstack("dimension").reindex(columns=list(DIMENSIONS)).fillna(0).astype(int))
    wide["n_dimensions"] = wide.sum(axis=1)
    return wide.reset_index()


@dataclass(frozen=True)
class EquityShares:
    """Shares of networks attending to at least k equity dimensions, ours beside the published.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per k: ``quantity`` (``at_least_<k>_dimensions``), ``n_networks`` (networks
        attending to at least k dimensions), ``n_networks_total``, ``estimate`` (the share) and
        ``estimate_published`` (NaN where the poster gives none).
    dimension_counts : pandas.DataFrame
        One row per dimension: ``dimension``, ``n_networks`` attending to it, ``estimate`` (the
        share).
    """

    table: pd.DataFrame
    dimension_counts: pd.DataFrame

    def summary(self) -> str:
        """Our shares beside the published ones, then the networks attending to each dimension."""
        lines = ["Networks attending to at least k equity dimensions (ours vs published)"]
        for r in self.table.itertuples():
            pub = "" if np.isnan(r.estimate_published) else f"  published {r.estimate_published:.0%}"
            lines.append(f"  {r.quantity:<22} {r.n_networks:>3}/{r.n_networks_total} = "
                         f"{r.estimate:.1%}{pub}")
        lines.append("By dimension: " + ", ".join(f"{r.dimension} {r.n_networks}"
                                                  for r in self.dimension_counts.itertuples()))
        return "\n".join(lines)


def load_published_shares(path: str | Path | None = None) -> dict[int, float]:
    """The poster's shares of networks attending to at least k dimensions
    (``data/published/equity_shares.csv``), as ``{k: share}``."""
    path = Path(path) if path is not None else DATA_DIR / "published" / "equity_shares.csv"
    table = pd.read_csv(path)
    return {int(k): float(v) for k, v in zip(table["at_least_k_dimensions"], table["published_share"])}


def coverage_shares(coding: pd.DataFrame, *, published: dict[int, float] | None = None) -> EquityShares:
    """Compute the shares attending to >= 1, 2, 3, 4 dimensions and the count per dimension.

    Parameters
    ----------
    coding
        Long-format coding (:func:`simulate_equity_coding`'s columns). Not modified.
    published
        Published shares by k, printed beside ours (default: :func:`load_published_shares`).
    """
    published = load_published_shares() if published is None else published
    cov = dimension_coverage(coding)
    n = len(cov)
    rows = []
    for k in range(1, len(DIMENSIONS) + 1):
        count = int((cov["n_dimensions"] >= k).sum())
        rows.append({"quantity": f"at_least_{k}_dimensions", "n_networks": count,
                     "n_networks_total": n, "estimate": count / n,
                     "estimate_published": published.get(k, np.nan)})
    dims = pd.DataFrame({"dimension": list(DIMENSIONS),
                         "n_networks": [int(cov[d].sum()) for d in DIMENSIONS]})
    dims["estimate"] = dims["n_networks"] / n
    return EquityShares(table=pd.DataFrame(rows), dimension_counts=dims)


def plot_trajectories(coding: pd.DataFrame, *, ax=None):
    """Heatmap of the number of dimensions in each network's documentation by year."""
    import matplotlib.pyplot as plt

    yearly = yearly_coverage(coding)
    grid = yearly.pivot(index="network_id", columns="year", values="n_dimensions")
    grid = grid.loc[grid.sum(axis=1).sort_values(kind="stable").index]
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 9))
    im = ax.imshow(grid.to_numpy(), aspect="auto", cmap="viridis", vmin=0, vmax=len(DIMENSIONS))
    ax.set_xticks(range(grid.shape[1]), [str(c) for c in grid.columns])
    ax.set_yticks(range(grid.shape[0]), list(grid.index), fontsize=6)
    ax.set_xlabel("year of documentation")
    ax.figure.colorbar(im, ax=ax, label="equity dimensions in documentation")
    ax.set_title("Equity trajectories (SYNTHETIC)")
    return ax


#: Seed of the committed ``data/equity_coding_SYNTHETIC.csv`` (regenerate with
#: ``simulate_equity_coding(rng=SEED).to_csv(DATA_DIR / "equity_coding_SYNTHETIC.csv", index=False)``).
SEED = 20250605


def load_equity_coding(path: str | Path | None = None) -> pd.DataFrame:
    """The committed SYNTHETIC equity coding (``data/equity_coding_SYNTHETIC.csv``), checked."""
    path = Path(path) if path is not None else DATA_DIR / "equity_coding_SYNTHETIC.csv"
    coding = pd.read_csv(path)
    _check_coding(coding)
    return coding
