// The area map: draws a municipality's areas by type, and finds the areas under
// a clicked point (or under the map centre, for keyboard users) through the API.
// Works with no basemap: the areas themselves are the map.

const TYPE_STYLES = {
  kommune: { color: "#1b3a4b", weight: 3, fill: false },
  skolekrets: { color: "#1f5fa8", weight: 1.5, fillColor: "#4a90d9", fillOpacity: 0.12 },
  grend: { color: "#2e7d32", weight: 1, dashArray: "4 3", fillColor: "#66bb6a", fillOpacity: 0.1 },
};
const FALLBACK_STYLE = { color: "#6a1b9a", weight: 1, fillOpacity: 0.08 };

// The controls' texts in the page's language ({% map_texts %}: Leaflet and Leaflet.draw
// have them in English only). Set before any control is made: Leaflet.draw reads
// L.drawLocal when a toolbar or a drawing tool starts.
const TEXTS = (() => {
  const element = document.getElementById("map-texts");
  return element ? JSON.parse(element.textContent) : null;
})();

function mergeTexts(target, source) {
  for (const [key, value] of Object.entries(source)) {
    if (value && typeof value === "object") mergeTexts((target[key] = target[key] || {}), value);
    else target[key] = value;
  }
}

function localiseControls() {
  if (!TEXTS) return;
  L.Control.Zoom.prototype.options.zoomInTitle = TEXTS.zoomIn;
  L.Control.Zoom.prototype.options.zoomOutTitle = TEXTS.zoomOut;
  if (L.drawLocal) mergeTexts(L.drawLocal, { draw: TEXTS.draw, edit: TEXTS.edit });
}

// Leaflet titles the layers control's button "Layers" in its own code.
function addLayersControl(map, overlays) {
  const control = L.control.layers(null, overlays, { collapsed: false }).addTo(map);
  const toggle = control.getContainer().querySelector(".leaflet-control-layers-toggle");
  if (toggle && TEXTS) toggle.title = TEXTS.layers;
  return control;
}

function escapeHtml(text) {
  const span = document.createElement("span");
  span.textContent = text;
  return span.innerHTML;
}

// The areas' names on the map, once it is close enough for them to fit (zoom 11 and in).
function labelAreas(map, layer) {
  layer.eachLayer((area) => {
    area.bindTooltip(area.feature.properties.name, {
      permanent: true, direction: "center", className: "area-label", interactive: false,
    });
  });
  const show = () => {
    layer.eachLayer((area) => (map.getZoom() >= 11 ? area.openTooltip() : area.closeTooltip()));
  };
  map.on("zoomend", show);
  show();
}

function styleFor(feature) {
  return TYPE_STYLES[feature.properties.type] || FALLBACK_STYLE;
}

// Area features carry their type's name in the request's language (type_name).

function featuresOf(data) {
  return data.type === "Feature" ? [data] : data.features;
}

function areaLink(template, feature) {
  const link = document.createElement("a");
  link.href = template.replace(/0\/$/, `${feature.id}/`);
  link.textContent = feature.properties.name;
  return link;
}

async function drawAreas(map, el) {
  const response = await fetch(el.dataset.areasUrl, { headers: { Accept: "application/json" } });
  if (!response.ok) return;
  const features = featuresOf(await response.json());
  const byType = new Map();
  for (const feature of features) {
    if (!feature.geometry) continue;
    const type = feature.properties.type;
    if (!byType.has(type)) byType.set(type, []);
    byType.get(type).push(feature);
  }
  const overlays = {};
  let bounds = null;
  for (const [type, list] of byType) {
    const typeName = list[0].properties.type_name || type;
    const layer = L.geoJSON({ type: "FeatureCollection", features: list }, {
      style: (feature) => ({ ...styleFor(feature), className: `area area-${type}` }),
      interactive: false,
    }).addTo(map);
    // The layers control is the map's key: each type with a swatch of how it is drawn.
    overlays[`<span class="legend-swatch legend-${escapeHtml(type)}" aria-hidden="true"></span>${escapeHtml(typeName)}`] = layer;
    if (el.dataset.areaLabels === type) labelAreas(map, layer);
    bounds = bounds ? bounds.extend(layer.getBounds()) : layer.getBounds();
  }
  // At once, not animated: "ready" below means the view is where it will stay.
  if (bounds && bounds.isValid()) map.fitBounds(bounds, { padding: [10, 10], animate: false });
  if (byType.size > 1) addLayersControl(map, overlays);
  el.dataset.ready = "true";
  return Object.values(overlays);
}

