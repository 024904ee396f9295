/* govpulse: small browser helpers.
 *
 * The server decides everything a person reads: values, their formatted text ("12.3 lakh", "91.2%"), status
 * colours (from core.enums.Rag) and labels in the reader's language. This file only turns a chart spec the
 * server wrote into ECharts options, draws it, redraws after htmx swaps, and keeps the header clock ticking.
 * No number is formatted, compared or ranked here.
 *
 * A chart is <div data-chart="KIND" data-chart-spec="ID-OF-JSON-SCRIPT"> (see templates/components/chart.html).
 * Specs, by kind (fields marked ? are optional):
 *   ranking  {items: [{label, value, display, colour, url?, note?}], target?: {value, label, colour?}}
 *            horizontal bars in the order given (the server ranks)
 *   bar      {categories: [...], series: [{name, values, displays, colour, colours?}], target?}
 *   trend    {periods: [...], series: [{name, values, displays, colour}], target?}
 *   map      {map, geojson? | geojson_url?, name_property?, areas: [{name, value, display, colour, url?, note?}]}
 * A null value is drawn as a gap, and its display text (the server's "—") is shown in the tooltip.
 */
(function () {
  "use strict";

  function isDark(element) {
    return Boolean(element.closest(".theme-dark"));
  }

  function textOf(displays, values, index) {
    if (displays && displays[index] != null) return String(displays[index]);
    const value = values ? values[index] : null;
    return value == null ? "—" : String(value);
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (ch) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[ch];
    });
  }

  function targetLine(target) {
    if (!target || target.value == null) return undefined;
    return {
      silent: true,
      symbol: "none",
      lineStyle: { type: "dashed", color: target.colour || undefined, width: 2 },
      label: { formatter: target.label || "", position: target.axis === "x" ? "start" : "insideEndTop" },
      data: [target.axis === "x" ? { xAxis: target.value } : { yAxis: target.value }],
    };
  }

  function itemTooltip(params) {
    const data = params.data || {};
    const lines = ["<strong>" + escapeHtml(data.label || params.name) + "</strong>", escapeHtml(data.display || "—")];
    if (data.note) lines.push(escapeHtml(data.note));
    return lines.join("<br>");
  }

  function seriesTooltip(spec, categories) {
    return function (params) {
      const list = Array.isArray(params) ? params : [params];
      const head = categories[list[0].dataIndex];
      const rows = list.map(function (p) {
        const series = spec.series[p.seriesIndex] || {};
        return p.marker + escapeHtml(series.name || "") + ": " + escapeHtml(textOf(series.displays, series.values, p.dataIndex));
      });
      return ["<strong>" + escapeHtml(head) + "</strong>"].concat(rows).join("<br>");
    };
  }

  const builders = {
    ranking: function (spec) {
      const items = spec.items || [];
      const target = targetLine(Object.assign({ axis: "x" }, spec.target || {}));
      return {
        aria: { enabled: true },
        grid: { left: 8, right: 72, top: 8, bottom: 8, containLabel: true },
        tooltip: { trigger: "item", formatter: itemTooltip },
        xAxis: { type: "value", splitLine: { show: true } },
        yAxis: { type: "category", inverse: true, data: items.map(function (i) { return i.label; }),
                 axisLabel: { width: 160, overflow: "truncate" } },
        series: [{
          type: "bar",
          data: items.map(function (i) {
            return { value: i.value, label: i.label, display: i.display, note: i.note, url: i.url,
                     itemStyle: { color: i.colour } };
          }),
          label: { show: true, position: "right", formatter: function (p) { return p.data.display || "—"; } },
          markLine: target,
        }],
      };
    },

    bar: function (spec) {
      const categories = spec.categories || [];
      return {
        aria: { enabled: true },
        grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
        legend: { show: (spec.series || []).length > 1, top: 0 },
        tooltip: { trigger: "axis", formatter: seriesTooltip(spec, categories) },
        xAxis: { type: "category", data: categories },
        yAxis: { type: "value" },
        series: (spec.series || []).map(function (s, n) {
          return {
            type: "bar", name: s.name,
            itemStyle: { color: s.colour },
            data: (s.values || []).map(function (v, i) {
              return { value: v, itemStyle: s.colours && s.colours[i] ? { color: s.colours[i] } : undefined };
            }),
            markLine: n === 0 ? targetLine(spec.target) : undefined,
          };
        }),
      };
    },

    trend: function (spec) {
      const periods = spec.periods || [];
      return {
        aria: { enabled: true },
        grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
        legend: { show: (spec.series || []).length > 1, top: 0 },
        tooltip: { trigger: "axis", formatter: seriesTooltip(spec, periods) },
        xAxis: { type: "category", boundaryGap: false, data: periods },
        yAxis: { type: "value", scale: true },
        series: (spec.series || []).map(function (s, n) {
          return {
            type: "line", name: s.name, data: s.values || [], connectNulls: false, showSymbol: true,
            lineStyle: { color: s.colour, width: 2 }, itemStyle: { color: s.colour },
            markLine: n === 0 ? targetLine(spec.target) : undefined,
          };
        }),
      };
    },

    map: function (spec) {
      const areas = spec.areas || [];
      return {
        aria: { enabled: true },
        tooltip: { trigger: "item", formatter: itemTooltip },
        series: [{
          type: "map", map: spec.map, roam: true, nameProperty: spec.name_property || "name",
          emphasis: { label: { show: true } },
          data: areas.map(function (a) {
            return { name: a.name, value: a.value, label: a.name, display: a.display, note: a.note, url: a.url,
                     itemStyle: { areaColor: a.colour } };
          }),
        }],
      };
    },
  };

  function reducedMotion() {
    return Boolean(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
  }

  /** The ECharts option for a server spec of ``kind`` (ranking, bar, trend, map). */
  function option(kind, spec) {
    const build = builders[kind];
    if (!build) throw new Error("govpulse: unknown chart kind " + JSON.stringify(kind));
    // The page's own background shows through, in the light and the dark theme alike.
    return Object.assign({ backgroundColor: "transparent", animation: !reducedMotion() }, build(spec || {}));
  }

  /* Resolves once the chart has finished drawing (animations included), for screenshots and PNG export. */
  function whenFinished(chart) {
    return new Promise(function (resolve) {
      const timer = window.setTimeout(done, 3000);
      function done() {
        window.clearTimeout(timer);
        chart.off("finished", done);
        resolve(chart);
      }
      chart.on("finished", done);
    });
  }

  function specOf(element) {
    const source = document.getElementById(element.dataset.chartSpec || "");
    if (!source) throw new Error("govpulse: chart #" + element.id + " has no spec element #" + element.dataset.chartSpec);
    try {
      return JSON.parse(source.textContent);
    } catch (error) {
      throw new Error("govpulse: chart #" + element.id + ": spec is not JSON (" + error.message + ")");
    }
  }

  function ensureMap(spec) {
    if (!spec.map || window.echarts.getMap(spec.map)) return Promise.resolve();
    if (spec.geojson) {
      window.echarts.registerMap(spec.map, spec.geojson);
      return Promise.resolve();
    }
    if (!spec.geojson_url) return Promise.reject(new Error("govpulse: map " + spec.map + " has no geojson"));
    return fetch(spec.geojson_url, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("govpulse: " + spec.geojson_url + " answered " + response.status);
        return response.json();
      })
      .then(function (geojson) { window.echarts.registerMap(spec.map, geojson); });
  }

  /** Draw one chart element; a promise of its ECharts instance once drawn (null when ECharts is absent). */
  function render(element) {
    if (!window.echarts) return Promise.resolve(null);   // the fallback text in the element stays
    const kind = element.dataset.chart;
    const spec = specOf(element);
    const ready = kind === "map" ? ensureMap(spec) : Promise.resolve();
    return ready.then(function () {
      let chart = window.echarts.getInstanceByDom(element);
      if (!chart) {
        element.textContent = "";
        chart = window.echarts.init(element, isDark(element) ? "dark" : null, { renderer: "svg" });
        chart.on("click", function (params) {
          if (params.data && params.data.url) window.location.assign(params.data.url);
        });
      }
      const finished = whenFinished(chart);
      chart.setOption(option(kind, spec), true);
      element.classList.add("chart--drawn");
      return finished;
    }).catch(function (error) {
      console.error(error);
      return null;
    });
  }

  function renderAll(root) {
    const scope = root || document;
    const elements = Array.prototype.slice.call(scope.querySelectorAll("[data-chart]"));
    if (scope.matches && scope.matches("[data-chart]")) elements.push(scope);
    return Promise.all(elements.map(render));
  }

  function resizeAll() {
    if (!window.echarts) return;
    document.querySelectorAll(".chart--drawn").forEach(function (element) {
      const chart = window.echarts.getInstanceByDom(element);
      if (chart) chart.resize();
    });
  }

  /* The header clock: the server wrote the first reading; this keeps it current in the installation's
     time zone, with the digits the page uses. */
  const NUMBERING = { gu: "gujr", hi: "deva", ml: "mlym" };

  function clockFormat() {
    const body = document.body;
    const lang = body.dataset.lang || "en";
    const native = body.dataset.digits === "native" && NUMBERING[lang];
    return new Intl.DateTimeFormat(lang + "-IN", {
      hour: "2-digit", minute: "2-digit", hourCycle: "h23",
      timeZone: body.dataset.timezone || "Asia/Kolkata",
      numberingSystem: native ? NUMBERING[lang] : "latn",
    });
  }

  function tick(format) {
    const now = new Date();
    document.querySelectorAll("time[data-clock]").forEach(function (element) {
      element.textContent = format.format(now);
      element.setAttribute("datetime", now.toISOString());
    });
  }

  function startClock() {
    if (!document.querySelector("time[data-clock]")) return;
    let format;
    try {
      format = clockFormat();
    } catch (error) {   // an unknown time zone: keep the server's reading rather than show a wrong one
      console.error("govpulse: clock", error);
      return;
    }
    tick(format);
    window.setInterval(function () { tick(format); }, 10000);
  }

  let resizeTimer = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(resizeAll, 150);
  });

  document.addEventListener("DOMContentLoaded", function () {
    renderAll(document);
    startClock();
  });
  // htmx fires htmx:load on every piece of content it swaps in.
  document.addEventListener("htmx:load", function (event) {
    if (event.target !== document.body) renderAll(event.target);
  });

  window.govpulse = { charts: { builders: builders, option: option, render: render, renderAll: renderAll } };
})();
