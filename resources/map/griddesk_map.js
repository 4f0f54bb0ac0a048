/* GridDesk's map page script (our own code; Leaflet and its heat plugin come
 * from installed packages).
 *
 * - The case layer draws every case point on one canvas, from compact arrays
 *   (coordinates and a colour class), and groups points into clusters when too
 *   many are in view, so 50,000 cases stay smooth.
 * - Text that comes from a case (number, title, address) is only ever put into
 *   the page with textContent, never as HTML.
 * - Clicks go to the desktop through the QWebChannel object "bridge".
 */
(function () {
  "use strict";

  var CLUSTER_CELL = 56; // px
  var CLUSTER_ABOVE = 4000; // cluster when more points than this are in view …
  var NO_CLUSTER_ZOOM = 17; // … and the map is zoomed out further than this
  var PHOTO_URI = /^data:image\/jpeg;base64,[A-Za-z0-9+\/]+={0,2}$/; // a tooltip photo: a small local JPEG
  var HIT_SLOP = 3; // px around a point that still counts as a hit

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function fill(template, value) {
    return String(template).replace("%1", String(value));
  }

  /* ------------------------------------------------------------ the case layer */
  var CaseLayer = L.Layer.extend({
    initialize: function (owner) {
      this.owner = owner;
      this.drawn = { index: [], x: [], y: [], r: [] };
      this.clusters = [];
      this.selected = null;
    },

    onAdd: function (map) {
      this._map = map;
      if (!map.getPane("griddeskCases")) {
        var pane = map.createPane("griddeskCases");
        pane.style.zIndex = 450;
        pane.style.pointerEvents = "none";
      }
      this.canvas = el("canvas", "griddesk-case-canvas");
      map.getPane("griddeskCases").appendChild(this.canvas);
      map.on("moveend zoomend resize viewreset", this.redraw, this);
      map.on("zoomstart", this._hide, this);
      this.redraw();
    },

    onRemove: function (map) {
      map.off("moveend zoomend resize viewreset", this.redraw, this);
      map.off("zoomstart", this._hide, this);
      L.DomUtil.remove(this.canvas);
      this.canvas = null;
      this.drawn = { index: [], x: [], y: [], r: [] };
      this.clusters = [];
      this.owner.report();
    },

    _hide: function () {
      if (this.canvas) this.canvas.style.visibility = "hidden";
    },

    redraw: function () {
      var map = this._map;
      if (!map || !this.canvas) return;
      var data = this.owner.data;
      var size = map.getSize();
      var ratio = window.devicePixelRatio || 1;
      var canvas = this.canvas;
      canvas.width = Math.round(size.x * ratio);
      canvas.height = Math.round(size.y * ratio);
      canvas.style.width = size.x + "px";
      canvas.style.height = size.y + "px";
      L.DomUtil.setPosition(canvas, map.containerPointToLayerPoint([0, 0]));
      canvas.style.visibility = "visible";
      var ctx = canvas.getContext("2d");
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.clearRect(0, 0, size.x, size.y);
      this.drawn = { index: [], x: [], y: [], r: [] };
      this.clusters = [];
      if (data && data.count) {
        var zoom = map.getZoom();
        var scale = map.getZoomScale(zoom, 0);
        var origin = map.getPixelBounds().min;
        var margin = 12;
        var visible = [];
        for (var i = 0; i < data.count; i++) {
          var x = data.px[i] * scale - origin.x;
          var y = data.py[i] * scale - origin.y;
          if (x < -margin || y < -margin || x > size.x + margin || y > size.y + margin) continue;
          visible.push(i, x, y);
        }
        var n = visible.length / 3;
        if (n > CLUSTER_ABOVE && zoom < NO_CLUSTER_ZOOM) {
          this._drawClusters(ctx, visible, data);
        } else {
          this._drawPoints(ctx, visible, data, zoom);
        }
      }
      this._drawSelection(ctx, map);
      this.owner.report();
    },

    _drawPoints: function (ctx, visible, data, zoom) {
      var colours = this.owner.markerColours;
      var radius = zoom >= 17 ? 6.5 : zoom >= 15 ? 5.5 : 4.5;
      var drawn = this.drawn;
      ctx.lineWidth = 1.2;
      ctx.strokeStyle = "rgba(255,255,255,0.95)";
      var current = -1;
      for (var k = 0; k < visible.length; k += 3) {
        var i = visible[k];
        var cls = data.cls[i];
        if (cls !== current) {
          current = cls;
          ctx.fillStyle = colours[cls] || "#2466b0";
        }
        ctx.beginPath();
        ctx.arc(visible[k + 1], visible[k + 2], radius, 0, 2 * Math.PI);
        ctx.fill();
        ctx.stroke();
        drawn.index.push(i);
        drawn.x.push(visible[k + 1]);
        drawn.y.push(visible[k + 2]);
        drawn.r.push(radius);
      }
    },

    _drawClusters: function (ctx, visible, data) {
      var cells = {};
      var list = [];
      for (var k = 0; k < visible.length; k += 3) {
        var i = visible[k];
        var x = visible[k + 1];
        var y = visible[k + 2];
        var key = Math.floor(x / CLUSTER_CELL) + ":" + Math.floor(y / CLUSTER_CELL);
        var c = cells[key];
        if (!c) {
          c = cells[key] = { n: 0, sx: 0, sy: 0, worst: 0, members: [] };
          list.push(c);
        }
        c.n += 1;
        c.sx += x;
        c.sy += y;
        if (data.cls[i] > c.worst) c.worst = data.cls[i];
        c.members.push(i);
      }
      var colours = this.owner.markerColours;
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.font = "bold 11px sans-serif";
      for (var j = 0; j < list.length; j++) {
        var cl = list[j];
        cl.x = cl.sx / cl.n;
        cl.y = cl.sy / cl.n;
        cl.r = Math.min(26, 9 + 3.2 * Math.log(cl.n + 1));
        ctx.beginPath();
        ctx.arc(cl.x, cl.y, cl.r + 3, 0, 2 * Math.PI);
        ctx.fillStyle = "rgba(255,255,255,0.75)";
        ctx.fill();
        ctx.beginPath();
        ctx.arc(cl.x, cl.y, cl.r, 0, 2 * Math.PI);
        ctx.fillStyle = colours[cl.worst] || "#2466b0";
        ctx.fill();
        ctx.fillStyle = "#ffffff";
        ctx.fillText(String(cl.n), cl.x, cl.y);
      }
      this.clusters = list;
    },

    _drawSelection: function (ctx, map) {
      if (!this.selected) return;
      var p = map.latLngToContainerPoint(this.selected);
      ctx.beginPath();
      ctx.arc(p.x, p.y, 11, 0, 2 * Math.PI);
      ctx.lineWidth = 3;
      ctx.strokeStyle = "#111827";
      ctx.stroke();
      ctx.beginPath();
      ctx.arc(p.x, p.y, 14, 0, 2 * Math.PI);
      ctx.lineWidth = 2;
      ctx.strokeStyle = "#facc15";
      ctx.stroke();
    },

    /* The point or cluster under a container point, topmost first. */
    hit: function (point) {
      var d = this.drawn;
      for (var k = d.index.length - 1; k >= 0; k--) {
        var dx = d.x[k] - point.x;
        var dy = d.y[k] - point.y;
        var r = d.r[k] + HIT_SLOP;
        if (dx * dx + dy * dy <= r * r) return { kind: "case", index: d.index[k] };
      }
      for (var j = this.clusters.length - 1; j >= 0; j--) {
        var c = this.clusters[j];
        var cx = c.x - point.x;
        var cy = c.y - point.y;
        if (cx * cx + cy * cy <= (c.r + HIT_SLOP) * (c.r + HIT_SLOP)) {
          return { kind: "cluster", cluster: c };
        }
      }
      return null;
    },
  });

  /* ------------------------------------------------------------ the page */
  var GridDesk = {
    data: null,
    bridge: null,
    ready: false,
    pendingGrid: null,
    selectedGrid: null,
    gridCounts: {},

    init: function (opts) {
      this.map = opts.map;
      this.grids = opts.grids;
      this.heat = opts.heat;
      this.control = opts.control;
      this.config = opts.config;
      this.texts = opts.config.texts || {};
      this.markerColours = opts.config.markerClasses.map(function (c) { return c.colour; });
      this.gridColours = opts.config.gridClasses.map(function (c) { return c.colour; });
      this.map.attributionControl.setPrefix("Leaflet");
      L.control.scale({ imperial: false }).addTo(this.map);
      var container = this.map.getContainer();
      if (this.config.plain) container.classList.add("griddesk-plain");
      if (!this.config.plain && this.config.mode !== "preview" && this.texts.plain_layer) {
        // Switching the base map off shows the layers on the plain background.
        this.control.addBaseLayer(L.layerGroup(), this.texts.plain_layer);
      }
      this._setupGrids();
      if (this.config.mode === "pick") {
        this._setupPicking();
      } else if (this.config.mode === "cases") {
        this.cases = new CaseLayer(this);
        this.cases.addTo(this.map);
        this.control.addOverlay(this.cases, this.texts.cases_layer || "Cases");
        this._setupCaseEvents();
      }
      this._addLegend();
      if (this.config.plain && this.texts.no_tiles) this._addNote(this.texts.no_tiles);
      // After the legend and the note: the fit leaves them their room.
      this._fitWhenSized();
      this._connect();
      if (this.config.dataUrl) this.loadData(this.config.dataUrl, this.config.dataToken);
      else this.report();
    },

    /* The room the legend (bottom right) and the note (bottom left) take, so no grid
       lies under them after a fit. A legend taller than half the map collapses. */
    _fitPadding: function () {
      var size = this.map.getSize();
      var right = 16;
      var bottom = 16;
      if (this.legendBox) {
        if (!this.legendBox.classList.contains("collapsed") && this.legendBox.offsetHeight > size.y / 2) {
          this.legendBox.classList.add("collapsed");
        }
        right = Math.max(right, this.legendBox.offsetWidth + 24);
      }
      if (this.noteBox && this.noteBox.parentNode) {
        bottom = Math.max(bottom, this.noteBox.offsetHeight + 36);
      }
      if (right > size.x / 2) right = 16;
      return { paddingTopLeft: [16, 16], paddingBottomRight: [right, bottom] };
    },

    /* Fit the grids in view; a page loaded while hidden has no size yet, so wait for one. */
    _fitWhenSized: function () {
      var self = this;
      var bounds = this.config.bounds;
      if (!bounds) return;
      var size = this.map.getSize();
      if (size.x > 0 && size.y > 0) {
        this.map.fitBounds(bounds, this._fitPadding());
        return;
      }
      this.map.setView(L.latLngBounds(bounds).getCenter(), 14);
      this.map.once("resize", function () {
        if (self.config.pick) self.map.setView(self.config.pick, 16);
        else self._fitWhenSized();
      });
    },

    _connect: function () {
      var self = this;
      if (typeof QWebChannel === "undefined" || !window.qt || !qt.webChannelTransport) {
        console.warn("GridDesk: no desktop bridge on this page");
        return;
      }
      new QWebChannel(qt.webChannelTransport, function (channel) {
        self.bridge = channel.objects.bridge;
        self.report();
      });
    },

    /* Tell the desktop what is drawn (also how it knows the page is ready). */
    report: function () {
      if (!this.bridge) return;
      var waitingForData = this.config.dataUrl && !this.data;
      if (waitingForData) return;
      this.ready = true;
      this.bridge.drawn(JSON.stringify(this.stats()));
    },

    stats: function () {
      var c = this.cases;
      var clustered = 0;
      if (c) for (var j = 0; j < c.clusters.length; j++) clustered += c.clusters[j].n;
      return {
        token: this.data ? this.data.token : "",
        total: this.data ? this.data.count : 0,
        points: c ? c.drawn.index.length : 0,
        clusters: c ? c.clusters.length : 0,
        clustered: clustered,
        zoom: this.map.getZoom(),
        grids: this.grids.getLayers().length,
      };
    },

    /* --------------------------------------------------------- data */
    loadData: function (url, token) {
      this.expected = token || null;
      var old = document.getElementById("griddesk-data");
      if (old) old.remove();
      var script = document.createElement("script");
      script.id = "griddesk-data";
      script.src = url;
      script.onerror = function () {
        console.error("GridDesk: the case data could not be loaded: " + url);
      };
      document.head.appendChild(script);
    },

    setData: function (payload) {
      if (this.expected && payload.token !== this.expected) return; // a stale answer
      var n = payload.lat.length;
      var px = new Float64Array(n);
      var py = new Float64Array(n);
      var heat = [];
      var weight = [0.2, 0.25, 0.4, 0.7, 0.6, 0.6, 0.85, 1.0];
      for (var i = 0; i < n; i++) {
        var p = this.map.project([payload.lat[i], payload.lon[i]], 0);
        px[i] = p.x;
        py[i] = p.y;
        heat.push([payload.lat[i], payload.lon[i], weight[payload.cls[i]] || 0.5]);
      }
      this.data = {
        token: payload.token,
        count: n,
        px: px,
        py: py,
        lat: payload.lat,
        lon: payload.lon,
        cls: Uint8Array.from(payload.cls),
        withoutLocation: payload.withoutLocation,
      };
      this.gridCounts = payload.grids || {};
      this._styleGrids();
      this.heat.setLatLngs(heat);
      this._hideTooltip();
      if (this.cases && this.map.hasLayer(this.cases)) this.cases.redraw();
      else this.report();
    },

    /* --------------------------------------------------------- grids */
    _gridStyle: function (feature) {
      var counts = this.gridCounts[feature.properties.id] || [0, 0, 0];
      var selected = feature.properties.id === this.selectedGrid;
      return {
        fillColor: this.gridColours[counts[2]] || this.gridColours[0],
        fillOpacity: 0.45,
        color: selected ? "#1d3557" : "#4a5a6a",
        weight: selected ? 3.5 : 1.2,
      };
    },

    _styleGrids: function () {
      var self = this;
      this.grids.eachLayer(function (layer) {
        layer.setStyle(self._gridStyle(layer.feature));
      });
    },

    _setupGrids: function () {
      var self = this;
      this.grids.options.style = function (feature) { return self._gridStyle(feature); };
      this.grids.eachLayer(function (layer) {
        layer.bindTooltip(function () { return self._gridTooltip(layer.feature); }, {
          sticky: true,
          direction: "top",
          className: "griddesk-tooltip",
        });
        layer.on("click", function () { self.pendingGrid = layer.feature.properties.id; });
      });
      this._styleGrids();
    },

    _gridTooltip: function (feature) {
      var p = feature.properties;
      var box = el("div", "griddesk-tip");
      box.appendChild(el("div", "tip-title", p.name));
      box.appendChild(el("div", "tip-line", [p.street, p.community].filter(Boolean).join(" · ")));
      if (this.config.mode === "cases") {
        var counts = this.gridCounts[p.id] || [0, 0, 0];
        box.appendChild(el("div", "tip-line", fill(this.texts.grid_open || "Open: %1", counts[0])));
        var late = el("div", "tip-line", fill(this.texts.grid_overdue || "Overdue: %1", counts[1]));
        if (counts[1] > 0) late.className += " tip-overdue";
        box.appendChild(late);
      }
      return box;
    },

    selectGrid: function (gridId) {
      this.selectedGrid = gridId;
      this._styleGrids();
    },

    /* --------------------------------------------------------- cases */
    _setupCaseEvents: function () {
      var self = this;
      var map = this.map;
      var scheduled = false;
      var lastEvent = null;
      map.on("mousemove", function (e) {
        lastEvent = e;
        if (scheduled) return;
        scheduled = true;
        window.requestAnimationFrame(function () {
          scheduled = false;
          self._hover(lastEvent);
        });
      });
      map.on("mouseout zoomstart movestart", function () { self._hideTooltip(); });
      map.on("click", function (e) {
        var grid = self.pendingGrid;
        self.pendingGrid = null;
        var hit = self.map.hasLayer(self.cases) ? self.cases.hit(e.containerPoint) : null;
        if (hit && hit.kind === "case") {
          self.openCase(hit.index);
        } else if (hit && hit.kind === "cluster") {
          self._zoomInto(hit.cluster);
        } else if (grid) {
          self.selectGrid(grid);
          if (self.bridge) self.bridge.gridClicked(grid);
        }
      });
    },

    _zoomInto: function (cluster) {
      var d = this.data;
      var bounds = L.latLngBounds([]);
      for (var k = 0; k < cluster.members.length; k++) {
        var i = cluster.members[k];
        bounds.extend([d.lat[i], d.lon[i]]);
      }
      var zoom = Math.min(this.map.getBoundsZoom(bounds), NO_CLUSTER_ZOOM);
      this.map.setView(bounds.getCenter(), Math.max(zoom, this.map.getZoom() + 1));
    },

    openCase: function (index) {
      if (!this.data || index < 0 || index >= this.data.count) return false;
      this.cases.selected = L.latLng(this.data.lat[index], this.data.lon[index]);
      this.cases.redraw();
      if (this.bridge) this.bridge.caseClicked(index, this.data.token);
      return true;
    },

    _hover: function (e) {
      if (!e || !this.cases || !this.map.hasLayer(this.cases)) return;
      var hit = this.cases.hit(e.containerPoint);
      this.map.attributionControl.setPrefix("Leaflet");
      L.control.scale({ imperial: false }).addTo(this.map);
      var container = this.map.getContainer();
      container.classList.toggle("griddesk-pointer", !!hit);
      if (!hit) {
        this._hideTooltip();
        return;
      }
      var key = hit.kind === "case" ? "c" + hit.index : "k" + hit.cluster.x + ":" + hit.cluster.y;
      if (key === this.tipKey) return;
      this.tipKey = key;
      if (hit.kind === "cluster") {
        var box = el("div", "griddesk-tip");
        box.appendChild(el("div", "tip-title", fill(this.texts.cluster || "%1 cases", hit.cluster.n)));
        box.appendChild(el("div", "tip-line", this.texts.cluster_hint || ""));
        this._showTooltip(this.map.containerPointToLatLng([hit.cluster.x, hit.cluster.y]), box);
        return;
      }
      var index = hit.index;
      var at = L.latLng(this.data.lat[index], this.data.lon[index]);
      this.showCaseSummary(index, at);
    },

    showCaseSummary: function (index, at) {
      var self = this;
      var key = "c" + index;
      if (!this.bridge) return;
      this.bridge.caseSummary(index, this.data.token, function (text) {
        if (self.tipKey !== key || !text) return;
        self._showTooltip(at, self.caseTooltip(JSON.parse(text)));
      });
    },

    /* A case's tooltip: every value goes in as text. */
    caseTooltip: function (s) {
      var box = el("div", "griddesk-tip griddesk-case-tip");
      var head = el("div", "tip-head");
      var dot = el("span", "tip-dot");
      dot.style.backgroundColor = this.markerColours[s.cls] || "#2466b0";
      head.appendChild(dot);
      head.appendChild(el("span", "tip-number", s.number));
      box.appendChild(head);
      box.appendChild(el("div", "tip-title", s.title));
      box.appendChild(el("div", "tip-line", s.state));
      if (s.deadline) {
        var due = el("div", "tip-line", s.deadline);
        if (s.overdue) due.className += " tip-overdue";
        box.appendChild(due);
      }
      if (s.category) box.appendChild(el("div", "tip-line tip-muted", s.category));
      if (s.address) box.appendChild(el("div", "tip-line tip-muted", s.address));
      var photos = Array.isArray(s.photos) ? s.photos.slice(0, 3) : [];
      var strip = null;
      for (var p = 0; p < photos.length; p++) {
        /* Only small local JPEGs as data: URIs; never an address to load. */
        if (typeof photos[p] !== "string" || !PHOTO_URI.test(photos[p])) continue;
        if (!strip) strip = el("div", "tip-photos");
        var img = document.createElement("img");
        img.className = "tip-photo";
        img.alt = "";
        img.src = photos[p];
        strip.appendChild(img);
      }
      if (strip) box.appendChild(strip);
      box.appendChild(el("div", "tip-hint", this.texts.click_to_open || ""));
      return box;
    },

    _showTooltip: function (latlng, content) {
      if (!this.tooltip) {
        this.tooltip = L.tooltip({ direction: "top", offset: [0, -8], className: "griddesk-tooltip" });
      }
      this.tooltip.setLatLng(latlng).setContent(content);
      if (!this.map.hasLayer(this.tooltip)) this.tooltip.addTo(this.map);
    },

    _hideTooltip: function () {
      this.tipKey = null;
      if (this.tooltip && this.map.hasLayer(this.tooltip)) this.map.removeLayer(this.tooltip);
      if (this.map) this.map.getContainer().classList.remove("griddesk-pointer");
    },

    /* Centre on a case (from the queue's selection). */
    focus: function (lat, lon, zoom) {
      var at = L.latLng(lat, lon);
      if (this.cases) this.cases.selected = at;
      this.map.setView(at, Math.max(this.map.getZoom(), zoom || 16));
      if (this.cases) this.cases.redraw();
    },

    /* --------------------------------------------------------- picking */
    _setupPicking: function () {
      var self = this;
      this.map.getContainer().classList.add("griddesk-picking");
      this.map.on("click", function (e) {
        self.pendingGrid = null;
        self.setPicked(e.latlng.lat, e.latlng.lng);
        if (self.bridge) self.bridge.pointPicked(e.latlng.lat, e.latlng.lng);
      });
      if (this.config.pick) {
        this.setPicked(this.config.pick[0], this.config.pick[1]);
        this.map.setView(this.config.pick, Math.max(this.map.getZoom(), 16));
      }
      if (this.texts.pick_hint) this._addNote(this.texts.pick_hint);
    },

    setPicked: function (lat, lon) {
      var at = L.latLng(lat, lon);
      if (!this.picked) {
        this.picked = L.circleMarker(at, {
          radius: 9,
          color: "#ffffff",
          weight: 3,
          fillColor: "#d62828",
          fillOpacity: 1,
          interactive: false,
        }).addTo(this.map);
      } else {
        this.picked.setLatLng(at);
      }
    },

    /* --------------------------------------------------------- legend, notes */
    _addLegend: function () {
      var self = this;
      var legend = L.control({ position: "bottomright" });
      legend.onAdd = function () {
        var box = el("div", "griddesk-legend leaflet-control");
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.disableScrollPropagation(box);
        self.legendBox = box;
        // The heading folds the legend away (and opens it again).
        var head = el("div", "legend-head", self.texts.legend || "Legend");
        head.title = self.texts.legend_toggle || "";
        head.addEventListener("click", function () { box.classList.toggle("collapsed"); });
        box.appendChild(head);
        if (self.config.mode === "cases") {
          box.appendChild(el("div", "legend-title", self.texts.legend_cases || "Cases"));
          self.config.markerClasses.slice().reverse().forEach(function (c) {
            var row = el("div", "legend-row");
            var dot = el("span", "legend-dot");
            dot.style.backgroundColor = c.colour;
            row.appendChild(dot);
            row.appendChild(el("span", "", self.texts["class_" + c.code] || c.code));
            box.appendChild(row);
          });
          box.appendChild(el("div", "legend-title", self.texts.legend_grids || "Grids"));
          self.config.gridClasses.forEach(function (c) {
            var row = el("div", "legend-row");
            var swatch = el("span", "legend-swatch");
            swatch.style.backgroundColor = c.colour;
            row.appendChild(swatch);
            row.appendChild(el("span", "", self.texts["grid_" + c.code] || c.code));
            box.appendChild(row);
          });
        }
        return box;
      };
      if (this.config.mode === "cases") legend.addTo(this.map);
    },

    _addNote: function (text) {
      var note = L.control({ position: "bottomleft" });
      var self = this;
      note.onAdd = function () {
        var box = el("div", "griddesk-note leaflet-control", text);
        L.DomEvent.disableClickPropagation(box);
        var close = el("span", "note-close", "\u00d7");
        close.title = self.texts.close_note || "";
        close.addEventListener("click", function () { note.remove(); });
        box.appendChild(close);
        self.noteBox = box;
        return box;
      };
      note.addTo(this.map);
    },
  };

  window.GridDesk = GridDesk;
})();
