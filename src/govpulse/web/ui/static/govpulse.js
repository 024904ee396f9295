/* govpulse: small browser helpers.
 *
 * The server decides everything a person reads: values, their formatted text ("12.3 lakh", "91.2%"), status
 * colours (from core.enums.Rag) and labels in the reader's language. This file only turns a chart spec the
 * server wrote into ECharts options, draws it, redraws after htmx swaps, saves it as a PNG, keeps the header
 * clock ticking, and runs the video wall's rotation. No number is formatted, compared or ranked here.
 *
 * A chart is <div data-chart="KIND" data-chart-spec="ID-OF-JSON-SCRIPT"> (see templates/components/chart.html).
 * Specs, by kind (fields marked ? are optional):
 *   ranking  {items: [{label, value, display, colour, symbol?, url?, note?}], target?: {value, label, colour?},
 *            dots?}  bars (or, with dots, status-shaped dots on an axis near the values) in the order given
 *   bar      {categories: [...], series: [{name, values, displays, colour, colours?}], target?}
 *   trend    {periods: [...], series: [{name, values, displays, colour}], target?, compact?}  (compact: sparkline)
 *   strip    {items: [...as ranking], target?}  one marker per area on a value axis (a distribution)
 *   map      {map, geojson? | geojson_url?, name_property?, areas: [{name, label, value, display, colour, symbol?,
 *            pattern?, highlight?, url?, note?}]}  the GeoJSON's "layout" (polygons, points, grid; maps.py) says
 *            how: a choropleth with the status's symbol as a pattern, or markers shaped by status on an outline
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

  /* An axis bound that also takes in the target, so the target line is always drawn. */
  function rangeWith(target, pick) {
    const aim = target && target.value != null ? target.value : null;
    return function (range) { return aim == null ? null : pick(pick === Math.min ? range.min : range.max, aim); };
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

  /* A sparkline: the line alone (no axes), the target dashed, the last point marked; the tooltip still says
     each period's value in the server's words. */
  function sparkline(spec, periods) {
    const series = (spec.series || [])[0] || {};
    const values = series.values || [];
    return {
      grid: { left: 2, right: 6, top: 4, bottom: 4 },
      tooltip: { trigger: "axis", formatter: seriesTooltip(spec, periods), confine: true },
      xAxis: { type: "category", show: false, boundaryGap: false, data: periods },
      yAxis: { type: "value", show: false, scale: true },
      series: [{
        type: "line", data: values, connectNulls: false, showSymbol: false, smooth: false,
        lineStyle: { color: series.colour, width: 2 }, itemStyle: { color: series.colour },
        markPoint: values.length && values[values.length - 1] != null ? {
          symbol: "circle", symbolSize: 7, label: { show: false },
          data: [{ coord: [values.length - 1, values[values.length - 1]] }],
        } : undefined,
        markLine: spec.target && spec.target.value != null ? {
          silent: true, symbol: "none", label: { show: false },
          lineStyle: { type: "dashed", color: spec.target.colour, width: 1 },
          data: [{ yAxis: spec.target.value }],
        } : undefined,
      }],
    };
  }

  const builders = {
    ranking: function (spec) {
      const items = spec.items || [];
      const target = targetLine(Object.assign({ axis: "x" }, spec.target || {}));
      const labels = { show: true, position: "right", formatter: function (p) { return p.data.display || "—"; } };
      const data = items.map(function (i) {
        return { value: i.value, label: i.label, display: i.display, note: i.note, url: i.url,
                 symbol: i.symbol || "circle", itemStyle: { color: i.colour } };
      });
      const base = {
        aria: { enabled: true },
        grid: { left: 8, right: 72, top: 8, bottom: 8, containLabel: true },
        tooltip: { trigger: "item", formatter: itemTooltip },
        yAxis: { type: "category", inverse: true, data: items.map(function (i) { return i.label; }),
                 axisLabel: { width: 160, overflow: "truncate" } },
      };
      if (spec.dots) {
        // Values close together (96-99 %): dots on an axis that starts near the lowest value, so the
        // differences show; bars from zero would all look the same, and bars from 95 would mislead.
        const aim = spec.target && spec.target.value != null ? spec.target.value : null;
        return Object.assign(base, {
          xAxis: { type: "value", scale: true, splitLine: { show: true },
                   // the target line stays on the axis even when every area is above or below it
                   min: function (range) { return aim == null ? null : Math.min(range.min, aim); },
                   max: function (range) { return aim == null ? null : Math.max(range.max, aim); } },
          series: [{ type: "scatter", data: data, symbolSize: 13, label: labels, markLine: target }],
        });
      }
      return Object.assign(base, {
        xAxis: { type: "value", splitLine: { show: true } },
        series: [{ type: "bar", data: data.map(function (d) { return Object.assign({}, d, { symbol: undefined }); }),
                   label: labels, markLine: target }],
      });
    },

    /* The distribution of the areas' values: a marker per area on one value axis, shape and colour by status. */
    strip: function (spec) {
      const items = spec.items || [];
      return {
        aria: { enabled: true },
        grid: { left: 16, right: 24, top: 28, bottom: 28, containLabel: true },
        tooltip: { trigger: "item", formatter: itemTooltip },
        xAxis: { type: "value", scale: true },
        yAxis: { type: "category", data: [""], show: false },
        series: [{
          type: "scatter",
          data: items.map(function (i) {
            return { value: [i.value, 0], label: i.label, display: i.display, url: i.url, note: i.note,
                     symbol: i.symbol || "circle", itemStyle: { color: i.colour, opacity: 0.8, borderColor: "#ffffff", borderWidth: 1 } };
          }),
          symbolSize: 16,
          markLine: targetLine(Object.assign({ axis: "x" }, spec.target || {})),
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
      if (spec.compact) return sparkline(spec, periods);
      return {
        aria: { enabled: true },
        grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
        legend: { show: (spec.series || []).length > 1, top: 0 },
        tooltip: { trigger: "axis", formatter: seriesTooltip(spec, periods) },
        // Points sit in the middle of their period, so the first and last labels and points are never cut.
        xAxis: { type: "category", boundaryGap: true, data: periods, axisLabel: { hideOverlap: true } },
        yAxis: { type: "value", scale: true, min: rangeWith(spec.target, Math.min), max: rangeWith(spec.target, Math.max) },
        series: (spec.series || []).map(function (s, n) {
          return {
            type: "line", name: s.name, data: s.values || [], connectNulls: false, showSymbol: true,
            lineStyle: { color: s.colour, width: 2 }, itemStyle: { color: s.colour },
            markLine: n === 0 ? targetLine(spec.target) : undefined,
          };
        }),
      };
    },

    map: function (spec, element) {
      const meta = mapMeta[spec.map] || { layout: "polygons", points: {} };
      const areas = spec.areas || [];
      const dark = element ? isDark(element) : false;
      const edge = dark ? "#0d1117" : "#ffffff";
      const many = areas.length > 60;
      const showLabels = meta.layout === "grid" ? areas.length <= 120 : areas.length <= 40;
      const label = {
        show: showLabels, fontSize: many ? 9 : 11, color: dark ? "#e8eaed" : "#1a1a1a",
        formatter: function (p) { return (p.data && p.data.label) || p.name; },
        overflow: "truncate", width: meta.layout === "grid" ? 60 : 90,
      };
      if (meta.layout === "points") {
        return {
          aria: { enabled: true },
          tooltip: { trigger: "item", formatter: itemTooltip },
          geo: { map: spec.map, roam: true, aspectScale: 0.95, silent: true, top: 8, bottom: 8, left: 8, right: 8,
                 itemStyle: { areaColor: dark ? "#161b22" : "#eef1f4", borderColor: dark ? "#6e7681" : "#8a949e" } },
          series: [{
            type: "scatter", coordinateSystem: "geo",
            data: areas.filter(function (a) { return meta.points[a.name]; }).map(function (a) {
              const coord = meta.points[a.name];
              return { name: a.name, value: [coord[0], coord[1], a.value], label: a.label, display: a.display,
                       note: a.note, url: a.url, symbol: a.symbol || "circle",
                       symbolSize: a.highlight ? 26 : 18,
                       itemStyle: { color: a.colour, borderColor: a.highlight ? (dark ? "#ffffff" : "#1a1a1a") : edge,
                                    borderWidth: a.highlight ? 3 : 1 } };
            }),
            label: Object.assign({}, label, { show: true, position: "right" }),
            emphasis: { scale: 1.3 },
          }],
        };
      }
      return {
        aria: { enabled: true },
        tooltip: { trigger: "item", formatter: itemTooltip },
        series: [{
          type: "map", map: spec.map, roam: true, nameProperty: spec.name_property || "org_unit",
          aspectScale: meta.layout === "grid" ? 1 : 0.95, selectedMode: false, top: 8, bottom: 8, left: 8, right: 8,
          label: label,
          emphasis: { label: { show: true }, itemStyle: { areaColor: undefined, borderWidth: 2, borderColor: dark ? "#ffffff" : "#1a1a1a" } },
          itemStyle: { borderColor: edge, borderWidth: 1 },
          data: areas.map(function (a) {
            const style = { areaColor: a.colour };
            if (a.pattern) {
              style.decal = { symbol: a.pattern, symbolSize: 0.55, color: "rgba(0,0,0,0.30)",
                              dashArrayX: [1, 0], dashArrayY: [3, 4], rotation: 0 };
            }
            if (a.highlight) {
              style.borderColor = dark ? "#ffffff" : "#1a1a1a";
              style.borderWidth = 3;
            }
            return { name: a.name, value: a.value, label: a.label, display: a.display, note: a.note, url: a.url,
                     itemStyle: style };
          }),
        }],
      };
    },
  };

  function reducedMotion() {
    return Boolean(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
  }

  /** The ECharts option for a server spec of ``kind`` (ranking, bar, trend, map). */
  function option(kind, spec, element) {
    const build = builders[kind];
    if (!build) throw new Error("govpulse: unknown chart kind " + JSON.stringify(kind));
    // The page's own background shows through, in the light and the dark theme alike.
    return Object.assign({ backgroundColor: "transparent", animation: !reducedMotion() }, build(spec || {}, element));
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

  /* What /maps/{code}.geojson says beyond its shapes: the layout and each child's map point (see maps.py). */
  const mapMeta = {};

  function registerLayer(name, geojson) {
    const points = {};
    const shapes = [];
    (geojson.features || []).forEach(function (feature) {
      const geometry = feature.geometry || {};
      if (geometry.type === "Point") points[feature.properties.org_unit] = geometry.coordinates;
      else shapes.push(feature);
    });
    mapMeta[name] = { layout: geojson.layout || "polygons", points: points, missing: geojson.missing || [] };
    window.echarts.registerMap(name, { type: "FeatureCollection", features: shapes });
  }

  const pendingMaps = {};

  function ensureMap(spec) {
    if (!spec.map || mapMeta[spec.map]) return Promise.resolve();
    if (spec.geojson) {
      registerLayer(spec.map, spec.geojson);
      return Promise.resolve();
    }
    if (!spec.geojson_url) return Promise.reject(new Error("govpulse: map " + spec.map + " has no geojson"));
    if (!pendingMaps[spec.map]) {
      pendingMaps[spec.map] = fetch(spec.geojson_url, { credentials: "same-origin", headers: authHeaders() })
        .then(function (response) {
          if (!response.ok) throw new Error("govpulse: " + spec.geojson_url + " answered " + response.status);
          return response.json();
        })
        .then(function (geojson) { registerLayer(spec.map, geojson); })
        .finally(function () { delete pendingMaps[spec.map]; });
    }
    return pendingMaps[spec.map];
  }

  /* The video wall signs its requests with its token (kept in this browser only); pages use the session. */
  function authHeaders() {
    const token = window.govpulse && window.govpulse.wallToken;
    return token ? { Authorization: "Bearer " + token } : {};
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
      chart.setOption(option(kind, spec, element), true);
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

  /* "Save as PNG": ECharts draws the chart as an image (getDataURL); an SVG-rendered chart is rasterised on a
     canvas at twice its size, over the page's own background, so the file looks like the screen. */
  function pngOf(element) {
    const chart = window.echarts && window.echarts.getInstanceByDom(element);
    if (!chart) return Promise.reject(new Error("govpulse: chart #" + element.id + " is not drawn"));
    const background = getComputedStyle(document.body).backgroundColor || "#ffffff";
    const url = chart.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: background });
    if (url.indexOf("data:image/png") === 0) return Promise.resolve(url);
    return new Promise(function (resolve, reject) {
      const image = new Image();
      image.onload = function () {
        const canvas = document.createElement("canvas");
        canvas.width = element.clientWidth * 2;
        canvas.height = element.clientHeight * 2;
        const context = canvas.getContext("2d");
        context.fillStyle = background;
        context.fillRect(0, 0, canvas.width, canvas.height);
        context.drawImage(image, 0, 0, canvas.width, canvas.height);
        resolve(canvas.toDataURL("image/png"));
      };
      image.onerror = function () { reject(new Error("govpulse: the chart's SVG could not be drawn")); };
      image.src = url;
    });
  }

  function savePng(button) {
    const element = document.getElementById(button.dataset.chartPng);
    if (!element) return;
    pngOf(element).then(function (url) {
      const link = document.createElement("a");
      link.href = url;
      link.download = button.dataset.filename || (element.id + ".png");
      document.body.appendChild(link);
      link.click();
      link.remove();
    }).catch(function (error) { console.error(error); });
  }

  document.addEventListener("click", function (event) {
    const button = event.target.closest && event.target.closest("[data-chart-png]");
    if (button) savePng(button);
  });

  /* Pickers submit as soon as a choice is made; their button stays for keyboards and pages without scripts. */
  document.addEventListener("change", function (event) {
    const form = event.target.closest && event.target.closest("form[data-autosubmit]");
    if (form && event.target.matches("select")) form.requestSubmit ? form.requestSubmit() : form.submit();
  });

  /* ---- The video wall ----------------------------------------------------------------------------------
     Rotates through the views listed in data-views, fetching each as a fragment. A view that fails to load
     (network down, server error, session gone: any answer but 200 HTML) never replaces the screen: the last
     good view stays, with a quiet "reconnecting" note, and the next turn tries again. The wall token (an API
     token of a kiosk account) arrives once in the URL fragment (#token=...), which never reaches the server
     or its logs, and is kept in this browser's local storage. */
  const WALL_TOKEN_KEY = "govpulse.wallToken";

  function wallToken() {
    const match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash || "");
    if (match) {
      try { window.localStorage.setItem(WALL_TOKEN_KEY, decodeURIComponent(match[1])); } catch (e) { /* private mode */ }
      window.history.replaceState(null, "", window.location.pathname + window.location.search);
    }
    try { return window.localStorage.getItem(WALL_TOKEN_KEY); } catch (e) { return null; }
  }

  function startWall(stage) {
    const views = JSON.parse(stage.dataset.views || "[]");
    const every = Math.max(10, Number(stage.dataset.every) || 30) * 1000;
    const holder = stage.querySelector("[data-wall-view]");
    const status = stage.querySelector("[data-wall-status]");
    const progress = stage.querySelector("[data-wall-progress]");
    const title = document.querySelector("[data-wall-title]");
    const asOf = document.querySelector("[data-wall-as-of]");
    window.govpulse.wallToken = wallToken();
    let index = 0;
    let paused = false;
    let timer = null;
    let failingSince = null;

    function showStatus(text) {
      status.textContent = text || "";
      status.hidden = !text;
    }

    function load(url) {
      const controller = new AbortController();
      const abort = window.setTimeout(function () { controller.abort(); }, Math.min(every, 20000));
      return fetch(url, { credentials: "same-origin", redirect: "manual", signal: controller.signal,
                          headers: Object.assign({ "HX-Request": "true" }, authHeaders()) })
        .then(function (response) {
          const type = response.headers.get("content-type") || "";
          if (response.status !== 200 || type.indexOf("text/html") !== 0) {
            throw new Error("govpulse wall: " + url + " answered " + (response.status || response.type));
          }
          return response.text();
        })
        .finally(function () { window.clearTimeout(abort); });
    }

    function swapIn(html) {
      const next = document.createElement("div");
      next.innerHTML = html;
      const panel = next.querySelector("[data-as-of]");
      if (!panel) throw new Error("govpulse wall: the view has no panel");
      holder.replaceChildren.apply(holder, Array.prototype.slice.call(next.childNodes));
      if (title) title.textContent = panel.dataset.wallTitle || title.textContent;
      if (asOf) {
        asOf.hidden = !panel.dataset.asOf;
        asOf.querySelector("time").textContent = panel.dataset.asOfText || "";
        asOf.querySelector("time").setAttribute("datetime", panel.dataset.asOf || "");
        asOf.querySelector(".as-of__age").textContent = panel.dataset.asOfAge ? "(" + panel.dataset.asOfAge + ")" : "";
      }
      return renderAll(holder);
    }

    function turn() {
      if (!views.length) return;
      const url = views[index % views.length];
      index += 1;
      load(url).then(swapIn).then(function () {
        failingSince = null;
        showStatus("");
      }).catch(function (error) {
        console.error(error);
        if (!failingSince) failingSince = new Date();
        showStatus(stage.dataset.textReconnecting || "Reconnecting…");
      });
      restartProgress();
    }

    function restartProgress() {
      if (!progress) return;
      progress.style.transition = "none";
      progress.style.width = "0%";
      void progress.offsetWidth;   // restart the CSS transition
      if (!paused && !reducedMotion()) {
        progress.style.transition = "width " + every + "ms linear";
        progress.style.width = "100%";
      }
    }

    function schedule() {
      window.clearInterval(timer);
      timer = paused ? null : window.setInterval(turn, every);
    }

    document.addEventListener("keydown", function (event) {
      if (event.key === " ") { paused = !paused; showStatus(paused ? stage.dataset.textPaused : ""); schedule(); restartProgress(); event.preventDefault(); }
      if (event.key === "ArrowRight") { turn(); schedule(); }
      if (event.key === "ArrowLeft") { index = (index - 2 + views.length * 2) % views.length; turn(); schedule(); }
    });
    const full = document.querySelector("[data-wall-fullscreen]");
    if (full) {
      full.addEventListener("click", function () {
        const root = document.documentElement;
        if (root.requestFullscreen) root.requestFullscreen().catch(function () { /* refused: stay as we are */ });
      });
    }
    // A page left open for days: reload the shell once a day, at a quiet moment, to pick up new code.
    window.setTimeout(function () {
      fetch(window.location.href, { method: "HEAD", cache: "no-store" })
        .then(function (r) { if (r.ok) window.location.reload(); })
        .catch(function () { /* offline: keep going */ });
    }, 24 * 3600 * 1000);
    turn();
    schedule();
  }

  document.addEventListener("DOMContentLoaded", function () {
    const stage = document.querySelector("[data-wall]");
    if (stage) startWall(stage);
  });

  window.govpulse = Object.assign(window.govpulse || {}, {
    charts: { builders: builders, option: option, render: render, renderAll: renderAll, png: pngOf },
  });
})();