// The planner's map: areas shaded by how many priorities match the filter.
async function setupChoropleth(el, layers) {
  if (!el.dataset.choroplethUrl || !layers) return;

  const response = await fetch(el.dataset.choroplethUrl, { headers: { Accept: "application/json" } });
  if (!response.ok) return;
  const counts = new Map((await response.json()).map((row) => [row.area, row.count]));
  const most = Math.max(1, ...counts.values());
  const shade = (count) => 0.08 + 0.72 * (count / most);
  const number = new Intl.NumberFormat(document.documentElement.lang || undefined);
  for (const group of layers) {
    group.eachLayer((layer) => {
      const count = counts.get(layer.feature.id) || 0;
      layer.setStyle({ fillColor: "#0b5394", fillOpacity: shade(count), weight: 1 });
      layer.bindTooltip(`${layer.feature.properties.name}: ${number.format(count)}`);
    });
  }
  drawChoroplethLegend(document.getElementById("choropleth-legend"), most, shade, number);
  el.dataset.choroplethReady = "true";
}

// The choropleth's key: five shades from none to the most, with the numbers they stand for.
// The shade goes into an SVG attribute, so it is written with a decimal point (toFixed).
function drawChoroplethLegend(legend, most, shade, number) {
  if (!legend) return;
  const steps = [...new Set([0, 0.25, 0.5, 0.75, 1].map((f) => Math.round(f * most)))];
  const list = document.createElement("ul");
  for (const count of steps) {
    const item = document.createElement("li");
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("width", "22");
    svg.setAttribute("height", "16");
    svg.setAttribute("aria-hidden", "true");
    const rect = document.createElementNS("http://www.w3.org/2000/svg", "rect");
    for (const [name, value] of Object.entries({ x: "1", y: "1", width: "20", height: "14", fill: "#0b5394", stroke: "#3d4a55" })) {
      rect.setAttribute(name, value);
    }
    rect.setAttribute("fill-opacity", shade(count).toFixed(2));
    svg.append(rect);
    item.append(svg, ` ${number.format(count)}`);
    list.append(item);
  }
  const caption = document.createElement("p");
  caption.textContent = legend.dataset.label;
  legend.replaceChildren(caption, list);
}


function setupLookup(map, el) {
  const result = document.getElementById("lookup-result");
  const centreButton = document.getElementById("lookup-centre");
  if (!result || !el.dataset.lookupUrl) return;
  let marker = null;

  async function lookup(latlng) {
    if (marker) marker.remove();
    marker = L.circleMarker(latlng, { radius: 7, color: "#b00020", weight: 3 }).addTo(map);
    const url = `${el.dataset.lookupUrl}?contains=${latlng.lng.toFixed(6)},${latlng.lat.toFixed(6)}&geometry=false`;
    result.replaceChildren();
    // The point looked up, in the fixed notation of the request (never the locale's), so that
    // what is named can be checked against the very point asked about.
    result.dataset.point = `${latlng.lng.toFixed(6)},${latlng.lat.toFixed(6)}`;
    delete result.dataset.done;
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error(response.statusText);
      const features = featuresOf(await response.json());
      if (features.length === 0) {
        result.textContent = result.dataset.labelNone;
        return;
      }
      const heading = document.createElement("p");
      heading.textContent = result.dataset.labelFound;
      const list = document.createElement("ul");
      for (const feature of features) {
        const item = document.createElement("li");
        item.append(areaLink(el.dataset.areaUrl, feature), ` (${feature.properties.type_name})`);

        list.append(item);
      }
      result.append(heading, list);
    } catch {
      result.textContent = result.dataset.labelError;
    } finally {
      result.dataset.done = "true";
    }
  }

  map.on("click", (event) => lookup(event.latlng));
  centreButton?.addEventListener("click", () => lookup(map.getCenter()));
  // An address picked in the address field (address-combobox.js): look up the areas there.
  el.addEventListener("nabolaget:place", ({ detail }) => {
    map.setView([detail.lat, detail.lon], Math.max(map.getZoom(), 14));
    lookup(L.latLng(detail.lat, detail.lon));
  });
}

