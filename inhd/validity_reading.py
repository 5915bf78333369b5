"""How the measure-validity page reads its network reliabilities, in sentences computed from them.

- :func:`reading_of_network_reliability`: what a network reliability says about the caterpillar of
  network estimates (Figure 1 of Bryk, Li, Luppescu & Bui 2025), conditional on its value;
- :func:`variance_disagreement`: the sentence for a network variance estimated on its boundary (0)
  while its test rejects a zero variance (HLM's chi-square is computed from the networks' own
  least-squares means, not from the ML or REML fit), so that a page never prints "0.00
  (significant)" beside "no variance between networks is detected";
- :func:`network_reliability_lines`: the "What this shows" bullets of a reliability table
  (:attr:`inhd.validity.ReliabilityTable.table`).

Our readings, not the poster's: it gives no such thresholds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from inhd.survey_run import markdown_text

__all__ = ["reading_of_network_reliability", "variance_disagreement", "network_reliability_lines"]


def variance_disagreement(variance: float, p_value: float, *, alpha: float = 0.05, test: str = "hlm",
                          method: str = "ML", n_networks: int | None = None) -> str:
    """A sentence when the estimated network variance and its test disagree, else ``""``.

    The variance is estimated by ``method`` (ML or REML) and held at its boundary, 0, when the
    likelihood puts it there (:func:`inhd.hlm.fit_known_variance`); HLM's chi-square test of the
    same component (``test="hlm"``, Raudenbush & Bryk 2002, eq. 3.103) is computed from each
    network's own least-squares mean and its sampling variance, not from that fit, so it can reject
    a zero variance although the fit estimates 0 (a newcomer's eight companies: variance 0,
    reliability 0.00, chi-square p = 0.019). The page then says so rather than "0.00
    (significant)" beside "no variance between networks is detected".

    Parameters
    ----------
    variance, p_value : float
        The estimated network variance and the p-value of its test.
    alpha : float, default 0.05
        The level of the test.
    test, method : str
        As :func:`measure_reliability` (named in the sentence).
    n_networks : int, optional
        Named in the sentence when given.

    Examples
    --------
    >>> variance_disagreement(0.4, 0.01)
    ''
    >>> variance_disagreement(0.0, 0.019, n_networks=8)[:93]
    "the estimated variance between networks is 0 (at the boundary), yet HLM's chi-square test rej"
    """
    variance, p_value = float(variance), float(p_value)
    if not (np.isfinite(variance) and variance <= 0 and np.isfinite(p_value) and p_value < alpha):
        return ""
    named = {"hlm": "HLM's chi-square test", "lrt": "the likelihood-ratio test"}.get(test, f"the {test} test")
    why = ("the test is computed from each network's own least-squares mean and its sampling variance, not from "
           f"the {method} fit" if test == "hlm" else f"the test and the {method} fit weigh the networks differently")
    few = (f", and with {n_networks} networks the variance rests on {n_networks - 1} degrees of freedom"
           if n_networks is not None else "")
    return (f"the estimated variance between networks is 0 (at the boundary), yet {named} rejects a zero variance "
            f"(p = {p_value:.3f}): the two disagree because {why}{few}; read the network reliability as not "
            "estimable here, neither 0 nor significant.")


def reading_of_network_reliability(reliability: float, *, n_networks: int, variance: float | None = None,
                                   p_value: float | None = None, alpha: float = 0.05, test: str = "hlm",
                                   method: str = "ML") -> str:
    """What a network reliability says about a caterpillar of network estimates, in one sentence
    conditional on its value (our reading, not the poster's: it gives no such thresholds).

    A reliability lambda is the share of the spread of the network estimates that is true spread
    between networks: near 1 the bars are short next to the spread, so networks at the two ends
    are clearly distinguishable; around 0.5 half the spread is error; near 0 the estimates are
    shrunk to the mean and the networks cannot be told apart. When ``variance`` and ``p_value``
    (the network variance and its test) are given and disagree, the sentence says so instead
    (:func:`variance_disagreement`).

    Examples
    --------
    >>> reading_of_network_reliability(0.91, n_networks=27)[:60]
    'With a network reliability of 0.91 over 27 networks, network'
    """
    r = float(reliability)
    head = f"With a network reliability of {r:.2f} over {n_networks} networks, "
    if not np.isfinite(r):
        return f"The network reliability could not be estimated over {n_networks} networks."
    if variance is not None and p_value is not None:
        odd = variance_disagreement(variance, p_value, alpha=alpha, test=test, method=method, n_networks=n_networks)
        if odd:
            return f"The network reliability is {r:.2f} over {n_networks} networks: {odd}"
    if r >= 0.8:
        return head + ("networks at the two ends are clearly distinguishable, and most of the spread of the "
                       "estimates is true difference between networks.")
    if r >= 0.5:
        return head + ("networks at the two ends are distinguishable, but much of the spread is measurement error: "
                       "networks in the middle cannot be told apart.")
    if r > 0.05:
        return head + ("most of the spread of the estimates is measurement error: few networks can be told apart "
                       "from the average one.")
    return head + ("the estimates are shrunk to the average: the measure does not tell these networks apart (no "
                   "variance between networks is detected).")


def network_reliability_lines(table: pd.DataFrame, *, where: str, alpha: float = 0.05) -> list[str]:
    """The "What this shows" bullets (Markdown) on the network reliabilities of a reliability table.

    ``table`` is :attr:`ReliabilityTable.table`; ``where`` says which data (``"wave 3"``). One
    measure: its reliability and whether its variance is significant; several: the range and how
    many are not significant. A measure whose network variance is estimated at 0 while its test
    rejects 0 gets the sentence of :func:`variance_disagreement` instead of "(significant)".

    Examples
    --------
    >>> t = pd.DataFrame({"name": ["Readiness"], "network": [0.0], "network_ns": [False], "test": ["hlm"],
    ...                   "method": ["ML"], "variance_network_id": [0.0], "network_p_value": [0.019],
    ...                   "n_networks": [8]})
    >>> network_reliability_lines(t, where="wave 3")[0][:84]
    '- The network reliability is 0.00 in wave 3: the estimated variance between networks'
    """
    n_ns = int(table["network_ns"].fillna(False).astype(bool).sum())
    odd = {row.name: variance_disagreement(row.variance_network_id, row.network_p_value, alpha=alpha,
                                           test=row.test, method=row.method, n_networks=row.n_networks)
           for row in table.itertuples()}
    if len(table) == 1:
        name, value = table["name"].iloc[0], table["network"].iloc[0]
        return [f"- The network reliability is {value:.2f} in {where}" + (
            f": {odd[name]}" if odd[name] else
            f" ({'not ' if n_ns else ''}significant): how well the measure tells networks apart at one point in time.")]
    lines = [f"- Network reliabilities range from {table['network'].min():.2f} to {table['network'].max():.2f} over "
             f"{len(table)} measures in {where}, {n_ns} of them not significant: how well each measure tells "
             "networks apart at one point in time."]
    return lines + [f"  - {markdown_text(name)}: {text}" for name, text in odd.items() if text]
