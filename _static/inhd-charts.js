/* Draws the book's client-side charts (inhd.charts): every div.inhd-chart from the JSON spec in the
   script.inhd-chart-spec that follows it, with the Vega, Vega-Lite and vega-embed scripts vendored
   into _static/vendor/vega (loaded before this file on pages that have charts). Nothing is fetched. */
(function () {
  "use strict";
  var options = {
    renderer: "svg",
    actions: {export: true, source: false, compiled: false, editor: false},
    downloadFileName: "inhd-chart"
  };

  function fail(target, message, error) {
    target.textContent = message;
    target.classList.add("inhd-chart-failed");
    if (error) { console.error(message, error); }
  }

  function draw(holder) {
    var target = holder.previousElementSibling;
    if (!target || !target.classList.contains("inhd-chart") || target.getAttribute("data-drawn")) { return; }
    target.setAttribute("data-drawn", "pending");
    var spec;
    try {
      spec = JSON.parse(holder.textContent);
    } catch (error) {
      fail(target, "This chart's description could not be read.", error);
      return;
    }
    if (typeof window.vegaEmbed !== "function") {
      fail(target, "This chart needs the page's Vega scripts, which did not load.", new Error("vegaEmbed missing"));
      return;
    }
    window.vegaEmbed(target, spec, options).then(function () {
      target.setAttribute("data-drawn", "yes");
    }).catch(function (error) {
      fail(target, "This chart could not be drawn: " + error.message, error);
    });
  }

  function drawAll() {
    Array.prototype.forEach.call(document.querySelectorAll("script.inhd-chart-spec"), draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