// Priorities in the viewport: clusters when zoomed out, coloured points when zoomed in.
function setupPriorities(map, el) {
  const url = el.dataset.prioritiesUrl;
  if (!url) return;
  const layer = L.layerGroup().addTo(map);
  let request = 0;
  async function refresh() {
    const bounds = map.getBounds();
    const bbox = [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()]
      .map((v, i) => Math.max(i % 2 ? -90 : -180, Math.min(i % 2 ? 90 : 180, v)).toFixed(5))
      .join(",");
    const mine = ++request;
    const response = await fetch(`${url}&bbox=${bbox}&zoom=${Math.round(map.getZoom())}`, {
      headers: { Accept: "application/json" },
    });
    if (!response.ok || mine !== request) return;
    const data = await response.json();
    layer.clearLayers();
    for (const feature of data.features) {
      const [lon, lat] = feature.geometry.coordinates;
      const p = feature.properties;
      if (p.cluster) {
        const size = 24 + Math.min(24, Math.log10(p.count + 1) * 10);
        L.marker([lat, lon], {
          icon: L.divIcon({ className: "cluster-icon", html: String(p.count), iconSize: [size, size] }),
          keyboard: false,
        })
          .on("click", () => map.setView([lat, lon], Math.min(map.getZoom() + 2, 18)))
          .addTo(layer);
      } else {
        const link = document.createElement("a");
        link.href = p.url;
        link.textContent = p.title;
        L.circleMarker([lat, lon], { radius: 7, color: "#fff", weight: 2, fillColor: p.colour, fillOpacity: 0.95 })
          .bindPopup(link)
          .addTo(layer);
      }
    }
    el.dataset.prioritiesReady = "true";
    // For the list of what is in view (setupInViewList), which keeps in step with the map.
    el.dispatchEvent(new CustomEvent("priorities-shown", { detail: data }));
  }
  map.on("moveend", refresh);
  refresh();
}

// The priority form: a click on the map fills in latitude and longitude.
function setupPicker(map, el) {
  if (el.dataset.pick !== "true") return;
  const lat = document.getElementById("id_lat");
  const lon = document.getElementById("id_lon");
  let marker = null;
  function place(latlng) {
    if (marker) marker.remove();
    marker = L.circleMarker(latlng, { radius: 8, color: "#b00020", weight: 3 }).addTo(map);
  }
  if (lat.value && lon.value) place([Number(lat.value), Number(lon.value)]);
  map.on("click", (event) => {
    lat.value = event.latlng.lat.toFixed(6);
    lon.value = event.latlng.lng.toFixed(6);
    place(event.latlng);
  });
  // An address picked in the address field (address-combobox.js): pin it as a click would.
  el.addEventListener("nabolaget:place", ({ detail }) => {
    map.setView([detail.lat, detail.lon], Math.max(map.getZoom(), 15));
    map.fire("click", { latlng: L.latLng(detail.lat, detail.lon) });
  });
}

// The pin form's status line (a polite live region): what just happened to the pin.
function announcePin(status, key) {
  if (!status) return;
  // A new text node each time, so that the same message twice is announced twice.
  status.replaceChildren(document.createTextNode(status.dataset[key] || ""));
}

