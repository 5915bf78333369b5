"""The measure-construction lab: simulate a rating-scale survey, calibrate it, break it on purpose,
and see how precision moves with the number of items, respondents and networks.

Used by ``notebooks/08_teaching_measure_construction.ipynb``. Everything here is simulated (and says
so) except :func:`load_liking_for_science`, the real Liking for Science data of Wright & Masters
(1982). The pieces, in the order of the lab:

- :func:`simulate_responses`: a survey drawn from the rating-scale model;
- the demonstrations of :mod:`inhd.demonstrations` (JMLE beside CML, misfit on purpose, DIF),
  re-exported here: :func:`compare_estimators`, :func:`misfit_demo`, :func:`dif_demo`;
- :func:`reliability_by_design` and :func:`network_variance_draws`: results over grids of designs,
  computed once (at build time in the book) for the client-side explorers, with
  :func:`network_spread_chart` drawing the spread of repeated estimates;
- :class:`LiveDemo` with :func:`misfit_lab`, :func:`dif_lab` and :func:`design_lab`: ipywidgets
  controls and a "New sample" button for a class working in JupyterLab (they need a kernel).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

from inhd import DATA_DIR
from inhd.demonstrations import (LAB_THRESHOLDS, MISFITS, ODD_ITEM, DIFDemo,  # noqa: F401
                                 EstimatorComparison, MisfitDemo, compare_estimators, dif_demo,
                                 misfit_demo)
from inhd.hlm import fit_known_variance
from inhd.rasch import RatingScaleResult, fit_rating_scale
from inhd.reliability import cluster_mean_reliability
from inhd.rsm import simulate_rating_scale
from inhd.vegalite import Chart, base_spec, number, records


def simulate_responses(
    *,
    n_persons: int,
    difficulties,
    thresholds,
    person_mean: float = 0.0,
    person_sd: float = 1.0,
    missing: float = 0.0,
    min_category: int = 1,
    rng=None,
) -> tuple[pd.DataFrame, pd.Series]:
    """Simulate responses from the rating-scale model.

    Parameters
    ----------
    n_persons
        Number of respondents, drawn from N(person_mean, person_sd^2) on the logit scale.
    difficulties
        Item difficulties (logits), one per item; a Series keeps its labels as item names.
    thresholds
        The m Andrich thresholds shared by all items (m + 1 categories).
    missing
        Probability that a response is missing, completely at random.
    min_category
        Code of the lowest category (1 for a 1-5 survey scale).
    rng
        A seed or a ``numpy.random.Generator``.

    Returns
    -------
    responses, theta
        Responses (rows ``p0001``..., columns the items, nullable integers) and the true measures.

    Notes
    -----
    P(X = h) is proportional to exp(sum_{k<=h}(theta - delta_i - tau_k)); categories are drawn by
    inverting the cumulative probabilities, computed in log space by :func:`inhd.rsm.simulate_rating_scale`.
    """
    rng = np.random.default_rng(rng)
    if n_persons < 1:
        raise ValueError(f"n_persons must be at least 1, got {n_persons}")
    if not 0 <= missing < 1:
        raise ValueError(f"missing must be a probability in [0, 1), got {missing}")
    difficulties = pd.Series(difficulties, dtype=float)
    if difficulties.index.equals(pd.RangeIndex(len(difficulties))):
        difficulties.index = [f"item{i + 1:02d}" for i in range(len(difficulties))]
    theta = pd.Series(rng.normal(person_mean, person_sd, n_persons),
                      index=pd.Index([f"p{i + 1:05d}" for i in range(n_persons)], name="respondent_id"), name="theta")
    codes = simulate_rating_scale(theta.to_numpy(), difficulties.to_numpy(), thresholds, rng=rng,
                                  missing=missing, min_category=min_category)
    responses = pd.DataFrame(codes, index=theta.index, columns=difficulties.index).astype("Int64")
    return responses, theta


def reliability_by_design(
    *,
    n_items: list[int],
    n_persons: list[int],
    thresholds=(-1.5, -0.5, 0.5, 1.5),
    person_sd: float = 1.5,
    rng=None,
) -> pd.DataFrame:
    """Person reliability (Rasch, JMLE) of simulated surveys over a grid of test lengths and sample sizes.

    Item difficulties are spread evenly over [-1.5, 1.5] logits. Returns a tidy frame with columns
    ``n_items, n_persons, person_reliability, person_separation, item_reliability``.
    """
    rng = np.random.default_rng(rng)
    rows = []
    for items in n_items:
        for persons in n_persons:
            responses, _ = simulate_responses(n_persons=persons, difficulties=np.linspace(-1.5, 1.5, items),
                                              thresholds=thresholds, person_sd=person_sd, rng=rng)
            fit = fit_rating_scale(responses)
            rows.append({"n_items": items, "n_persons": persons, "person_reliability": fit.person_reliability,
                         "person_separation": fit.person_separation, "item_reliability": fit.item_reliability})
    return pd.DataFrame(rows)


def simulate_networks(
    *,
    n_networks: int,
    n_persons_per_network: int,
    variance_network_id: float,
    variance_residual: float,
    error_variance: float,
    rng=None,
) -> pd.DataFrame:
    """Person measures in networks, each with a known error variance: the input of a known-variance model.

    Returns columns ``network_id, measure, known_variance``: true network effects
    N(0, ``variance_network_id``), person deviations N(0, ``variance_residual``), measurement error
    N(0, ``error_variance``), the latter known (``known_variance``).
    """
    rng = np.random.default_rng(rng)
    network = np.repeat(np.arange(n_networks), n_persons_per_network)
    u = rng.normal(0.0, np.sqrt(variance_network_id), n_networks)[network]
    e = rng.normal(0.0, np.sqrt(variance_residual), network.size)
    eps = rng.normal(0.0, np.sqrt(error_variance), network.size)
    return pd.DataFrame({"network_id": [f"N{j + 1:03d}" for j in network], "measure": u + e + eps,
                         "known_variance": np.full(network.size, error_variance)})


def network_reliability_by_design(
    *,
    n_networks: list[int],
    n_persons_per_network: list[int],
    variance_network_id: float = 0.56,
    variance_residual: float = 3.1,
    error_variance: float = 0.6,
    rng=None,
) -> pd.DataFrame:
    """Network-level reliability estimated from simulated data, beside its closed form.

    Fits the two-level known-variance model (:func:`inhd.hlm.fit_known_variance`) on each design and
    reports the estimated network variance and the mean reliability of network means, beside the
    closed form :func:`inhd.reliability.cluster_mean_reliability` of the true variances. The
    defaults are close to the participatory-benefits paper's final model (Table 4: r00 = 0.559,
    e0 = 3.119); the measurement-error variance 0.6 is our assumption (the paper prints none).

    Returns a tidy frame: ``n_networks, n_persons_per_network, variance_network_id`` (estimated),
    ``network_reliability`` (estimated), ``network_reliability_formula``.
    """
    rng = np.random.default_rng(rng)
    rows = []
    for k in n_networks:
        for n in n_persons_per_network:
            data = simulate_networks(n_networks=k, n_persons_per_network=n,
                                     variance_network_id=variance_network_id,
                                     variance_residual=variance_residual,
                                     error_variance=error_variance, rng=rng)
            fit = fit_known_variance(data, "measure ~ 1", known_variance="known_variance", groups=["network_id"])
            rows.append({"n_networks": k, "n_persons_per_network": n,
                         "variance_network_id": float(fit.variance_components["network_id"]),
                         "network_reliability": float(fit.reliability["network_id"]),
                         "network_reliability_formula": float(cluster_mean_reliability(
                             variance_network_id, variance_residual + error_variance, n))})
    return pd.DataFrame(rows)


def load_liking_for_science() -> pd.DataFrame:
    """The Liking for Science data (Wright & Masters 1982): 75 children x 25 items scored 0-2. Real data."""
    return pd.read_csv(DATA_DIR / "reference" / "lfs.csv").astype("Int64")


# --------------------------------------------------------------------------------------------
# Networks: the spread of repeated estimates
# --------------------------------------------------------------------------------------------
def _balanced_reml(y, error_variance):
    """REML estimates of the between-network and residual variances of a balanced two-level
    model with a known, equal error variance, for many draws at once.

    ``y`` has shape (draws, networks, persons). The balanced one-way layout has REML estimates
    in closed form (Searle, Casella & McCulloch 1992, ch. 3-4): with the within and between mean
    squares MSW and MSB, interior estimates are sigma2 + v = MSW and tau = (MSB - MSW) / n;
    when MSB < MSW, tau = 0 and sigma2 + v is the pooled variance; when the within variance
    falls below the known v, sigma2 = 0 and tau = max(MSB - v, 0) / n."""
    draws, J, n = y.shape
    means = y.mean(axis=2)
    ssw = ((y - means[..., None]) ** 2).sum(axis=(1, 2))
    msw = ssw / (J * (n - 1))
    msb = n * means.var(axis=1, ddof=1)
    tau = (msb - msw) / n
    within = msw.copy()
    low = tau < 0
    tau[low] = 0.0
    within[low] = (ssw[low] + (J - 1) * msb[low]) / (J * n - 1)
    sigma2 = within - error_variance
    off = sigma2 < 0
    sigma2[off] = 0.0
    tau[off] = np.maximum(msb[off] - error_variance, 0.0) / n
    return tau, sigma2


def network_variance_draws(*, n_networks, n_persons_per_network, n_draws=200,
                           variance_network_id=0.56, variance_residual=3.1, error_variance=0.6,
                           rng=None) -> pd.DataFrame:
    """The between-network variance and the reliability of network means, estimated from
    ``n_draws`` simulated data sets per design.

    Parameters
    ----------
    n_networks, n_persons_per_network : list of int
        The designs (every combination), each with the same number of respondents per network.
    n_draws : int
        Data sets drawn per design.
    variance_network_id, variance_residual, error_variance : float
        True variances (defaults: the participatory-benefits paper's final model, Table 4) and
        the known measurement-error variance of each person's measure.
    rng : int or numpy.random.Generator

    Returns
    -------
    pandas.DataFrame
        One row per design and draw: ``n_networks, n_persons_per_network, draw,
        variance_network_id, variance_residual, network_reliability`` (the estimates; the
        reliability of a network's mean, tau / (tau + (sigma2 + v) / n)).

    Notes
    -----
    The data are those of :func:`simulate_networks`; the model is the known-variance two-level
    model of :func:`inhd.hlm.fit_known_variance` (REML). With equal numbers of respondents and
    equal known variances its estimates have a closed form, used here for speed (thousands of
    fits in a fraction of a second) and checked against :func:`inhd.hlm.fit_known_variance` in
    ``tests/test_teaching.py``.
    """
    rng = np.random.default_rng(rng)
    rows = []
    for k in n_networks:
        for n in n_persons_per_network:
            if k < 2 or n < 2:
                raise ValueError(f"each design needs at least 2 networks of 2 respondents; got "
                                 f"{k} networks of {n}")
            u = rng.normal(0.0, np.sqrt(variance_network_id), (n_draws, k, 1))
            e = rng.normal(0.0, np.sqrt(variance_residual + error_variance), (n_draws, k, n))
            tau, sigma2 = _balanced_reml(u + e, error_variance)
            rows.append(pd.DataFrame({
                "n_networks": k, "n_persons_per_network": n, "draw": np.arange(n_draws),
                "variance_network_id": tau, "variance_residual": sigma2,
                "network_reliability": tau / (tau + (sigma2 + error_variance) / n)}))
    return pd.concat(rows, ignore_index=True)


def network_spread_chart(draws, *, value="variance_network_id", truth=None, title=None,
                         x_title=None) -> Chart:
    """Every draw's estimate as a tick, one row per number of respondents per network, with a
    slider for the number of networks: the spread of the ticks is the precision of a design.

    Parameters
    ----------
    draws : pandas.DataFrame
        From :func:`network_variance_draws`.
    value : str
        The estimate to draw (a column of ``draws``).
    truth : float, optional
        Drawn as a vertical rule.
    title, x_title : str, optional

    Returns
    -------
    inhd.vegalite.Chart
        A Vega-Lite chart whose slider (parameter ``networks``) steps through the numbers of
        networks, redrawn in the page with no kernel.
    """
    for col in ("n_networks", "n_persons_per_network", value):
        if col not in draws.columns:
            raise ValueError(f"network_spread_chart: column {col!r} not in draws")
    networks = np.sort(draws["n_networks"].unique())
    data = draws[["n_networks", "n_persons_per_network", value]].copy()
    data[value] = data[value].round(4)
    data["position"] = np.searchsorted(networks, data["n_networks"])
    lo, hi = float(data[value].min()), float(data[value].max())
    heading = title or f"{value}: one tick per simulated data set"
    shown = json.dumps([str(int(k)) for k in networks])
    x = {"field": value, "type": "quantitative", "title": x_title or value,
         "scale": {"domain": [number(lo), number(hi)], "nice": False}}
    layers = [{"transform": [{"filter": "datum.position === networks"}],
               "mark": {"type": "tick", "opacity": 0.35, "color": "#1f4e79", "thickness": 1.5},
               "encoding": {"x": x, "y": {"field": "n_persons_per_network", "type": "ordinal",
                                          "title": "respondents per network"},
                            "tooltip": [{"field": value, "type": "quantitative",
                                         "format": ".3f"},
                                        {"field": "n_networks", "type": "quantitative",
                                         "title": "networks"}]}}]
    if truth is not None:
        layers.append({"data": {"values": [{"truth": number(truth)}]},
                       "mark": {"type": "rule", "color": "#c0392b", "strokeWidth": 2},
                       "encoding": {"x": {"field": "truth", "type": "quantitative"}}})
    text = json.dumps(str(heading))[1:-1].replace("'", "\\'")       # inside a quoted expression
    spec = base_spec({"text": {"expr": f"'{text}, ' + {shown}[networks] + ' networks'"}},
                     description=f"{value} estimated from repeated simulated data sets, by "
                                 "respondents per network, for the number of networks chosen")
    spec.update({
        "usermeta": {"title": heading}, "width": 520, "height": 220,
        "data": {"values": records(data)},
        "params": [{"name": "networks", "value": int(len(networks) // 2),
                    "bind": {"input": "range", "min": 0, "max": int(len(networks) - 1),
                             "step": 1, "name": "networks (step through "
                                                f"{', '.join(str(int(k)) for k in networks)}) "}}],
        "layer": layers})
    return Chart(spec)


# --------------------------------------------------------------------------------------------
# Live controls for JupyterLab (ipywidgets: they need a kernel)
# --------------------------------------------------------------------------------------------
class LiveDemo:
    """ipywidgets controls, a "New sample" button and an output area that redraws whenever a
    control moves or the button is pressed.

    Each redraw calls ``render(rng=..., **values)`` with a generator seeded by ``(seed,
    sample)`` (moving a control keeps the sample, the button draws a new one). ``render``
    returns ``(result, parts)``: ``last`` keeps the result, and the parts (text, tables,
    figures) are written into the output area's ``outputs`` directly, not captured from what a
    cell prints, so they show in JupyterLab from the first draw (capture into an Output widget
    created in the same cell can be lost) and in the saved notebook. Live only with a Python
    kernel (JupyterLab, JupyterLite, Binder); the book disables the controls and says so.

    Attributes
    ----------
    controls : dict
        Name -> ipywidgets control; the names are ``render``'s keyword arguments.
    button : ipywidgets.Button
    output : ipywidgets.Output
    widget : ipywidgets.VBox
        What the notebook displays.
    sample : int
        Samples drawn so far (0 for the first).
    last
        The result of the last draw.
    """

    def __init__(self, render, controls, *, seed):
        import ipywidgets as widgets

        self.render, self.controls, self.seed, self.sample = render, dict(controls), seed, 0
        self.button = widgets.Button(description="New sample", icon="refresh",
                                     tooltip="Draw new simulated respondents")
        self.output = widgets.Output()
        for control in self.controls.values():
            control.observe(lambda change: self.redraw(), names="value")
        self.button.on_click(self.new_sample)
        self.widget = widgets.VBox([widgets.HBox([*self.controls.values(), self.button]),
                                    self.output])
        self.last, self._drawn = None, None
        self.redraw()

    def values(self) -> dict:
        """The controls' current values."""
        return {name: control.value for name, control in self.controls.items()}

    def new_sample(self, _button=None):
        """Draw new respondents and redraw (what the button does)."""
        self.sample += 1
        self.redraw()

    def redraw(self):
        """Call ``render`` with the current values and sample and show its parts in the output
        area (once per combination: a control that moves another one does not draw twice). A
        value ``render`` refuses is reported there in a sentence, not a traceback."""
        import matplotlib.pyplot as plt

        key = (tuple(self.values().items()), self.sample)
        if key == self._drawn:
            return
        self._drawn = key
        try:
            self.last, parts = self.render(rng=np.random.default_rng([self.seed, self.sample]),
                                           **self.values())
        except ValueError as err:
            parts = [f"Cannot draw this combination: {err}"]
        self.output.outputs = ()
        for part in parts:
            if isinstance(part, str):
                self.output.append_stdout(part + "\n")
            else:
                self.output.append_display_data(part)
                if isinstance(part, plt.Figure):
                    plt.close(part)                  # shown here, not again under the cell

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def misfit_lab(*, seed=0, n_persons=800) -> LiveDemo:
    """Controls for :func:`misfit_demo`: the kind of misfit, its strength, a new sample."""
    import ipywidgets as widgets

    def render(*, kind, strength, rng):
        demo = misfit_demo(kind, strength=strength, n_persons=n_persons, rng=rng)
        return demo, [demo.summary(), demo.table.round(2), demo.plot().figure]

    kind = widgets.Dropdown(options=list(MISFITS), value="reverse-keyed", description="misfit")
    strength = widgets.FloatSlider(value=MISFITS["reverse-keyed"][0], min=0.0, max=1.0,
                                   step=0.1, description="strength")

    def reset_strength(change):         # each kind starts at its default strength
        probability = change["new"] in ("reverse-keyed", "guessing")
        strength.max = max(strength.max, 3.0)                 # room for every default first
        strength.value = MISFITS[change["new"]][0]
        strength.max = 1.0 if probability else 3.0

    kind.observe(reset_strength, names="value")               # before the lab's own observer
    return LiveDemo(render, {"kind": kind, "strength": strength}, seed=seed)


def dif_lab(*, seed=0, n_persons=500) -> LiveDemo:
    """Controls for :func:`dif_demo`: the size of the bias, the impact, a new sample."""
    import ipywidgets as widgets

    def render(*, dif, impact, rng):
        demo = dif_demo(dif=dif, impact=impact, n_persons=n_persons, rng=rng)
        return demo, [demo.summary(), demo.result.plot_locations(label="flagged").figure]

    return LiveDemo(render, {
        "dif": widgets.FloatSlider(value=0.8, min=0.0, max=2.0, step=0.1,
                                   description="DIF (logits)"),
        "impact": widgets.FloatSlider(value=0.5, min=0.0, max=2.0, step=0.1,
                                      description="impact")}, seed=seed)


@dataclass(frozen=True)
class DesignDraw:
    """One simulated survey of a design and its calibration (for :func:`design_lab`).

    Attributes
    ----------
    n_items, n_persons : int
    person_sd : float
    result : inhd.rasch.RatingScaleResult
    """

    n_items: int
    n_persons: int
    person_sd: float
    result: RatingScaleResult

    def summary(self) -> str:
        return (f"{self.n_items} items, {self.n_persons} respondents, spread "
                f"{self.person_sd:g} logits: person reliability "
                f"{self.result.person_reliability:.2f}, item reliability "
                f"{self.result.item_reliability:.2f}")


def design_lab(*, seed=0, thresholds=LAB_THRESHOLDS) -> LiveDemo:
    """Controls for a survey's design (items, respondents, spread) with its Wright map."""
    import ipywidgets as widgets

    def render(*, n_items, n_persons, person_sd, rng):
        responses, _ = simulate_responses(n_persons=n_persons,
                                          difficulties=np.linspace(-1.5, 1.5, n_items),
                                          thresholds=thresholds, person_sd=person_sd, rng=rng)
        draw = DesignDraw(n_items=n_items, n_persons=n_persons, person_sd=person_sd,
                          result=fit_rating_scale(responses))
        ax = draw.result.plot_wright_map()
        ax.set_title(draw.summary().split(":")[0])
        return draw, [draw.summary(), ax.figure]

    return LiveDemo(render, {
        "n_items": widgets.IntSlider(value=9, min=3, max=20, description="items"),
        "n_persons": widgets.IntSlider(value=400, min=100, max=2000, step=100,
                                       description="respondents"),
        "person_sd": widgets.FloatSlider(value=1.5, min=0.5, max=3.0, step=0.25,
                                         description="spread")}, seed=seed)
