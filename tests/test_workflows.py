"""inhd run and inhd report: validation first, no overwriting, failures named, small groups suppressed."""

import re

import nbformat
import numpy as np
import pandas as pd
import pytest

from inhd import workflows
from inhd.cli import main
from inhd.teaching import simulate_responses


def small_survey(folder, *, sizes=(40, 35, 30, 25, 20, 6), n_items=6, waves=(2023, 2024), rng=11):
    """A valid survey export with networks of the given sizes (the last one below min_cell)."""
    rng = np.random.default_rng(rng)
    shift = pd.Series(np.linspace(-1, 1, len(sizes)), index=[f"N{j + 1}" for j in range(len(sizes))])
    rows = []
    for network, size in zip(shift.index, sizes):
        block, _ = simulate_responses(n_persons=size, difficulties=np.linspace(-1, 1, n_items),
                                      thresholds=[-1.5, -0.5, 0.5, 1.5], person_mean=shift[network], person_sd=1.2,
                                      rng=rng)
        block.index = [f"{network}-R{i + 1:03d}" for i in range(size)]
        rows.append(block.assign(network_id=network))
    items = pd.concat(rows).rename(columns=lambda c: c.replace("item", "q"))
    n = len(items)
    respondents = pd.DataFrame({
        "respondent_id": items.index, "network_id": items["network_id"].to_numpy(),
        "school_id": [f"{net}-S{k % 3}" for k, net in enumerate(items["network_id"])],
        "wave": rng.choice(waves, n), "team_lead": rng.integers(0, 2, n), "tenure_years": rng.integers(0, 6, n),
        "intensity": rng.choice([0, 0.5, 1, 1.5], n), "gender": rng.choice(["woman", "man", "undisclosed"], n),
        "race": rng.choice(["white", "black", "latinx", "asian"], n),
    })
    item_names = [c for c in items.columns if c.startswith("q")]
    respondents = pd.concat([respondents.reset_index(drop=True), items[item_names].reset_index(drop=True)], axis=1)
    networks = pd.DataFrame({"network_id": shift.index, "single_district": [1, 0] * (len(sizes) // 2) + [0] * (len(sizes) % 2),
                             "archetype": "instructional", "duration_years": 3.0, "hub_type": "ta"})
    r, nw = folder / "respondents.csv", folder / "networks.csv"
    respondents.to_csv(r, index=False)
    networks.to_csv(nw, index=False)
    return r, nw, item_names


@pytest.fixture
def stub_paper(tmp_path, monkeypatch):
    """Register a tiny paper notebook taking survey data; ``fail=True`` makes its second cell raise."""

    def register(*, fail=False):
        folder = tmp_path / "notebooks"
        folder.mkdir(exist_ok=True)
        nb = nbformat.v4.new_notebook()
        nb.cells = [
            nbformat.v4.new_code_cell("respondents_path = None\nnetworks_path = None\nitem_columns = None\n"
                                      "output_dir = None\nthreshold = 1", metadata={"tags": ["parameters"]}),
            nbformat.v4.new_code_cell("raise RuntimeError('the stub was told to fail')" if fail else
                                      "import pandas as pd, pathlib\n"
                                      "r = pd.read_csv(respondents_path)\n"
                                      "out = pathlib.Path(output_dir); out.mkdir(parents=True, exist_ok=True)\n"
                                      "r.groupby('network_id').size().rename('n_persons').to_csv(out / 'sizes.csv')\n"
                                      "print('threshold', threshold, 'items', item_columns)"),
        ]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, folder / "99_stub.ipynb")
        monkeypatch.setattr(workflows, "NOTEBOOKS", folder)
        monkeypatch.setitem(workflows.PAPERS, "stub", workflows.Paper("stub", "99_stub.ipynb", "a stub paper"))

    return register


def test_run_list_names_every_paper(capsys):
    assert main(["run", "--list"]) == 0
    listed = capsys.readouterr().out
    for name in workflows.PAPERS:
        assert name in listed


def test_run_refuses_invalid_data_with_the_validation_messages(tmp_path, capsys, stub_paper):
    stub_paper()
    r, n, items = small_survey(tmp_path)
    lines = r.read_text().splitlines()
    lines[1] = lines[1].rsplit(",", 1)[0] + ",9"
    r.write_text("\n".join(lines) + "\n")
    before = r.read_bytes()
    code = main(["run", "stub", "--respondents", str(r), "--networks", str(n), "--items", ",".join(items),
                 "--out", str(tmp_path / "out"), "--quiet"])
    assert code == 2
    assert re.search(r"respondents\.csv line 2, column q\d+: 9 is outside the response scale 1-5", capsys.readouterr().err)
    assert r.read_bytes() == before and not (tmp_path / "out").exists()


