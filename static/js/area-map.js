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
    overlays[typeName] = layer;
    bounds = bounds ? bounds.extend(layer.getBounds()) : layer.getBounds();
  }
  if (bounds && bounds.isValid()) map.fitBounds(bounds, { padding: [10, 10] });
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
  for (const group of layers) {
    group.eachLayer((layer) => {
      const count = counts.get(layer.feature.id) || 0;
      layer.setStyle({ fillColor: "#0b5394", fillOpacity: 0.08 + 0.72 * (count / most), weight: 1 });
    });
  }
  el.dataset.choroplethReady = "true";
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
    }
  }

  map.on("click", (event) => lookup(event.latlng));
  centreButton?.addEventListener("click", () => lookup(map.getCenter()));
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
  if (bounds && bounds.isValid()) map.fitBounds(bounds, { maxZoom: 15, padding: [15, 15] });
  el.dataset.ready = "true";
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
    map.fitBounds(shape.getBounds(), { maxZoom: 14, padding: [20, 20] });
    el.dataset.ready = "true";
  }
  setupLookup(map, el);
  setupPicker(map, el);
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