// The pin form with the keyboard or on a phone: a crosshair at the map's centre while the
// map has the keyboard focus (the arrow keys pan it), a button that sets the pin there,
// and "use my location" (the browser's geolocation, with a message when it is refused or
// unavailable). Each pins the way a click does (setupPicker), and says so in a live region.
function setupPinControls(map, el) {
  if (el.dataset.pick !== "true") return;
  const status = document.getElementById("pin-status");
  let message = "labelPlaced";
  function place(latlng, said = "labelPlaced") {
    message = said;
    map.fire("click", { latlng: L.latLng(latlng) });
  }
  map.on("click", () => {
    announcePin(status, message);
    message = "labelPlaced";
  });
  const crosshair = L.DomUtil.create("div", "map-crosshair", map.getContainer());
  crosshair.setAttribute("aria-hidden", "true");
  document.getElementById("pin-centre")?.addEventListener("click", () => place(map.getCenter()));
  const locate = document.getElementById("pin-locate");
  locate?.addEventListener("click", () => {
    if (!("geolocation" in navigator) || !window.isSecureContext) {
      announcePin(status, "labelUnsupported");
      return;
    }
    announcePin(status, "labelLocating");
    locate.disabled = true;
    navigator.geolocation.getCurrentPosition(
      (position) => {
        locate.disabled = false;
        const latlng = L.latLng(position.coords.latitude, position.coords.longitude);
        map.setView(latlng, Math.max(map.getZoom(), 15));
        place(latlng, "labelLocated");
      },
      (error) => {
        locate.disabled = false;
        announcePin(status, error.code === error.PERMISSION_DENIED ? "labelRefused" : "labelUnavailable");
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
    );
  });
  el.dataset.pinReady = "true";
}

// The submission form: draw a point, a line or an area; the GeoJSON goes into the form.
function setupDraw(map, el) {
  if (el.dataset.draw !== "true" || !L.Control.Draw) return;
  const field = document.getElementById("id_geometry");
  const drawn = new L.FeatureGroup().addTo(map);
  map.addControl(
    new L.Control.Draw({
      edit: { featureGroup: drawn, remove: true },
      draw: { circle: false, circlemarker: false, rectangle: false },
    }),
  );
  function save() {
    const layers = drawn.getLayers();
    field.value = layers.length ? JSON.stringify(layers[layers.length - 1].toGeoJSON().geometry) : "";
  }
  map.on(L.Draw.Event.CREATED, (event) => {
    drawn.clearLayers();
    drawn.addLayer(event.layer);
    save();
  });
  map.on(L.Draw.Event.EDITED, save);
  map.on(L.Draw.Event.DELETED, save);
}

// The case map: each layer (the case's geometry, uploaded and derived layers) is drawn from
// its GeoJSON and shown or hidden with its checkbox beside the map (keyboard-usable).
const LAYER_STYLES = {
  areas: { color: "#1f5fa8", weight: 1.5, fillColor: "#4a90d9", fillOpacity: 0.1 },
  case: { color: "#b00020", weight: 3, fillOpacity: 0.12 },
  uploaded: { color: "#6a1b9a", weight: 3, dashArray: "6 4", fillOpacity: 0.08 },
  derived: { color: "#0b5394", weight: 2 },
};

// A property value as a link target only if it is an http(s) URL: an uploaded layer's
// properties are anyone's text, and "javascript:", "data:" or "vbscript:" there would run
// or open something on a click. Relative URLs (our own pages) resolve against this page.
function httpUrl(value) {
  if (typeof value !== "string" || !value.trim()) return null;
  let url;
  try {
    url = new URL(value.trim(), window.location.href);
  } catch {
    return null;
  }
  return url.protocol === "http:" || url.protocol === "https:" ? url : null;
}

// A feature's popup, as text nodes (never HTML from the properties). A link to another
// site shows its host beside the label (IDNs in their ASCII form), so that a phishing URL
// behind a friendly title is visible before the click.
function popupContent(p) {
  const label = p.title || p.name || p.layer;
  if (!label) return null;
  const url = httpUrl(p.url);
  if (!url) {
    const text = document.createElement("span");
    text.textContent = String(label);
    if (p.url) text.append(document.createElement("br"), String(p.url));
    return text;
  }
  const link = document.createElement("a");
  link.href = url.href;
  link.rel = "noopener noreferrer";
  link.textContent = String(label);
  if (url.origin !== window.location.origin) {
    const host = document.createElement("span");
    host.className = "popup-host";
    host.textContent = ` (${url.host} ↗)`;
    link.append(host);
  }
  return link;
}

async function setupCaseLayers(map, el) {
  if (el.dataset.caseLayers !== "true") return;
  const toggles = [...document.querySelectorAll(".layer-toggle")];
  let bounds = null;
  await Promise.all(
    toggles.map(async (toggle) => {
      const response = await fetch(toggle.dataset.url, { headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const style = LAYER_STYLES[toggle.dataset.kind] || LAYER_STYLES.derived;
      const colour = toggle.dataset.colour || style.color;
      const layer = L.geoJSON(await response.json(), {
        style: () => style,
        pointToLayer: (feature, latlng) =>
          L.circleMarker(latlng, { radius: 7, color: "#fff", weight: 2, fillColor: colour, fillOpacity: 0.95 }),
        onEachFeature: (feature, featureLayer) => {
          const content = popupContent(feature.properties || {});
          if (content) featureLayer.bindPopup(content);
        },
      });
      if (toggle.checked) layer.addTo(map);
      const layerBounds = layer.getBounds();
      if (layerBounds.isValid()) bounds = bounds ? bounds.extend(layerBounds) : L.latLngBounds(layerBounds.getSouthWest(), layerBounds.getNorthEast());
      toggle.addEventListener("change", () => {
        if (toggle.checked) layer.addTo(map);
        else layer.remove();
        toggle.dataset.shown = String(toggle.checked);
      });
      toggle.dataset.shown = String(toggle.checked);
    }),
  );
  if (bounds && bounds.isValid()) map.fitBounds(bounds, { maxZoom: 15, padding: [15, 15], animate: false });
  el.dataset.ready = "true";
}

// The keyboard's (and a screen reader's) way through what the map shows: the clusters and
// points in the current view as a list of buttons (a cluster zooms in) and links (a point
// opens its priority), rebuilt after every move, and a polite live region that says how
// many priorities are in view.
const IN_VIEW_LIMIT = 100;

function setupInViewList(map, el) {
  const section = document.getElementById("in-view");
  if (!section) return;
  const list = document.getElementById("in-view-list");
  const status = document.getElementById("in-view-status");
  const more = document.getElementById("in-view-more");
  const labels = section.dataset;
  const counted = (n, one, other) => (n === 1 ? one : other).replace("{n}", String(n));

  el.addEventListener("priorities-shown", (event) => {
    const features = event.detail.features;
    // A cluster list from the button that was just used: keep the focus in the list.
    const hadFocus = list.contains(document.activeElement);
    const items = [];
    let total = 0;
    for (const feature of features) {
      const [lon, lat] = feature.geometry.coordinates;
      const p = feature.properties;
      const item = document.createElement("li");
      if (p.cluster) {
        total += p.count;
        const button = document.createElement("button");
        button.type = "button";
        button.className = "secondary";
        button.textContent = counted(p.count, labels.labelClusterOne, labels.labelClusterOther);
        button.addEventListener("click", () => map.setView([lat, lon], Math.min(map.getZoom() + 2, 18)));
        item.append(button);
        item.dataset.count = String(p.count);
      } else {
        total += 1;
        const link = document.createElement("a");
        link.href = p.url;
        link.textContent = p.title;
        item.append(link);
        item.dataset.count = "1";
      }
      items.push(item);
    }
    list.replaceChildren(...items.slice(0, IN_VIEW_LIMIT));
    more.hidden = items.length <= IN_VIEW_LIMIT;
    more.textContent = more.hidden ? "" : labels.labelMore.replace("{n}", String(IN_VIEW_LIMIT));
    const text = total === 0 ? labels.labelNone : counted(total, labels.labelOne, labels.labelOther);
    status.replaceChildren(document.createTextNode(text));
    section.dataset.total = String(total);
    section.dataset.updates = String(Number(section.dataset.updates || 0) + 1);
    if (hadFocus && !list.contains(document.activeElement)) {
      (list.querySelector("button, a") || document.getElementById("in-view-heading")).focus();
    }
  });
}

function init() {
  const el = document.getElementById("map");
  if (!el || typeof L === "undefined") return;
  localiseControls();
  const map = L.map(el, { keyboard: true, zoomSnap: 0.5 }).setView([67.28, 14.4], 8);
  // The map instance on its element, for page scripts and browser tests.
  el.map = map;
  map.attributionControl.setPrefix(false);
  if (el.dataset.basemapUrl) {
    L.tileLayer(el.dataset.basemapUrl, {
      attribution: el.dataset.basemapAttribution,
      maxZoom: 18,
    }).addTo(map);
  }
  if (el.dataset.point) {
    const [lon, lat] = el.dataset.point.split(",").map(Number);
    const marker = L.circleMarker([lat, lon], { radius: 8, color: "#b00020", weight: 3 }).addTo(map);
    map.setView([lat, lon], 12);
    // The areas around the point, for orientation without a basemap.
    if (el.dataset.areasUrl) {
      drawAreas(map, el).then(() => {
        marker.bringToFront();
        map.setView([lat, lon], 12);
      });
      return;
    }
    el.dataset.ready = "true";
  }

  if (el.dataset.geometry) {
    const shape = L.geoJSON(JSON.parse(el.dataset.geometry), { style: { color: "#b00020", weight: 3 } }).addTo(map);
    map.fitBounds(shape.getBounds(), { maxZoom: 14, padding: [20, 20], animate: false });
    el.dataset.ready = "true";
  }
  setupLookup(map, el);
  setupPicker(map, el);
  setupPinControls(map, el);
  setupInViewList(map, el);
  setupDraw(map, el);
  setupCaseLayers(map, el);

  if (el.dataset.areasUrl) {
    drawAreas(map, el).then((layers) => {
      setupPriorities(map, el);
      setupChoropleth(el, layers);
    });
  }
}

init();