@pytest.mark.slow
def test_run_leaves_notebook_html_and_tables_and_never_overwrites(tmp_path, capsys, stub_paper):
    stub_paper()
    r, n, items = small_survey(tmp_path)
    out = tmp_path / "out"
    args = ["run", "stub", "--respondents", str(r), "--networks", str(n), "--out", str(out), "--quiet",
            "--items", ",".join(items[:3]), "-p", "threshold=2.5"]
    assert main(args) == 0
    executed = nbformat.read(out / "99_stub.ipynb", as_version=4)
    printed = "".join(o.get("text", "") for c in executed.cells for o in c.get("outputs", []))
    assert "threshold 2.5" in printed and str(items[:3]) in printed
    html = (out / "99_stub.html").read_text()
    assert "threshold 2.5" in html and not re.search(r'<script[^>]*src="https?://', html)
    sizes = pd.read_csv(out / "tables" / "sizes.csv").set_index("network_id")
    assert sizes["n_persons"].sum() == 150 and sizes.loc["N6", "suppressed"]      # N6 (6 people) suppressed
    # a second run into the same folder is refused without --force, allowed with it
    stamp = (out / "99_stub.html").stat().st_mtime_ns
    assert main(args) == 2
    assert "not empty" in capsys.readouterr().err and (out / "99_stub.html").stat().st_mtime_ns == stamp
    assert main(args + ["--force"]) == 0


