"""The measure-construction lab (inhd.teaching): its simulators and design calculations, the
closed-form network REML against the restricted likelihood and inhd.hlm, the spread chart, the live
controls (with and without a kernel), and the lab notebook itself driven in a kernel."""

import json

import numpy as np
import pandas as pd
import pytest

from inhd import ROOT, teaching
from inhd.rsm import category_probabilities


def test_simulation_is_reproducible_and_labelled():
    a, theta_a = teaching.simulate_responses(n_persons=50, difficulties=[0.0, 1.0], thresholds=[-1, 1], rng=7)
    b, theta_b = teaching.simulate_responses(n_persons=50, difficulties=[0.0, 1.0], thresholds=[-1, 1], rng=7)
    pd.testing.assert_frame_equal(a, b)
    assert list(a.columns) == ["item01", "item02"] and a.index[0] == "p00001"
    assert set(a.stack().unique()) <= {1, 2, 3}


def test_simulated_category_shares_match_the_model():
    # One item at difficulty 0.5 answered by persons all at theta = 0: the shares of each category
    # must match the model's probabilities within 3 binomial standard errors.
    n, tau = 20_000, [-1.0, 0.2, 1.1]
    responses, _ = teaching.simulate_responses(n_persons=n, difficulties=[0.5], thresholds=tau, person_sd=0.0,
                                               min_category=0, rng=3)
    expected = category_probabilities([0.0], difficulty=0.5, thresholds=tau)[0]
    observed = responses.iloc[:, 0].value_counts(normalize=True).reindex(range(4), fill_value=0).to_numpy()
    assert np.all(np.abs(observed - expected) < 3 * np.sqrt(expected * (1 - expected) / n))


def test_missing_responses_are_missing_completely_at_random():
    responses, _ = teaching.simulate_responses(n_persons=4000, difficulties=[0, 0, 0], thresholds=[0.0], missing=0.1, rng=1)
    share = responses.isna().to_numpy().mean()
    assert abs(share - 0.1) < 3 * np.sqrt(0.1 * 0.9 / responses.size)


@pytest.mark.parametrize(
    "kwargs, message",
    [({"n_persons": 0}, "n_persons must be at least 1"), ({"n_persons": 5, "missing": 1.0}, "missing must be a probability")],
)
def test_bad_simulation_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        teaching.simulate_responses(difficulties=[0.0], thresholds=[0.0], **kwargs)


def test_liking_for_science_is_the_real_data_set():
    lfs = teaching.load_liking_for_science()
    assert lfs.shape == (75, 25)
    assert set(lfs.stack().unique()) == {0, 1, 2}


def test_network_reliability_by_design_recovers_the_closed_form():
    # 200 networks of 30: SE(tau) ~ sqrt(2/200) (0.56 + 3.7/30) = 0.068, and lambda moves by
    # V/(tau + V)^2 = 0.26 per unit of tau, so 3 SE of the estimated reliability is about 0.054
    out = teaching.network_reliability_by_design(n_networks=[200], n_persons_per_network=[30], rng=1)
    assert list(out.columns) == ["n_networks", "n_persons_per_network", "variance_network_id",
                                 "network_reliability", "network_reliability_formula"]
    row = out.iloc[0]
    assert abs(row["variance_network_id"] - 0.56) < 3 * 0.068
    assert row["network_reliability_formula"] == pytest.approx(0.56 / (0.56 + 3.7 / 30), abs=1e-12)
    assert abs(row["network_reliability"] - row["network_reliability_formula"]) < 0.054


# ------------------------------------------------------------------ networks: closed-form REML

def _direct_reml(y, v):
    """REML estimates (tau, sigma2) of y (networks x persons) with known error variance v, by
    maximising the restricted likelihood written with the full covariance matrix (bounded)."""
    from scipy.optimize import minimize

    J, n = y.shape
    Z = np.kron(np.eye(J), np.ones((n, 1)))
    X, yy = np.ones((J * n, 1)), y.ravel()

    def nll(p):
        V = p[0] * Z @ Z.T + (p[1] + v) * np.eye(J * n)
        Vi = np.linalg.inv(V)
        XtVX = X.T @ Vi @ X
        r = yy - X @ np.linalg.solve(XtVX, X.T @ Vi @ yy)
        return 0.5 * (np.linalg.slogdet(V)[1] + np.linalg.slogdet(XtVX)[1] + r @ Vi @ r)

    fits = [minimize(nll, start, method="L-BFGS-B", bounds=[(0, None), (0, None)],
                     options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 2000})
            for start in [(0.5, 1.0), (0.01, 0.01), (2.0, 3.0)]]
    return min(fits, key=lambda f: f.fun).x


