"""Multilevel models with a known-variance measurement model (HLM 8's "V-known" model, metafor).

The participatory-benefits paper analyses Rasch person measures with a three-level HLM (HLM 8.2.3)
whose level 1 is a "measurement model ... to adjust for the different standard errors associated
with each individual's survey-based measure". We implement it as a known error variance equal to
the squared Rasch SE, by full ML (HLM's three-level module) or REML:

    y_i = x_i' beta + u_network[i] (+ u_school[i]) + e_i + eps_i,
    eps_i ~ N(0, v_i) known,  e_i ~ N(0, sigma^2),  u_network ~ N(0, tau_network),
    u_school ~ N(0, tau_school)  (optionally a network-specific slope on a wave column).

In R this is ``metafor::rma.mv(y, v, mods = ~ x, random = ~ 1 | network/person)`` (or
``~ 1 | network/school/person``); our ``residual`` is metafor's ``network/person`` component.

:func:`fit_known_variance` runs five steps, each in its own module: the design (rows sorted by
network, per-row products; :mod:`inhd.hlm_likelihood`), start values, the optimisation (Newton's
method on the exact gradient and Hessian of the ML or REML criterion, differentiated by
:mod:`inhd.jet`), the variance components and fixed-effects table, and the empirical Bayes step
(:mod:`inhd.hlm_inference`); HLM 8's tests (t-ratios on HLM's degrees of freedom, chi-square
tests of the variance components) come from :mod:`inhd.hlm8`. No N x N matrix is ever built: the
marginal covariance is block diagonal by network and each block is inverted with the Woodbury
identity (schools within a network in closed form), so one evaluation costs O(N p^2).
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import patsy

from inhd import hlm8
from inhd.hlm_inference import empirical_bayes, fixed_effects_table, variance_components
from inhd.hlm_likelihood import build_design, optimise, start_values
from inhd.warnings import ConvergenceWarning

__all__ = ["KnownVarianceResult", "fit_known_variance"]


@dataclass(frozen=True)
class KnownVarianceResult:
    """Result of :func:`fit_known_variance`.

    Attributes
    ----------
    params, bse : pandas.Series
        Fixed effects (intercept named ``Intercept``) and their SEs (inverse of X'V^-1 X).
    fixed_effects : pandas.DataFrame
        Indexed by term: ``estimate, se, statistic, p_value, ci_low, ci_high``. With
        ``test="z"`` the statistic is a z statistic with two-sided normal p-value and 95% interval
        (metafor's default ``test="z"``); with ``test="hlm"`` it is HLM's t-ratio, a ``df``
        column (HLM's degrees of freedom, :mod:`inhd.hlm8`) follows ``statistic``, and p-value
        and interval are from the t distribution on those df.
    cov_params : pandas.DataFrame
        Covariance matrix of the fixed effects.
    variance_components : pandas.Series
        One entry per grouping column (its name), then, with a random slope on ``t``,
        ``"<outer>:<t>"`` (slope variance) and ``"cov(<outer>, <outer>:<t>)"``, then ``residual``.
    llf : float
        Maximised (restricted) log-likelihood, on metafor's scale (REML includes +1/2 log|X'X|).
    method : str
        ``"REML"`` or ``"ML"``.
    converged : bool
    n_iter : int
        Newton iterations.
    random_effects : dict of str to pandas.DataFrame
        Per grouping level, indexed by unit (inner levels by ``(outer, inner)``): empirical Bayes
        estimates of the unit's deviation ``deviation`` (u_j) and posterior SEs ``se``
        (metafor's ``ranef``: sqrt of diag(G - G Z' P Z G), accounting for the estimation of
        beta), ``ci_low``/``ci_high`` (+-1.96 se), ``n_persons`` and the unit's
        ``reliability``; with a random slope also ``slope_deviation``, ``slope_se``,
        ``slope_reliability``.
    reliability : pandas.Series
        Mean reliability per level (Raudenbush & Bryk 2002, eq. 3.58): for a grouping level the
        mean over units of lambda_j = tau / (tau + Delta_j), Delta_j the error variance of unit j's
        precision-weighted mean given the lower levels; ``"<outer>:<t>"`` the same for slopes; and
        ``person`` the mean of sigma^2 / (sigma^2 + v_i).
    n_obs : int
    n_groups : pandas.Series
        Number of units per grouping level.
    formula : str
    groups : tuple of str
    random_slope : str or None
    test : str
        ``"z"`` or ``"hlm"``.
    term_levels : pandas.Series or None
        With ``test="hlm"``: the level of each term (:func:`inhd.hlm8.term_levels`), which sets
        its degrees of freedom.
    variance_tests : pandas.DataFrame or None
        With ``test="hlm"``: HLM's chi-square test of each variance component, indexed like
        ``variance_components`` (covariance excepted): ``statistic, df, p_value, n_units``
        (units with sufficient data).
    """

    params: pd.Series
    bse: pd.Series
    fixed_effects: pd.DataFrame
    cov_params: pd.DataFrame
    variance_components: pd.Series
    llf: float
    method: str
    converged: bool
    n_iter: int
    random_effects: dict[str, pd.DataFrame]
    reliability: pd.Series
    n_obs: int
    n_groups: pd.Series
    formula: str
    groups: tuple[str, ...]
    random_slope: str | None
    test: str = "z"
    term_levels: pd.Series | None = None
    variance_tests: pd.DataFrame | None = None

    def summary(self) -> str:
        """A plain-text summary: fixed effects, variance components (with HLM's chi-square tests
        under ``test="hlm"``), reliabilities."""
        fe = self.fixed_effects
        if self.term_levels is not None:
            fe = fe.assign(level=self.term_levels)
        vc = self.variance_components.to_frame()
        if self.variance_tests is not None:
            vc = vc.join(self.variance_tests)
        tests = "t-ratios on HLM's df" if self.test == "hlm" else "z tests"
        lines = [f"Known-variance multilevel model ({self.method}, {tests}), "
                 f"formula: {self.formula}",
                 f"n_obs = {self.n_obs}; groups: "
                 + ", ".join(f"{k} = {v}" for k, v in self.n_groups.items()),
                 f"log-likelihood = {self.llf:.4f}; converged = {self.converged} "
                 f"({self.n_iter} iterations)", "", "Fixed effects:", fe.to_string(), "",
                 "Variance components:", vc.to_string(), "",
                 "Reliability (mean lambda):", self.reliability.to_string()]
        return "\n".join(lines)

    def plot_caterpillar(self, level=None, *, ax=None, rescale=None, highlight=None):
        """Caterpillar plot of a level's EB estimates (Intercept + u_j), sorted, with +-2 SE bars.

        Parameters
        ----------
        level : str, optional
            A grouping column; default the outermost.
        ax : matplotlib Axes, optional
        rescale : callable, optional
            A linear map of the logit scale (e.g. onto the 0-10 reporting scale), applied to the
            estimates and the bar ends (Figure 2 of the participatory-benefits paper).
        highlight : optional
            A unit id drawn in a contrasting colour.

        Drawn by :func:`inhd.plots.plot_caterpillar`, the compendium's one caterpillar plot.
        """
        from inhd.plots import plot_caterpillar

        level = self.groups[0] if level is None else level
        if level not in self.random_effects:
            raise ValueError(f"level: {level!r} is not one of the grouping levels "
                             f"{list(self.groups)}")
        re = self.random_effects[level]
        est = re["deviation"].to_numpy(float) + float(self.params.get("Intercept", 0.0))
        lo, hi = est - 2 * re["se"].to_numpy(float), est + 2 * re["se"].to_numpy(float)
        if rescale is not None:
            est, lo, hi = (np.asarray(rescale(a), dtype=float) for a in (est, lo, hi))
        units = pd.DataFrame({"network_id": [str(i) for i in re.index], "mean": est, "se": (hi - lo) / 4})
        ax = plot_caterpillar(units, highlight=None if highlight is None else str(highlight), ax=ax, average=False,
                              ylabel="EB estimate (±2 SE)" + (" rescaled" if rescale is not None else ""))
        ax.set_xlabel(str(level))
        return ax


def _validate(data, known_variance, groups, method, random_slope, test, levels=None):
    problems = []
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data: expected a pandas DataFrame, found {type(data).__name__}")
    method = method.upper() if isinstance(method, str) else method
    if method not in ("REML", "ML"):
        problems.append(f"method: expected 'REML' or 'ML', found {method!r}")
    if test not in ("z", "hlm"):
        problems.append(f"test: expected 'z' (metafor's z tests) or 'hlm' (HLM 8's t-ratios and "
                        f"chi-square tests), found {test!r}")
    if levels is not None and test != "hlm":
        problems.append("levels: term levels set HLM's degrees of freedom and are used only with "
                        "test='hlm'")
    groups = [groups] if isinstance(groups, str) else list(groups)
    if not 1 <= len(groups) <= 2:
        problems.append(f"groups: expected one or two grouping columns (outermost first), "
                        f"found {groups!r}")
    for col in [known_variance, *groups] + ([random_slope] if random_slope else []):
        if col not in data.columns:
            problems.append(f"column {col!r} (from argument known_variance/groups/random_slope) "
                            f"is not in data")
    if known_variance in data.columns:
        v = pd.to_numeric(data[known_variance], errors="coerce").to_numpy(dtype=float,
                                                                          na_value=np.nan)
        bad = data.index[~np.isfinite(v) | (v < 0)]
        if len(bad):
            problems.append(f"known_variance column {known_variance!r}: {len(bad)} rows are "
                            f"missing, negative or non-numeric (first rows: {list(bad[:5])})")
    for g in groups:
        if g in data.columns and data[g].isna().any():
            problems.append(f"groups column {g!r}: {int(data[g].isna().sum())} missing values "
                            f"(first rows: {list(data.index[data[g].isna()][:5])})")
    if random_slope and random_slope in data.columns:
        if pd.to_numeric(data[random_slope], errors="coerce").isna().any():
            problems.append(f"random_slope column {random_slope!r}: missing or non-numeric values")
    if problems:
        raise ValueError("; ".join(problems))
    return groups, method


_NAME = r"[A-Za-z_]\w*"
_PLAIN_FORMULA = re.compile(rf"^\s*({_NAME})\s*~\s*(1|{_NAME}(?:\s*\+\s*{_NAME})*)\s*$")


def _plain_design(data, formula):
    """The design of ``"y ~ a + b"`` (distinct numeric columns, an intercept, nothing missing)
    without patsy's parsing, column for column what patsy builds; None for any other formula."""
    match = _PLAIN_FORMULA.match(formula)
    if match is None:
        return None
    terms = [] if match[2] == "1" else [t.strip() for t in match[2].split("+")]
    cols = [match[1], *terms]
    if len(set(terms)) < len(terms) or any(
            c not in data.columns or data[c].dtype.kind not in "fiu" for c in cols):
        return None
    values = data[cols].to_numpy(dtype=float)
    if np.isnan(values).any():
        return None                          # patsy reports the missing values
    X = np.column_stack([np.ones(len(values)), values[:, 1:]])
    return values[:, 0], X, ["Intercept", *terms]


def _design_matrices(data, formula):
    """The response and the fixed-effects design (patsy, or directly for a plain sum of numeric
    columns), refusing missing values and a rank-deficient design."""
    plain = _plain_design(data, formula)
    if plain is not None:
        y, X, names = plain
    else:
        try:
            y, X = patsy.dmatrices(formula, data, NA_action="raise")
        except patsy.PatsyError as exc:
            raise ValueError(f"formula {formula!r}: {exc}") from None
        names = list(X.design_info.column_names)
    X = np.asarray(X, dtype=float)
    sv = np.linalg.svd(np.linalg.qr(X, mode="r"), compute_uv=False)   # X's singular values
    if X.shape[0] < X.shape[1] or sv.min() <= sv.max() * max(X.shape) * np.finfo(float).eps:
        raise ValueError(f"formula {formula!r}: the fixed-effects design is rank deficient "
                         f"(columns {names})")
    y = np.asarray(y, dtype=float)
    return (y[:, 0] if y.ndim == 2 else y), X, names


def _unit_codes(data, groups):
    """Integer codes of the networks (sorted labels) and of the schools within them."""
    outer_codes, outer_labels = pd.factorize(data[groups[0]], sort=True)
    inner_codes = inner_labels = None
    if len(groups) == 2:
        pairs = pd.MultiIndex.from_arrays([data[groups[0]], data[groups[1]]])
        inner_codes, inner_labels = pd.factorize(pairs, sort=True)
    return outer_codes, outer_labels, inner_codes, inner_labels


def fit_known_variance(data, formula, *, known_variance, groups, method="REML",
                       random_slope=None, test="z", levels=None, tol=1e-8,
                       max_iter=200) -> KnownVarianceResult:
    """Fit a multilevel model whose level-1 error variances are known (HLM's V-known model).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per person (never modified).
    formula : str
        patsy formula for the fixed part, e.g. ``"measure ~ team_lead + tenure"``.
    known_variance : str
        Column holding each row's known error variance (the squared Rasch SE).
    groups : list of str
        Grouping columns, outermost first (one or two): ``["network_id"]`` or
        ``["network_id", "school_id"]``; inner units are nested (identified within outer ones).
    method : {"REML", "ML"}
        Restricted or full maximum likelihood (case-insensitive; HLM 8's three-level module
        estimates by full ML).
    random_slope : str, optional
        Numeric column (e.g. survey wave) with a random slope at the outer level; intercept and
        slope covary (metafor ``struct = "GEN"``).
    test : {"z", "hlm"}
        ``"z"``: z tests and normal intervals (metafor's default). ``"hlm"``: HLM 8's
        conventions: t-ratios on HLM's degrees of freedom (a ``df`` column in
        ``fixed_effects``), and chi-square tests of the variance components
        (``variance_tests``); see :mod:`inhd.hlm8` for the rules and their sources.
    levels : dict of str to str, optional
        With ``test="hlm"``: the level of terms whose level should not be detected from the data
        (term -> a grouping column, ``"<outer>:<random_slope>"`` or ``"person"``).
    tol : float
        Convergence tolerance on the Newton step of the variance parameters (log scale).
    max_iter : int
        Maximum number of Newton iterations.

    Returns
    -------
    KnownVarianceResult

    Raises
    ------
    ValueError
        Missing columns, negative or missing known variances, missing group labels, missing
        values in the formula's variables, a rank-deficient design, a bad ``method``, ``test``
        or ``levels``, too few units for HLM's degrees of freedom.

    Notes
    -----
    Model: y = X beta + Z_net u_net (+ Z_school u_school) + e + eps, Var(e_i + eps_i) =
    sigma^2 + v_i with v_i known. beta is profiled out by GLS; the log-variances (a Cholesky
    factor with log diagonal for the random slope) are found by Newton's method on the exact
    gradient and Hessian of the (restricted) log-likelihood, from moment-based start values;
    a variance that Newton drives to 0 is held at its boundary and reported as 0. ``llf`` equals
    metafor's ``logLik`` (REML includes +1/2 log|X'X|).

    In R: ``metafor::rma.mv(y, v, mods = ~ x, random = ~ 1 | network/person, method = "REML")``
    (``method = "ML"`` for ``method="ML"``). Verified against metafor 3.8.1 in
    ``tests/test_hlm.py`` (reference/metafor/, REML and ML fits). Only the outermost level may
    carry a slope; at most two grouping levels (networks, schools) above persons.

    Examples
    --------
    >>> import pandas as pd
    >>> from inhd import ROOT
    >>> sim = pd.read_csv(ROOT / "reference" / "metafor" / "simulated_persons.csv")
    >>> res = fit_known_variance(sim, "y ~ x_person + lead + net_z", known_variance="v",
    ...                          groups=["network_id", "school_id"])
    >>> res.variance_components.round(3).to_dict()
    {'network_id': 0.915, 'school_id': 0.276, 'residual': 0.869}
    >>> sorted(res.reliability.index)
    ['network_id', 'person', 'school_id']
    >>> hlm = fit_known_variance(sim, "y ~ x_person + lead + net_z", known_variance="v",
    ...                          groups=["network_id"], method="ML", test="hlm")
    >>> hlm.fixed_effects["df"].to_dict()   # 30 networks, 1 network-level term; 1044 persons
    {'Intercept': 28.0, 'x_person': 1040.0, 'lead': 1040.0, 'net_z': 28.0}

    References
    ----------
    Raudenbush, S. W. & Bryk, A. S. (2002). Hierarchical linear models (2nd ed.), ch. 3, 7 and 8.
    Perlman, Bryk & Russell (2025), Table 4 (the three-level model with a measurement model).
    """
    groups, method = _validate(data, known_variance, groups, method, random_slope, test, levels)
    y, X, names = _design_matrices(data, formula)
    outer_codes, outer_labels, inner_codes, inner_labels = _unit_codes(data, groups)
    t = pd.to_numeric(data[random_slope]).to_numpy(dtype=float) if random_slope else None
    v = pd.to_numeric(data[known_variance]).to_numpy(dtype=float)
    design = build_design(y, X, v, outer_codes, inner_codes, t)
    n_groups = {groups[0]: design.n_outer}
    if design.has_inner:
        n_groups[groups[1]] = len(design.inner_start)
    levels_s = df = tests = None
    if test == "hlm":      # before the fit: a design without HLM df is refused at once
        levels_s = hlm8.term_levels(design, names, groups, random_slope, levels)
        df = hlm8.hlm_df(levels_s, n_obs=design.n, n_units=n_groups,
                         random_slope=random_slope).to_numpy()
    opt = optimise(design, start_values(design), method, tol=tol, max_iter=max_iter)
    if not opt.converged:
        warnings.warn(f"fit_known_variance: the optimiser stopped after {opt.n_iter} iterations "
                      f"without meeting tol={tol}", ConvergenceWarning, stacklevel=2)
    crit = opt.crit
    vcs, G, tau_in, sigma2 = variance_components(crit, opt.at_boundary, design, groups,
                                                 random_slope)
    cov = np.linalg.inv(crit.XtVX)
    if test == "hlm":
        tests = hlm8.variance_tests(design, crit, levels_s, groups=groups,
                                    random_slope=random_slope)
    effects, reliability = empirical_bayes(design, crit, G, tau_in, sigma2, cov, groups=groups,
                                           outer_labels=outer_labels, inner_labels=inner_labels,
                                           random_slope=random_slope)
    return KnownVarianceResult(
        params=pd.Series(crit.beta, index=names, name="estimate"),
        bse=pd.Series(np.sqrt(np.diag(cov)), index=names, name="se"),
        fixed_effects=fixed_effects_table(crit.beta, cov, names, df),
        cov_params=pd.DataFrame(cov, index=names, columns=names),
        variance_components=vcs, llf=crit.llf, method=method, converged=opt.converged,
        n_iter=opt.n_iter, random_effects=effects, reliability=reliability, n_obs=design.n,
        n_groups=pd.Series(n_groups, name="n_units"), formula=formula, groups=tuple(groups),
        random_slope=random_slope, test=test, term_levels=levels_s, variance_tests=tests)