@pytest.mark.slow
def test_run_names_the_failing_cell_and_keeps_the_partial_notebook(tmp_path, capsys, stub_paper):
    stub_paper(fail=True)
    r, n, items = small_survey(tmp_path)
    out = tmp_path / "out"
    assert main(["run", "stub", "--respondents", str(r), "--networks", str(n), "--items", ",".join(items),
                 "--out", str(out), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "99_stub.ipynb failed in cell 1" in err and "RuntimeError: the stub was told to fail" in err
    assert (out / "99_stub.ipynb").is_file()


def test_run_refuses_unknown_paper_and_parameters(tmp_path, capsys, stub_paper):
    stub_paper()
    r, n, _ = small_survey(tmp_path)
    base = ["--respondents", str(r), "--networks", str(n), "--out", str(tmp_path / "out"), "--quiet"]
    assert main(["run", "no-such-paper", *base]) == 2
    assert "unknown paper 'no-such-paper'" in capsys.readouterr().err
    assert main(["run", "stub", *base, "-p", "nonsense=1"]) == 2
    assert "no parameter(s) ['nonsense']" in capsys.readouterr().err
    # an option the notebook has no use for is refused, not ignored
    assert main(["run", "stub", *base, "--person-covariates", "gender", "--scale", "1-6"]) == 2
    assert "does not use --scale, --person-covariates" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["run", "stub", *base, "-p", "novalue"])


@pytest.mark.slow
def test_reports_suppress_small_networks_and_expose_no_respondent(tmp_path, capsys):
    r, n, items = small_survey(tmp_path)
    out = tmp_path / "reports"
    code = main(["report", "--respondents", str(r), "--networks", str(n), "--items", ",".join(items),
                 "--out", str(out), "--quiet"])
    assert code == 0, capsys.readouterr().err
    written = sorted(p.name for p in out.iterdir())
    assert written == [f"N{j}.html" for j in range(1, 7)] + ["index.html", "manifest.json"]
    ids = pd.read_csv(r)["respondent_id"]
    for page in out.glob("N*.html"):
        html = page.read_text()
        assert not any(i in html for i in ids), f"{page.name} exposes a respondent id"
        assert not re.search(r'<script[^>]*src="https?://', html), f"{page.name} fetches a script"
        assert "data:image/png;base64" in html  # figures embedded
    small = (out / "N6.html").read_text()
    assert "fewer than 10 respondents" in small and "suppressed" in small
    big = (out / "N1.html").read_text()
    assert "1 network(s) suppressed" in big  # the caterpillar leaves N6 out and says so


def test_report_refuses_a_network_not_in_the_data_and_a_non_empty_folder(tmp_path, capsys):
    r, n, items = small_survey(tmp_path)
    out = tmp_path / "reports"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    base = ["report", "--respondents", str(r), "--networks", str(n), "--items", ",".join(items), "--quiet"]
    assert main([*base, "--out", str(out)]) == 2
    assert "not empty" in capsys.readouterr().err and (out / "keep.txt").read_text() == "mine"
    assert main([*base, "--out", str(tmp_path / "new"), "--network", "N99"]) == 2
    assert "network 'N99' has no respondents" in capsys.readouterr().err


def test_report_suggests_the_network_meant(tmp_path, capsys):
    r, n, items = small_survey(tmp_path)
    base = ["report", "--respondents", str(r), "--networks", str(n), "--items", ",".join(items), "--quiet",
            "--out", str(tmp_path / "new")]
    assert main([*base, "--network", "3"]) == 2
    assert "network '3' has no respondents in" in (err := capsys.readouterr().err) and "did you mean 'N3'?" in err
    assert main([*base, "--network", "n4"]) == 2 and "did you mean 'N4'?" in capsys.readouterr().err


def test_run_names_the_parameter_it_refuses(tmp_path, capsys, stub_paper):
    stub_paper()
    r, n, items = small_survey(tmp_path)
    assert main(["run", "stub", "--respondents", str(r), "--items", ",".join(items), "--out", str(tmp_path / "o"),
                 "--quiet", "-p", "output_dir=x"]) == 2
    assert "-p cannot set output_dir: output_dir is set by inhd run from --out" in capsys.readouterr().err


def test_report_force_for_one_network_says_the_other_reports_were_removed(tmp_path, capsys):
    # newcomer trial: `report --force --network G14` into a full folder deleted 98 reports without a word
    r, n, items = small_survey(tmp_path)
    out = tmp_path / "reports"
    base = ["report", "--respondents", str(r), "--networks", str(n), "--items", ",".join(items), "--out", str(out),
            "--quiet", "--jobs", "1"]
    assert main(base) == 0
    capsys.readouterr()
    assert main([*base, "--force", "--network", "N2"]) == 0
    err = capsys.readouterr().err
    assert f"inhd: warning: --force replaced the previous run in {out} whole: 5 report(s) of other networks it had " \
        "written were removed (N1.html, N3.html, N4.html, N5.html, N6.html); to refresh one network's report and " \
        "keep the others, write it into another folder" in err
    assert sorted(p.name for p in out.iterdir()) == ["N2.html", "index.html", "manifest.json"]
    assert main([*base, "--force", "--network", "N2"]) == 0                  # nothing more removed: no warning
    assert "--force replaced" not in capsys.readouterr().err


def test_report_on_two_networks_warns_at_run_and_on_every_page(tmp_path, capsys):
    # newcomer trial: two companies were reported ("ranking 2 of 2 networks shown") with no caveat
    r, n, items = small_survey(tmp_path, sizes=(40, 35, 6))            # two shown, one suppressed
    out = tmp_path / "reports"
    assert main(["report", "--respondents", str(r), "--networks", str(n), "--items", ",".join(items), "--out",
                 str(out), "--quiet", "--jobs", "1"]) == 0
    assert "inhd: warning: Only 2 networks shown: the variance between networks rests on 1 degree of freedom" \
        in capsys.readouterr().err
    for page in ("N1.html", "N3.html"):
        assert "<strong>Warning.</strong> Only 2 networks shown: the variance between networks rests on 1 degree " \
            "of freedom, so the network variance, the network reliability and the networks&#x27; estimates and " \
            "ranks are not estimable in any useful sense" in (out / page).read_text()


def test_run_on_two_networks_warns(tmp_path, capsys, stub_paper):
    stub_paper()
    r, n, items = small_survey(tmp_path, sizes=(40, 35))
    assert main(["run", "stub", "--respondents", str(r), "--networks", str(n), "--items", ",".join(items),
                 "--out", str(tmp_path / "out"), "--quiet"]) == 0
    assert "inhd: warning: Only 2 networks: the variance between networks rests on 1 degree of freedom" \
        in capsys.readouterr().err


def test_the_published_notebook_shows_the_paths_as_given_not_the_machine_s(tmp_path, capsys, stub_paper, monkeypatch):
    # newcomer trial: the parameters cell showed output_dir = ".../.inhd-staging-mem82jcy/tables"
    import nbformat
    stub_paper()
    r, n, items = small_survey(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["run", "stub", "--respondents", r.name, "--networks", n.name, "--items", ",".join(items),
                 "--out", "out", "--quiet"]) == 0
    nb = nbformat.read(tmp_path / "out" / "99_stub.ipynb", as_version=4)
    injected = next(c.source for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert f"respondents_path = {r.name!r}" in injected and f"networks_path = {n.name!r}" in injected
    assert "output_dir = 'tables'" in injected
    for published in ("99_stub.ipynb", "99_stub.html"):
        text = (tmp_path / "out" / published).read_text()
        assert ".inhd-staging" not in text and str(tmp_path) not in text


def test_exported_page_draws_formulas_as_mathml_without_a_script(tmp_path):
    # newcomer trial: every formula of an inhd run page showed as $$...$$ source (the page's policy
    # forbids MathJax); MathML needs no script
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("The model $$P(X_{ni} = h) \\propto \\exp(\\theta_n - \\delta_i)$$ "
                                      "with $\\tau_k$; costs `$5` and ![x](x.png)"),
        nbformat.v4.new_code_cell("print('$1 and $2')")])
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="$1 and $2\n")]
    source = tmp_path / "n.ipynb"
    nbformat.write(nb, source)
    html = workflows.export_html(source, tmp_path / "n.html").read_text()
    assert html.count("<math ") == 2 and '<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">' in html
    assert "<msub><mi>&#x003C4;</mi><mi>k</mi></msub>" in html and "$$" not in html and "inhdformula" not in html
    assert "<code>$5</code>" in html and "$1 and $2" in html          # code and outputs keep their dollars
    assert "<script" not in html
