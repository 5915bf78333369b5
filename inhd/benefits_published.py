"""The participatory-benefits paper's published findings, read and set beside ours.

Perlman, Bryk & Russell (2025): Tables 1-4 and the text's description of Figure 3, transcribed in
``data/published/`` (real figures, never typed in here), in the shapes :mod:`inhd.benefits`
computes, so that each can sit beside ours (:func:`table4_side_by_side`,
:func:`agreement_with_published`, :func:`figure3_comparison`), and the paper's own Table 4 checked
against itself (:func:`published_star_check`: its significance stars against the estimates and
standard errors it prints).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from inhd.benefits import GENDER_PREDICTORS, MODEL_TERMS
from inhd.published import NETWORK_PREDICTORS, PERSON_PREDICTORS, published_table

__all__ = ["published_descriptive_tables", "published_reliability", "published_table3",
           "published_table4", "table4_side_by_side", "agreement_with_published",
           "figure3_comparison", "published_star_check", "published_eb_span"]

_COUNT = {1: "n_persons", 2: "n_networks"}       # what Table 1's and Table 2's counts count


def published_descriptive_tables(directory=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Tables 1 and 2 as printed (``data/published/participatory_benefits_table{1,2}.csv``), in
    :func:`descriptive_tables`' shape: the count column is ``n_persons`` (Table 1) and
    ``n_networks`` (Table 2). Table 1 includes the outcome row (group ``outcome``)."""
    return tuple(published_table(f"participatory_benefits_table{k}", directory=directory)
                 .rename(columns={"n": _COUNT[k]}) for k in (1, 2))


def published_reliability(directory=None) -> pd.DataFrame:
    """The reliabilities the paper reports in its text
    (``data/published/participatory_benefits_reliability.csv``), in :func:`reliability_table`'s
    shape: ``quantity, value``."""
    return published_table("participatory_benefits_reliability", directory=directory).rename(
        columns={"statistic": "quantity"})


def published_table3(directory=None) -> pd.DataFrame:
    """Table 3 (``data/published/participatory_benefits_table3.csv``) indexed by the item column:
    ``rasch_rank`` (1 = easiest), ``construct``, ``domain``, ``item_text``."""
    return published_table("participatory_benefits_table3", directory=directory).set_index("column")


def published_table4(directory=None):
    """Table 4 as printed (``data/published/participatory_benefits_table4.csv``), in the contract's
    shape: ``(fixed_effects, variance_components)`` with columns ``model, term, estimate, se,
    significance, hedges_g`` (term ``Intercept`` for the intercept) and ``model, component,
    variance`` (components ``residual`` = e0, ``network_id`` = r00)."""
    t = published_table("participatory_benefits_table4", directory=directory)
    t["term"] = t["term"].astype(str).replace({"intercept": "Intercept"})
    var = t["term"].isin(["var_within", "var_between"])
    fixed = t[~var][["model", "term", "variable", "estimate", "se", "significance", "hedges_g"]]
    vc = t[var].assign(component=t.loc[var, "term"].map({"var_within": "residual",
                                                         "var_between": "network_id"}))
    vc = vc.rename(columns={"estimate": "variance"})[["model", "component", "variance"]]
    return fixed.reset_index(drop=True), vc.reset_index(drop=True)


def _two_places(x) -> str:
    """Two decimals as the paper prints, or two significant digits for a value that would print as
    0.00 (a covariate in large units, e.g. a network's size: 0.0012 per member).

    >>> _two_places(0.456), _two_places(0.0012), _two_places(-0.00034), _two_places(0.0)
    ('0.46', '0.0012', '-0.00034', '0.00')
    """
    if not np.isfinite(x):
        return "NaN"
    return f"{x:.2f}" if x == 0 or abs(x) >= 0.005 else f"{x:.2g}"


def _stars(p):
    return "" if not np.isfinite(p) else "***" if p < .001 else "**" if p < .01 else "*" if p < .05 else ""


def table4_side_by_side(fixed_effects: pd.DataFrame, published: pd.DataFrame | None = None):
    """Table 4 laid out as printed: one row per term, for each model an ``ours`` column holding
    ``"estimate (se)stars"`` (and a ``published`` one beside it when ``published``, e.g.
    :func:`published_table4`'s fixed effects, is given), then Hedges' g.
    """
    def cell(frame, stars):
        return frame.apply(lambda r: f"{_two_places(r['estimate'])} ({_two_places(r['se'])}){stars(r)}", axis=1)
    ours = fixed_effects.assign(text=cell(fixed_effects, lambda r: _stars(r["p_value"])))
    models = list(dict.fromkeys(fixed_effects["model"]))
    last = "final" if "final" in models else [m for m in models if m != "interactions"][-1]
    order = ["Intercept", *PERSON_PREDICTORS, *GENDER_PREDICTORS, *NETWORK_PREDICTORS, *fixed_effects["term"]]
    cols = {}
    if published is not None:
        pubs = published.assign(text=cell(published, lambda r: "" if pd.isna(r["significance"])
                                          else str(r["significance"])))
        order += list(published["term"])
        models = list(dict.fromkeys([*MODEL_TERMS, *models]))
    for model in models:
        if published is not None:
            cols[(model, "published")] = pubs[pubs["model"] == model].set_index("term")["text"]
        cols[(model, "ours")] = ours[ours["model"] == model].set_index("term")["text"]
    if published is not None:
        cols[("hedges_g", "published")] = published[published["model"] == "final"].set_index("term")["hedges_g"]
    cols[("hedges_g", "ours")] = fixed_effects[fixed_effects["model"] == last].set_index("term")["hedges_g"].round(2)
    terms = list(dict.fromkeys(order))
    out = pd.DataFrame(cols).reindex([t for t in terms if t in set(fixed_effects["term"]) or published is not None])
    out.columns = pd.MultiIndex.from_tuples(out.columns)
    return out.astype(object).where(out.notna(), "")


