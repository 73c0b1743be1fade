// The choropleth of participants per 1,000 residents (cases/representation.html): the
// areas of the chosen type, each filled with its class's colour (ColorBrewer "Blues",
// safe for the colour-blind), hatched where there is no rate. The classes come from the
// page (#representation-data, made on the server); the table below the map carries every
// number and each area's class, so the map is never the only way to read them.

function hatch(map) {
  // An SVG pattern in Leaflet's own SVG, for areas without a rate.
  const svg = map.getPanes().overlayPane.querySelector("svg");
  if (!svg || svg.querySelector("#no-rate-hatch")) return;
  const ns = "http://www.w3.org/2000/svg";
  const defs = document.createElementNS(ns, "defs");
  const pattern = document.createElementNS(ns, "pattern");
  for (const [name, value] of Object.entries({ id: "no-rate-hatch", width: "6", height: "6", patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" })) {
    pattern.setAttribute(name, value);
  }
  const line = document.createElementNS(ns, "line");
  for (const [name, value] of Object.entries({ x1: "0", y1: "0", x2: "0", y2: "6", stroke: "#3d4a55", "stroke-width": "1.5" })) {
    line.setAttribute(name, value);
  }
  pattern.append(line);
  defs.append(pattern);
  svg.prepend(defs);
}

async function init() {
  const el = document.getElementById("representation-map");
  const source = document.getElementById("representation-data");
  if (!el || !source || typeof L === "undefined") return;
  const data = JSON.parse(source.textContent);
  const map = L.map(el, { keyboard: true, zoomSnap: 0.5 }).setView([67.28, 14.4], 8);
  el.map = map;
  map.attributionControl.setPrefix(false);
  if (el.dataset.basemapUrl) {
    L.tileLayer(el.dataset.basemapUrl, { attribution: el.dataset.basemapAttribution, maxZoom: 18 }).addTo(map);
  }
  const response = await fetch(el.dataset.areasUrl, { headers: { Accept: "application/json" } });
  if (!response.ok) return;
  const body = await response.json();
  const features = (body.type === "Feature" ? [body] : body.features).filter((f) => f.geometry);
  const layer = L.geoJSON({ type: "FeatureCollection", features }, {
    style: (feature) => {
      const area = data.areas[String(feature.id)];
      const known = area && area.class !== null && area.class !== undefined;
      return {
        color: "#3d4a55",
        weight: 1,
        fillOpacity: known ? 0.85 : 1,
        fillColor: known ? data.colours[area.class] : "url(#no-rate-hatch)",
        className: known ? `representation-area class-${area.class}` : "representation-area no-rate",
      };
    },
    onEachFeature: (feature, shape) => {
      const area = data.areas[String(feature.id)];
      if (area) shape.bindTooltip(area.label);
    },
  }).addTo(map);
  hatch(map);
  const bounds = layer.getBounds();
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [10, 10], animate: false });
  el.dataset.ready = "true";
}

init();