@pytest.mark.parametrize("tau, sigma2, v, J, n", [
    (0.56, 3.1, 0.6, 10, 5),        # interior
    (0.0, 3.1, 0.6, 10, 5),         # the between-network variance often at its bound 0
    (0.3, 0.0, 2.0, 8, 4),          # the residual variance at its bound 0
    (0.0, 0.0, 2.0, 8, 4),          # both
])
def test_closed_form_reml_equals_the_restricted_likelihood_maximum(tau, sigma2, v, J, n):
    rng = np.random.default_rng(int(10 * tau + sigma2 + J))
    y = rng.normal(0, np.sqrt(tau), (6, J, 1)) + rng.normal(0, np.sqrt(sigma2 + v), (6, J, n))
    t, s2 = teaching._balanced_reml(y.copy(), v)
    for k in range(6):
        np.testing.assert_allclose([t[k], s2[k]], _direct_reml(y[k], v), atol=2e-5)


@pytest.mark.parametrize("tau, sigma2, v, J, n", [
    (0.56, 3.1, 0.6, 12, 6), (0.0, 3.1, 0.6, 10, 5), (0.3, 0.0, 2.0, 8, 4)])
def test_closed_form_reml_equals_the_package_model(tau, sigma2, v, J, n):
    # inhd.hlm.fit_known_variance (REML), boundary estimates included
    from inhd.hlm import fit_known_variance

    rng = np.random.default_rng(int(100 * tau + sigma2))
    for _ in range(4):
        y = rng.normal(0, np.sqrt(tau), (1, J, 1)) + rng.normal(0, np.sqrt(sigma2 + v), (1, J, n))
        t, s2 = teaching._balanced_reml(y.copy(), v)
        data = pd.DataFrame({"network_id": np.repeat([f"N{j:02d}" for j in range(J)], n),
                             "measure": y.ravel(), "known_variance": v})
        fit = fit_known_variance(data, "measure ~ 1", known_variance="known_variance",
                                 groups=["network_id"])
        assert t[0] == pytest.approx(fit.variance_components["network_id"], abs=1e-6)
        assert s2[0] == pytest.approx(fit.variance_components["residual"], abs=1e-6)
        lam = t[0] / (t[0] + (s2[0] + v) / n)
        assert lam == pytest.approx(fit.reliability["network_id"], abs=1e-6)


def test_network_variance_draws_spread_shrinks_with_networks():
    draws = teaching.network_variance_draws(n_networks=[10, 100], n_persons_per_network=[20],
                                            n_draws=300, rng=4)
    assert list(draws.columns) == ["n_networks", "n_persons_per_network", "draw",
                                   "variance_network_id", "variance_residual",
                                   "network_reliability"]
    sd = draws.groupby("n_networks")["variance_network_id"].std()
    # the sampling SD of a variance estimated from J means is about sqrt(2/(J-1)) (tau + V/n)
    for k in (10, 100):
        expected = np.sqrt(2 / (k - 1)) * (0.56 + 3.7 / 20)
        assert abs(sd[k] / expected - 1) < 0.25
    big = draws[draws["n_networks"] == 100]
    assert abs(big["variance_network_id"].mean() - 0.56) < 3 * sd[100] / np.sqrt(300)
    assert (draws["variance_network_id"] >= 0).all() and draws["network_reliability"].between(0, 1).all()
    with pytest.raises(ValueError, match="at least 2 networks"):
        teaching.network_variance_draws(n_networks=[1], n_persons_per_network=[5])


def test_network_spread_chart_binds_a_networks_slider():
    draws = teaching.network_variance_draws(n_networks=[10, 34, 100], n_persons_per_network=[5, 20],
                                            n_draws=20, rng=1)
    chart = teaching.network_spread_chart(draws, truth=0.56, title="It's a spread")
    spec = chart.to_dict()
    slider = spec["params"][0]
    assert slider["name"] == "networks" and slider["bind"]["input"] == "range"
    assert (slider["bind"]["min"], slider["bind"]["max"]) == (0, 2)
    assert "10, 34, 100" in slider["bind"]["name"]
    assert len(spec["data"]["values"]) == len(draws)
    assert spec["layer"][0]["transform"] == [{"filter": "datum.position === networks"}]
    assert spec["layer"][1]["data"]["values"] == [{"truth": 0.56}]
    assert "It\\'s a spread" in spec["title"]["text"]["expr"]       # quotes escaped in the expression
    chart.to_json()                                                   # strict JSON: no NaN
    with pytest.raises(ValueError, match="column 'nope'"):
        teaching.network_spread_chart(draws, value="nope")


# ------------------------------------------------------------------ live controls, no kernel

def test_live_demos_redraw_when_a_control_moves_or_a_new_sample_is_drawn():
    import matplotlib

    matplotlib.use("Agg")
    lab = teaching.dif_lab(seed=1, n_persons=200)
    first = lab.last
    assert first.dif == 0.8 and lab.sample == 0
    lab.controls["dif"].value = 0.0
    assert lab.last.dif == 0.0 and lab.last is not first
    same = lab.last.responses
    lab.button.click()
    assert lab.sample == 1 and not lab.last.responses.equals(same)
    misfit = teaching.misfit_lab(seed=1, n_persons=200)
    misfit.controls["kind"].value = "discrimination"
    assert misfit.last.kind == "discrimination" and misfit.last.strength == 0.3
    misfit.controls["strength"].value = 3.0
    assert misfit.last.strength == 3.0
    misfit.controls["kind"].value = "reverse-keyed"             # strength back to a probability
    assert misfit.last.strength == 1.0 and misfit.controls["strength"].max == 1.0
    design = teaching.design_lab(seed=1)
    design.controls["n_items"].value = 5
    assert design.last.result.items.shape[0] == 5 and "5 items" in design.last.summary()