def agreement_with_published(fixed_effects: pd.DataFrame, published: pd.DataFrame | None = None, *,
                             model: str = "final", alpha: float = 0.05) -> pd.DataFrame:
    """The paper's headline findings checked against ours: one row per term of ``model``.

    Columns ``term, estimate_published, significant_published, estimate_ours, se_ours,
    significant_ours, same_sign, within_2_se`` (``within_2_se``: ours lies within two of our SEs of
    the published estimate). ``published`` defaults to :func:`published_table4`'s fixed effects;
    a published term is significant when printed with stars.
    """
    pub = (published_table4()[0] if published is None else published)
    pub = pub[pub["model"] == model].set_index("term")
    ours = fixed_effects[fixed_effects["model"] == model].set_index("term")
    out = pd.DataFrame({"estimate_published": pub["estimate"], "significant_published": pub["significance"].notna(),
                        "estimate_ours": ours["estimate"], "se_ours": ours["se"],
                        "significant_ours": ours["p_value"] < alpha}).reindex(pub.index)
    out["same_sign"] = np.sign(out["estimate_published"]) == np.sign(out["estimate_ours"])
    out["within_2_se"] = (out["estimate_ours"] - out["estimate_published"]).abs() <= 2 * out["se_ours"]
    return out.rename_axis("term").reset_index()


def figure3_comparison(distribution: pd.DataFrame, published: pd.DataFrame | None = None,
                       *, tolerance: float = 0.10) -> pd.DataFrame:
    """The paper's statements about Figure 3 checked against our four-category distribution.

    Parameters
    ----------
    distribution : pandas.DataFrame
        :func:`inhd.scales.four_category_distribution` output with groups named ``"five lowest
        networks"`` and ``"five highest networks"``.
    published : pandas.DataFrame, optional
        ``group, categories, comparison, share, quote`` (default:
        ``data/published/participatory_benefits_figure3.csv``, transcribed from the text);
        ``categories`` joins category names with ``|``; ``comparison`` is ``<``, ``>``, ``~``
        (within ``tolerance``) or ``mode`` (the categories hold the group's modal category).

    Returns
    -------
    pandas.DataFrame
        ``group, categories, comparison, share, ours, holds, quote``.
    """
    if published is None:
        published = published_table("participatory_benefits_figure3")
    wide = distribution.pivot(index="group", columns="category", values="proportion")
    rows = []
    for _, p in published.iterrows():
        cats = str(p["categories"]).split("|")
        if p["group"] not in wide.index:
            ours, holds = np.nan, False
        elif p["comparison"] == "mode":
            ours = float(wide.loc[p["group"], cats].sum())
            holds = str(wide.loc[p["group"]].astype(float).idxmax()) in cats
        else:
            ours = float(wide.loc[p["group"], cats].sum())
            share = float(p["share"])
            holds = {"<": ours < share, ">": ours > share,
                     "~": abs(ours - share) <= tolerance}[p["comparison"]]
        rows.append((p["group"], p["categories"], p["comparison"], p["share"], ours, bool(holds),
                     p["quote"]))
    return pd.DataFrame(rows, columns=["group", "categories", "comparison", "share", "ours",
                                       "holds", "quote"])




def _implied_stars(p) -> str:
    return "***" if p < .001 else "**" if p < .01 else "*" if p < .05 else ""


#: Fixed effects and network-level predictors of each of Table 4's models (for HLM's df).
_MODEL_SIZES = {"unconditional": (1, 0), "level2": (1 + len(PERSON_PREDICTORS) + len(GENDER_PREDICTORS), 0),
                "level3": (1 + len(NETWORK_PREDICTORS), len(NETWORK_PREDICTORS)),
                "final": (1 + len(PERSON_PREDICTORS) + len(NETWORK_PREDICTORS), len(NETWORK_PREDICTORS))}


