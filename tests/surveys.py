"""Helpers for tests: survey exports with chosen networks (:func:`write_survey`), generated surveys on
any scale, with or without schools, waves, covariates and a reverse-keyed item (:func:`make_survey`),
and a check of HTML for executable content.

:func:`make_survey`'s latent measure of respondent i in network k is theta = u_k + 0.03 (age - 40) +
0.5 [role = leader] + 0.15 (size - 20) / 10 + 0.4 [region = south] + e_i, u_k ~ N(0, 0.5),
e_i ~ N(0, 1): so every covariate matters and the models have something to find.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd

from inhd.rsm import simulate_rating_scale


def write_survey(folder: Path, sizes: dict[str, int] | list[int], *, items: list[str] | None = None,
                 waves: dict[str, list[int]] | None = None, rng: int = 12, missing: float = 0.0):
    """Write a valid survey export: ``sizes`` respondents per network (ids as given, or N1, N2, ...).

    ``waves`` gives each network's respondents' waves (cycled); default: everyone in 2023. Returns
    ``(respondents.csv, networks.csv, items)``.
    """
    rng = np.random.default_rng(rng)
    if not isinstance(sizes, dict):
        sizes = {f"N{j + 1}": size for j, size in enumerate(sizes)}
    items = items or [f"q{k + 1:02d}" for k in range(6)]
    ids = list(sizes)
    network = np.repeat(np.arange(len(ids)), list(sizes.values()))
    n = len(network)
    shift = np.linspace(-1, 1, len(ids))
    theta = rng.normal(shift[network], 1.2)
    codes = simulate_rating_scale(theta, np.linspace(-1, 1, len(items)), [-1.5, -0.5, 0.5, 1.5], rng=rng,
                                  min_category=1, missing=missing)
    wave = np.full(n, 2023)
    for j, network_id in enumerate(ids):
        if waves and network_id in waves:
            rows = np.flatnonzero(network == j)
            wave[rows] = np.resize(waves[network_id], len(rows))
    respondents = pd.DataFrame({
        "respondent_id": [f"R{i + 1:06d}" for i in range(n)], "network_id": np.asarray(ids, dtype=object)[network],
        "school_id": "", "wave": wave, "team_lead": rng.integers(0, 2, n), "tenure_years": rng.integers(0, 6, n),
        "intensity": rng.choice([0, 0.5, 1, 1.5], n), "gender": rng.choice(["woman", "man", "undisclosed"], n),
        "race": rng.choice(["white", "black", "latinx", "asian"], n),
    })
    for k, item in enumerate(items):
        respondents[item] = pd.array(codes[:, k], dtype="Float64").astype("Int64")
    networks = pd.DataFrame({"network_id": ids, "single_district": 1, "archetype": "instructional",
                             "duration_years": 3.0, "hub_type": "ta"})
    folder.mkdir(parents=True, exist_ok=True)
    r, nw = folder / "respondents.csv", folder / "networks.csv"
    respondents.to_csv(r, index=False, lineterminator="\n")
    networks.to_csv(nw, index=False, lineterminator="\n")
    return r, nw, items


def make_survey(folder, *, n_categories=5, n_networks=12, per_network=(25, 45), n_items=8, schools=True,
                waves=(2022, 2023, 2024), covariates=True, reversed_item="q03", extra_columns=True,
                missing=0.03, rng=7, prefix="my"):
    """Write ``<prefix>_respondents.csv`` and ``<prefix>_networks.csv`` into ``folder``.

    Returns ``(respondents_path, networks_path, items)``. Responses are codes 1..n_categories;
    ``reversed_item`` (if any) is written the other way round (1 = strongly agree), so its
    point-measure correlation is negative until it is recoded.
    """
    g = np.random.default_rng(rng)
    folder = Path(folder)
    networks = [f"NET{k + 1:02d}" for k in range(n_networks)]
    sizes = g.integers(per_network[0], per_network[1] + 1, n_networks)
    nets = pd.DataFrame({"network_id": networks, "size": g.integers(5, 40, n_networks).astype(float),
                         "region": g.choice(["north", "south", "east"], n_networks)})
    u = pd.Series(g.normal(0, np.sqrt(0.5), n_networks), index=networks)
    rows = []
    for k, (net, n) in enumerate(zip(networks, sizes)):
        for i in range(n):
            rows.append({"respondent_id": f"P{k + 1:02d}-{i + 1:03d}", "network_id": net})
    r = pd.DataFrame(rows)
    n = len(r)
    if schools:
        r["school_id"] = [f"{net}-S{g.integers(1, 4)}" for net in r["network_id"]]
    if waves:
        r["wave"] = g.choice(list(waves), n)
    age = g.integers(22, 65, n).astype(float)
    role = g.choice(["teacher", "leader", "coach"], n, p=[0.6, 0.25, 0.15])
    net_info = nets.set_index("network_id").loc[r["network_id"]]
    theta = (u.loc[r["network_id"]].to_numpy() + 0.03 * (age - 40) + 0.5 * (role == "leader")
             + 0.15 * (net_info["size"].to_numpy() - 20) / 10 + 0.4 * (net_info["region"].to_numpy() == "south")
             + g.normal(0, 1, n))
    if waves:
        theta = theta + 0.2 * (r["wave"].to_numpy() - min(waves))
    m = n_categories - 1
    thresholds = np.linspace(-1.8, 1.8, m) if m > 1 else np.zeros(1)
    difficulties = np.linspace(-1, 1, n_items)
    x = simulate_rating_scale(theta, difficulties, thresholds, rng=g, missing=missing)
    items = [f"q{j + 1:02d}" for j in range(n_items)]
    responses = pd.DataFrame(x + 1, columns=items).astype("Int64")
    if reversed_item:
        responses[reversed_item] = 1 + n_categories - responses[reversed_item]
    if covariates:
        r["age"] = age
        r["role"] = role
    if extra_columns:
        r["comments"] = g.choice(["", "good", "too long"], n)
    r = pd.concat([r, responses], axis=1)
    resp_path, nets_path = folder / f"{prefix}_respondents.csv", folder / f"{prefix}_networks.csv"
    r.to_csv(resp_path, index=False)
    (nets if covariates else nets[["network_id"]]).to_csv(nets_path, index=False)
    return resp_path, nets_path, items


#: Attributes whose value is a URL.
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "xlink:href", "srcset", "background"}
#: Elements that run, embed or fetch something, or change where the page goes.
ACTIVE_ELEMENTS = {"script", "iframe", "frame", "object", "embed", "applet", "link", "base", "form", "svg", "math",
                   "meta-refresh", "portal", "template", "noscript", "audio", "video", "source", "track"}


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.csp: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._check(tag, attrs)

    def handle_data(self, data):
        self.text.append(data)

    def _check(self, tag, attrs):
        if tag in ACTIVE_ELEMENTS:
            self.problems.append(f"<{tag}> element")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.problems.append(f"event handler {name}= on <{tag}>")
            if name in ("class", "id") and "mermaid" in value.lower():
                self.problems.append(f"Mermaid block <{tag} {name}={value!r}>")
            if name == "style" and re.search(r"url\s*\(|expression\s*\(", value, re.I):
                self.problems.append(f"style that fetches on <{tag}>")
            if name in URL_ATTRIBUTES:
                compact = re.sub(r"[\x00-\x20]", "", value).lower()
                if compact.startswith(("javascript:", "vbscript:", "data:text/html")):
                    self.problems.append(f"{name}={value[:40]!r} on <{tag}>")
                elif re.match(r"([a-z][a-z0-9+.-]*:|//)", compact) and not compact.startswith("data:image/png"):
                    self.problems.append(f"{name} reaches another host: {value[:60]!r} on <{tag}>")
        if tag == "meta":
            found = dict(attrs)
            if (found.get("http-equiv") or "").lower() == "content-security-policy":
                self.csp.append(found.get("content") or "")
            if (found.get("http-equiv") or "").lower() == "refresh":
                self.problems.append("<meta http-equiv=refresh>")


def executable_content(page: str) -> list[str]:
    """Everything in ``page`` that a browser could run, or that fetches from elsewhere.

    Event-handler attributes, ``javascript:`` (and other script) URLs, script-like elements,
    Mermaid blocks, URLs to another host, and a missing or permissive Content-Security-Policy.
    """
    parser = _Collector()
    parser.feed(page)
    parser.close()
    problems = list(parser.problems)
    if not parser.csp:
        problems.append("no Content-Security-Policy")
    for policy in parser.csp:
        if "default-src 'none'" not in policy or "script-src" in policy:
            problems.append(f"permissive Content-Security-Policy {policy!r}")
    return problems


def page_text(page: str) -> str:
    """The text of a page, entities decoded (what a reader sees)."""
    parser = _Collector()
    parser.feed(page)
    return "".join(parser.text)
