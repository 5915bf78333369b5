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


def tidy_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
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
    scripts[:] = kept


def setup(app):
    app.connect("html-page-context", tidy_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
