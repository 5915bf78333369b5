"""A small Sphinx extension for the compendium's book.

1. Jupyter Book 1.0.4 registers some page scripts twice (sphinx-thebe's ``const THEBE_JS_URL`` among
   them, and MathJax), which is a JavaScript error on every page; keep the first of each.
2. The ipywidgets HTML manager is vendored under ``_static/vendor`` (see ``inhd/book.py``). It finds
   its bundled fonts relative to the RequireJS module paths of its ``@jupyter-widgets/*`` modules,
   which by default resolve next to the page; point those module paths at the vendored copy so the
   fonts load from the book itself.
3. That widget manager typesets widget labels with MathJax 2's ``MathJax.Hub.Queue`` whenever a
   ``MathJax`` object exists; the book loads MathJax 3, which has no ``Hub`` (a JavaScript error on
   every page with both math and widgets). A two-line ``Hub.Queue`` that calls MathJax 3's
   ``typesetPromise`` follows the MathJax script.
4. Client-side charts (``inhd.charts``): a page whose body holds a chart spec loads Vega, Vega-Lite
   and vega-embed (vendored under ``_static/vendor/vega``) and ``_static/inhd-charts.js``, which
   draws them. They load before RequireJS: their UMD wrappers would otherwise register anonymous
   AMD modules (a RequireJS error) instead of the ``vegaEmbed`` global.
5. The JupyterLite launch button ("Run in your browser"): the theme writes the configured
   ``jupyterlite_url`` into every page as is, which breaks on nested pages when relative; here it is
   resolved per page (Sphinx's ``pathto``) to the book's ``lite/`` site, so it works at any depth
   and under any base URL, and its tooltip says the Python runtime comes from the Pyodide CDN.
"""

from sphinx.builders.html._assets import _JavaScript

WIDGET_PATHS = """(function () {
  var script = document.querySelector('script[src*="vendor/require.js"]');
  if (!script || !window.require) { return; }
  var base = script.src.replace(/require\\.js(\\?.*)?$/, "");
  var paths = {"@jupyter-widgets/html-manager/dist": base + "html-manager"};
  ["base", "controls", "base7", "controls7", "html-manager", "output"].forEach(function (name) {
    paths["@jupyter-widgets/" + name] = base + "html-manager/" + name;
  });
  window.require.config({paths: paths});
})();"""


MATHJAX_HUB = """(function () {
  function queue(command) {  // MathJax 2's Hub.Queue(["Typeset", MathJax.Hub, element])
    var element = command && command[2], mathjax = window.MathJax;
    if (element && mathjax && mathjax.typesetPromise) { mathjax.typesetPromise([element]).catch(function () {}); }
  }
  if (window.MathJax && !window.MathJax.Hub) { window.MathJax.Hub = {Queue: queue}; }
})();"""


#: Vendored by inhd/book.py (VENDORED); loaded in this order on pages with charts.
CHART_SCRIPTS = ("_static/vendor/vega/vega.min.js", "_static/vendor/vega/vega-lite.min.js",
                 "_static/vendor/vega/vega-embed.min.js")
CHART_LOADER = "_static/inhd-charts.js"
CHART_MARKER = 'class="inhd-chart-spec"'
LITE_APP = "lite/notebooks/index.html"
LITE_TOOLTIP = ("Run this notebook in your browser (JupyterLite): no installation; the Python runtime "
                "(Pyodide) is downloaded from the Pyodide CDN when the notebook starts")


def tidy_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    # Sphinx hands every page the same list: never change it in place. Jupyter Book registers every
    # .js file under _static on every page; the chart scripts are kept only where a chart is.
    chart_files = {*CHART_SCRIPTS, CHART_LOADER}
    scripts = [js for js in scripts if (getattr(js, "filename", None) or "").split("?")[0] not in chart_files]
    if CHART_MARKER in (context.get("body") or ""):
        # priority 200: Sphinx sorts by priority after this event, which puts them before RequireJS
        scripts += [_JavaScript(name, priority=200) for name in CHART_SCRIPTS]
        scripts.append(_JavaScript(CHART_LOADER, priority=900, defer="defer"))
    seen, kept = set(), []
    for script in scripts:
        attributes = tuple(sorted((k, str(v)) for k, v in getattr(script, "attributes", {}).items()))
        filename = getattr(script, "filename", None) or ""  # body-only scripts have None or ""
        # a file is loaded once, whatever attributes its second registration carries (MathJax is
        # registered both by sphinx.ext.mathjax and per page; loading it twice is a JavaScript error)
        key = (filename.split("?")[0],) if filename else ("", attributes)
        if key in seen:
            continue
        seen.add(key)
        kept.append(script)
        if filename.split("?")[0].endswith("vendor/require.js"):
            kept.append(_JavaScript("", priority=getattr(script, "priority", 800), body=WIDGET_PATHS))
        if "mathjax" in filename.split("?")[0].lower():
            kept.append(_JavaScript("", priority=getattr(script, "priority", 800), body=MATHJAX_HUB))
    context["script_files"] = kept


def resolve_lite_button(app, pagename, templatename, context, doctree):
    """Point the JupyterLite button at ``lite/`` from this page, with an honest label and tooltip."""
    pathto = context.get("pathto")
    for group in context.get("header_buttons") or []:
        for button in group.get("buttons", []) if isinstance(group, dict) else []:
            url = button.get("url", "") if isinstance(button, dict) else ""
            if button.get("text") == "JupyterLite" and "?path=" in url and pathto:
                query = url.split("?", 1)[1]
                button.update(url=f"{pathto(LITE_APP, 1)}?{query}", text="Run in your browser",
                              tooltip=LITE_TOOLTIP)


def setup(app):
    app.connect("html-page-context", tidy_scripts, priority=900)
    app.connect("html-page-context", resolve_lite_button, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