def published_star_check(published: pd.DataFrame | None = None, *, n_networks: int = 34,
                         n_persons: int = 2073, rounding: float = 0.005) -> pd.DataFrame:
    """The paper's Table 4 stars checked against the estimates and SEs it prints.

    For every printed coefficient, ``t = estimate / se`` on HLM's degrees of freedom (the
    intercept and network-level predictors: networks - network-level predictors - 1; the others:
    persons - fixed effects; :mod:`inhd.hlm8`), the two-sided p-value and the stars it supports
    (* p < .05, ** p < .01, *** p < .001, the paper's legend). The printed values are rounded, so
    the p-value is also taken over the box estimate +- ``rounding``, se +- ``rounding``
    (``p_value_low``/``p_value_high``). ``verdict``: ``agrees`` (the printed stars are those of
    the printed values), ``rounding`` (not at the printed values, but somewhere in the box) or
    ``disagrees`` (nowhere in the box).

    Parameters
    ----------
    published : pandas.DataFrame, optional
        :func:`published_table4`'s fixed effects (default: read from ``data/published/``).
    n_networks, n_persons : int
        The paper's 34 networks and 2,073 respondents.

    Returns
    -------
    pandas.DataFrame
        ``model, term, estimate, se, t_ratio, df, p_value, p_value_low, p_value_high,
        stars_published, stars_implied, verdict``, one row per printed coefficient with an SE.

    Examples
    --------
    >>> check = published_star_check()
    >>> check.loc[check["verdict"] == "disagrees", ["model", "term", "stars_published",
    ...                                             "stars_implied"]].to_dict("records")
    ... # doctest: +NORMALIZE_WHITESPACE
    [{'model': 'level2', 'term': 'race_black', 'stars_published': '**', 'stars_implied': '*'},
     {'model': 'level2', 'term': 'race_latinx', 'stars_published': '***', 'stars_implied': '**'},
     {'model': 'final', 'term': 'race_latinx', 'stars_published': '**', 'stars_implied': '*'}]
    """
    pub = published_table4()[0] if published is None else published
    pub = pub[pub["se"].notna() & pub["model"].isin(list(_MODEL_SIZES))]
    rows = []
    for _, r in pub.iterrows():
        n_fixed, n_net = _MODEL_SIZES[r["model"]]
        network_level = r["term"] == "Intercept" or r["term"] in NETWORK_PREDICTORS
        df = float(n_networks - n_net - 1 if network_level else n_persons - n_fixed)
        p_at = lambda est, se: float(2 * stats.t.sf(abs(est) / se, df))  # noqa: E731
        t = float(r["estimate"] / r["se"])
        p = p_at(r["estimate"], r["se"])
        est_box = [abs(r["estimate"]) - rounding, abs(r["estimate"]) + rounding]
        se_box = [max(r["se"] - rounding, 1e-12), r["se"] + rounding]
        p_low, p_high = p_at(max(est_box), min(se_box)), p_at(max(min(est_box), 0.0), max(se_box))
        printed = "" if pd.isna(r["significance"]) else str(r["significance"])
        implied = _implied_stars(p)
        attainable = {_implied_stars(q) for q in (p_low, p_high)}
        levels = [.001, .01, .05]
        attainable |= {_implied_stars(x) for x in levels if p_low < x <= p_high}
        verdict = ("agrees" if printed == implied else "rounding" if printed in attainable
                   else "disagrees")
        rows.append((r["model"], r["term"], r["estimate"], r["se"], t, df, p, p_low, p_high, printed,
                     implied, verdict))
    return pd.DataFrame(rows, columns=["model", "term", "estimate", "se", "t_ratio", "df", "p_value",
                                       "p_value_low", "p_value_high", "stars_published",
                                       "stars_implied", "verdict"])


def published_eb_span(*, n_networks: int = 34) -> float:
    """The span of 34 network EB estimates the paper's own figures imply on our 0-10 convention.

    Our convention maps the measures of the extreme scores (every item in the bottom, every item in
    the top category) to 0 and 10; for the paper we take its Table 1's lowest and highest person
    measure, -7.1 and 6.98 logits, as those (our reading: a sample of 2,073 with a ceiling on every
    item holds respondents at both extremes, whose measures are the ends of the observed range). The unconditional model's network variance is r00 = 1.242 and the between-network
    reliability 0.92 (the text); EB estimates then vary with variance about r00 x 0.92, and the
    expected range of ``n_networks`` normal draws is E[range] x SD (E[range] = 4.19 for 34). The
    result, in 0-10 points, is what "almost the entire 0-10 point range" would have to be under
    our convention: the paper's rescaling must differ (it does not document it).

    Examples
    --------
    >>> round(published_eb_span(), 1)
    3.2
    """
    t1 = published_descriptive_tables()[0].set_index("variable")
    low, high = float(t1.loc["Member participatory benefits", "min"]), float(t1.loc["Member participatory benefits", "max"])
    vc = published_table4()[1].set_index(["model", "component"])["variance"]
    r00 = float(vc[("unconditional", "network_id")])
    rel = float(published_reliability().set_index("quantity").loc["reliability_between_networks", "value"])
    x, w = np.polynomial.hermite_e.hermegauss(201)
    w = w / w.sum()
    cdf = stats.norm.cdf(x)
    # E[range] of n standard normals = 2 E[max] = 2 * integral x d/dx Phi(x)^n
    e_max = float(np.sum(w * x * n_networks * cdf ** (n_networks - 1)))
    return float(2 * e_max * np.sqrt(r00 * rel) / (high - low) * 10.0)
