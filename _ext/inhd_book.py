"""A small Sphinx extension for the compendium's book.

1. Jupyter Book 1.0.4 registers some page scripts twice (sphinx-thebe's ``const THEBE_JS_URL`` among
   them, and MathJax), which is a JavaScript error on every page; keep the first of each.
2. The ipywidgets HTML manager is vendored under ``_static/vendor`` (see ``inhd/book.py``). It finds
   its bundled fonts relative to the RequireJS module paths of its ``@jupyter-widgets/*`` modules,
   which by default resolve next to the page; point those module paths at the vendored copy so the
   fonts load from the book itself.
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
    scripts[:] = kept


def setup(app):
    app.connect("html-page-context", tidy_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