# ------------------------------------------------------------------ the lab notebook, in a kernel

LAB = ROOT / "notebooks" / "08_teaching_measure_construction.ipynb"


@pytest.fixture(scope="module")
def lab_kernel():
    """The lab executed top to bottom on its defaults in a kernel that stays alive, so that the
    tests can move its widgets; yields (client, notebook, run) with ``run(source)`` executing
    one more cell and returning it."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(LAB, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(LAB.parent)}})

    def run(source):
        cell = nbformat.v4.new_code_cell(source)
        nb.cells.append(cell)
        client.execute_cell(cell, len(nb.cells) - 1)
        return cell

    with client.setup_kernel():
        for index, cell in enumerate(list(nb.cells)):
            if cell.cell_type == "code":
                client.execute_cell(cell, index)
        yield client, nb, run


def _widget_text(client, run, name):
    """Text of what the Output widget of ``name`` holds (as a front end would store it)."""
    model = run(f"print({name}.output.model_id)").outputs[0]["text"].strip()
    outputs = client.widget_state[model]["outputs"]
    return "\n".join(o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in outputs)


@pytest.mark.slow
def test_the_lab_runs_clean_and_names_no_machine_path(lab_kernel):
    client, nb, _ = lab_kernel
    code = [c for c in nb.cells if c.cell_type == "code" and c.source]
    outputs = [o for c in code for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert not [o for o in outputs if o.get("name") == "stderr"], "a warning reached the page"
    text = json.dumps(nb)
    assert str(ROOT) not in text and "/tmp/" not in text


@pytest.mark.slow
def test_moving_the_lab_widgets_changes_their_output(lab_kernel):
    client, _, run = lab_kernel
    before = _widget_text(client, run, "misfit_live")
    assert "reverse-keyed (strength 1)" in before
    run("misfit_live.controls['kind'].value = 'guessing'")
    after = _widget_text(client, run, "misfit_live")
    assert "guessing (strength 0.5)" in after and after != before
    run("misfit_live.button.click()")
    resampled = _widget_text(client, run, "misfit_live")
    assert "guessing (strength 0.5)" in resampled and resampled != after   # new respondents
    assert "point-measure correlation" in resampled

    before = _widget_text(client, run, "dif_live")
    run("dif_live.controls['dif'].value = 0.0")
    after = _widget_text(client, run, "dif_live")
    assert "is 0.8 logits harder" in before and "is 0 logits harder" in after

    run("design_live.controls['n_items'].value = 14")
    assert "14 items, 400 respondents" in _widget_text(client, run, "design_live")


@pytest.mark.slow
def test_the_lab_text_matches_what_it_computes(lab_kernel):
    # the numbers the lab's text quotes (JMLE's stretch, the ends' bias in SEs, the LFS misfits,
    # the computed category counts) are those the notebook computes on its defaults
    _, _, run = lab_kernel
    cell = run("import json\n"
               "s = comparison.stretch()\n"
               "print(json.dumps({'d': s.loc['jmle', 'difficulty_stretch'], 't': s.loc['jmle', 'threshold_stretch'],"
               " 'c': s.loc['cml', 'difficulty_stretch'], 'one': stretch(one_draw['jmle']),"
               " 'z': float(one_draw['z_jmle'].abs().max()),"
               " 'rat': lfs_fit.items.loc['WATCH A RAT', 'outfit'],"
               " 'cans': lfs_fit.items.loc['FIND BOTTLES AND CANS', 'outfit'],"
               " 'counts': categories.categories['count'].tolist(),"
               " 'others': overview.loc['reverse-keyed', ['others_infit_min_all', 'others_infit_max_all']].tolist()}))")
    got = json.loads(cell.outputs[0]["text"])
    assert 1.12 < got["d"] < 1.16 and 1.14 < got["t"] < 1.19 and abs(got["c"] - 1) < 0.01
    assert round(got["one"], 2) == 1.21 and round(got["z"], 1) == 6.4     # issue 14's single draw
    assert (round(got["rat"], 2), round(got["cans"], 2)) == (4.13, 3.64)
    assert got["counts"] == [378, 620, 852]
    assert 0.6 <= got["others"][0] and got["others"][1] <= 0.75


def test_the_lab_admonitions_render_outside_the_book():
    """JupyterLab shows MyST directives as raw text: the lab's boxes are plain HTML, its answers
    folded in <details>, its parameters cell first."""
    import nbformat

    nb = nbformat.read(LAB, as_version=4)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "```{" not in markdown and ":::" not in markdown
    assert markdown.count('<div class="admonition') >= 4
    assert markdown.count("<details>") == markdown.count("</details>") >= 7
    first = next(c for c in nb.cells if c.cell_type == "code")
    assert first.metadata.get("tags") == ["parameters"]
    assert "output_dir = None" in first.source
