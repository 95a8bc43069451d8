// chipwatch page behaviour: the timeline, Pareto and rule-map charts (Plotly, served locally).
"use strict";
(function () {
  const CONFIG = { displaylogo: false, responsive: true };

  function json(id) {
    const el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  const TEXT = json("chart-text") || {};
  function say(key) { return TEXT[key] || key; }
  function localDigits(text) {
    return TEXT.digits === "arabic" ? text.replace(/[0-9]/g, function (d) { return "٠١٢٣٤٥٦٧٨٩"[Number(d)]; }) : text;
  }

  function timeline() {
    const data = json("timeline-data");
    const el = document.getElementById("timeline-chart");
    if (!data || !el) return;
    const traces = data.periods.map(function (p) {
      return {
        type: "bar", orientation: "h", y: ["status"], base: [p.from],
        x: [Date.parse(p.until) - Date.parse(p.from)], name: p.from + " " + say(p.status),
        marker: { color: data.colors[p.status] },
        hovertemplate: p.from + " → " + p.until + "<br>" + say(p.status) + "<extra></extra>",
      };
    });
    Plotly.newPlot(el, traces, {
      barmode: "stack", height: 260, showlegend: true, legend: { orientation: "h", y: -0.35 },
      xaxis: { type: "date" }, yaxis: { visible: false },
      margin: { t: 10, b: 40, l: 20, r: 20 },
    }, CONFIG);
  }

  function pareto() {
    const curves = json("pareto-data");
    const el = document.getElementById("pareto-chart");
    if (!curves || !el) return;
    const traces = curves.map(function (c) {
      return { type: "scatter", mode: "lines+markers", name: c.chip, x: c.x, y: c.y };
    });
    Plotly.newPlot(el, traces, {
      height: 380, xaxis: { title: { text: say("per_user") } },
      yaxis: { title: { text: say("per_chip") } }, margin: { t: 20 },
    }, CONFIG);
  }

  function ruleMap() {
    const dates = json("map-dates");
    const slider = document.getElementById("date-slider");
    const el = document.getElementById("map-chart");
    if (!dates || !slider || !el) return;
    slider.max = String(dates.length - 1);
    const label = document.getElementById("date-label");
    const body = document.querySelector("#map-status tbody");
    let pending = 0;

    function draw(r) {
      const g = r.regions;
      const labels = g.region_labels;
      const scale = labels.map(function (_, i) {
        const c = g.region_colors[i];
        return [[i / labels.length, c], [(i + 1) / labels.length, c]];
      }).flat();
      const hover = g.region.map(function (row) { return row.map(function (k) { return labels[k]; }); });
      const traces = [{
        type: "heatmap", x: g.tpp, y: g.performance_density, z: g.region, zmin: -0.5,
        zmax: labels.length - 0.5, colorscale: scale, showscale: false, text: hover,
        hovertemplate: "TPP %{x:.0f}, PD %{y:.2f}<br>%{text}<extra></extra>", name: "regions",
      }];
      labels.forEach(function (name, i) {  // legend entries for the shaded control regions
        traces.push({
          type: "scatter", mode: "markers", x: [null], y: [null], name: name, legendgroup: "regions",
          legendgrouptitle: { text: say("regions") }, hoverinfo: "skip",
          marker: { symbol: "square", size: 14, color: g.region_colors[i] },
        });
      });
      const groups = {};
      r.chips.forEach(function (p) { (groups[p.status] = groups[p.status] || []).push(p); });
      Object.keys(groups).forEach(function (s) {
        const pts = groups[s];
        traces.push({
          type: "scatter", mode: "markers", name: say(s),
          x: pts.map(function (p) { return p.tpp; }), y: pts.map(function (p) { return p.performance_density; }),
          text: pts.map(function (p) { return p.chip + " (" + p.classification + ")"; }),
          hovertemplate: "%{text}<br>TPP %{x:.0f}, PD %{y:.2f}<extra>" + say(s) + "</extra>",
          marker: { size: 9, color: r.status_colors[s], line: { width: 1, color: "#000" } },
        });
      });
      Plotly.react(el, traces, {
        height: 520, margin: { t: 20 }, legend: { orientation: "h", y: -0.2 },
        xaxis: { type: "log", title: { text: say("tpp") }, tickvals: [300, 1000, 1600, 2400, 4800, 10000, 30000, 100000] },
        yaxis: { type: "log", title: { text: say("pd") }, tickvals: [0.5, 1, 1.6, 3.2, 5.92, 10, 30] },
      }, CONFIG);
      body.replaceChildren.apply(body, r.chips.slice().sort(function (a, b) { return b.tpp - a.tpp; }).map(function (p) {
        const tr = document.createElement("tr");
        tr.dataset.chip = p.chip;
        tr.dataset.status = p.status;
        [p.chip, p.classification, say(p.status)].forEach(function (v) {
          const td = document.createElement("td");
          td.textContent = v;
          tr.appendChild(td);
        });
        return tr;
      }));
      el.dataset.on = r.on;
    }

    function load() {
      const on = dates[Number(slider.value)];
      label.textContent = localDigits(on);
      slider.setAttribute("aria-valuetext", localDigits(on));
      const ticket = ++pending;
      fetch("/api/map?on=" + encodeURIComponent(on) + "&to=" + encodeURIComponent(slider.dataset.to))
        .then(function (res) { if (!res.ok) throw new Error("HTTP " + res.status); return res.json(); })
        .then(function (r) { if (ticket === pending) draw(r); })
        .catch(function (err) { label.textContent = localDigits(on) + " — " + err.message; });
    }
    slider.addEventListener("input", load);
    load();
  }

  // show the server's field-level message when an HTMX form gets a 4xx answer
  document.addEventListener("htmx:beforeSwap", function (evt) {
    const status = evt.detail.xhr.status;
    if (status >= 400 && status < 500) {
      evt.detail.shouldSwap = true;
      evt.detail.isError = false;
    }
  });

  function init() { timeline(); pareto(); ruleMap(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
