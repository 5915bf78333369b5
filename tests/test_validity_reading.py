"""inhd.validity_reading: the measure-validity page's sentences, computed from the reliabilities."""

import pandas as pd

from inhd.validity_reading import network_reliability_lines, reading_of_network_reliability, variance_disagreement


def _reliability_rows(**columns):
    base = {"name": ["Readiness"], "network": [0.0], "network_ns": [False], "test": ["hlm"], "method": ["ML"],
            "variance_network_id": [0.0], "network_p_value": [0.019], "n_networks": [8]}
    return pd.DataFrame({**base, **columns})


def test_a_variance_at_its_boundary_whose_test_rejects_is_read_as_not_estimable():
    # newcomer trial (univbct, wave 3): "The network reliability is 0.00 in wave 3 (significant)" beside "no variance
    # between networks is detected": ML put the variance at 0 while HLM's chi-square (from the networks' own OLS
    # means) rejected 0 (p = 0.019)
    text = variance_disagreement(0.0, 0.019, alpha=0.05, test="hlm", method="ML", n_networks=8)
    assert text.startswith("the estimated variance between networks is 0 (at the boundary), yet HLM's chi-square "
                           "test rejects a zero variance (p = 0.019): the two disagree because the test is computed "
                           "from each network's own least-squares mean and its sampling variance, not from the ML fit")
    assert "7 degrees of freedom" in text and "not estimable here" in text
    assert "(p = 0.003)" in variance_disagreement(0.0, 0.003, method="REML") and "REML fit" in \
        variance_disagreement(0.0, 0.003, method="REML")
    # they agree: no sentence (a positive variance; a test that does not reject; no test)
    for variance, p in [(0.2, 0.019), (0.0, 0.2), (0.0, float("nan")), (float("nan"), 0.01)]:
        assert variance_disagreement(variance, p) == ""
    assert variance_disagreement(0.0, 0.04, alpha=0.01) == ""
    reading = reading_of_network_reliability(0.0, n_networks=8, variance=0.0, p_value=0.019)
    assert reading.startswith("The network reliability is 0.00 over 8 networks: the estimated variance")
    assert "no variance between networks is detected" not in reading
    assert "no variance between networks is detected" in reading_of_network_reliability(
        0.0, n_networks=8, variance=0.0, p_value=0.4)


def test_what_this_shows_names_the_disagreement_instead_of_significant():
    line, = network_reliability_lines(_reliability_rows(), where="wave 3")
    assert line.startswith("- The network reliability is 0.00 in wave 3: the estimated variance between networks is "
                           "0 (at the boundary), yet HLM's chi-square test rejects a zero variance (p = 0.019)")
    assert "(significant)" not in line
    line, = network_reliability_lines(_reliability_rows(variance_network_id=[0.3], network=[0.6]),
                                               where="wave 3")
    assert line.startswith("- The network reliability is 0.60 in wave 3 (significant): how well")
    line, = network_reliability_lines(_reliability_rows(network_p_value=[0.3], network_ns=[True]),
                                               where="the data")
    assert "0.00 in the data (not significant)" in line
    two = _reliability_rows(name=["Readiness", "Job <b>"], network=[0.0, 0.7], variance_network_id=[0.0, 0.4],
                            network_p_value=[0.019, 0.001], network_ns=[False, False], test=["hlm"] * 2,
                            method=["ML"] * 2, n_networks=[8, 8])
    lines = network_reliability_lines(two, where="wave 3")
    assert lines[0].startswith("- Network reliabilities range from 0.00 to 0.70 over 2 measures in wave 3, 0 of them")
    assert len(lines) == 2 and lines[1].startswith("  - Readiness: the estimated variance between networks is 0")
