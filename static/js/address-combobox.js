// Address suggestions as one types: the WAI-ARIA 1.2 combobox ("list autocomplete with
// manual selection", https://www.w3.org/WAI/ARIA/apg/patterns/combobox/) on the address
// field of priorities/_address_field.html. Suggestions come from the address register
// (GET /api/v1/addresses/?q=…&municipality=…, a GeoJSON FeatureCollection).
//
// Keys: typing suggests (after two characters); ArrowDown/ArrowUp move through the list
// (ArrowDown opens it); Enter picks the highlighted address; Escape closes the list, or
// empties the field when the list is closed. A polite live region says how many addresses
// were found, and which was picked. Without JavaScript the field is a plain text field.
//
// The map hook: a picked address is sent to the map as a "nabolaget:place" CustomEvent on
// the map's element (the element whose id is the wrapper's data-map), with
// detail = { lat, lon, label }. static/js/area-map.js listens for it: the pin form's map
// pins the place (and fills in latitude and longitude), the home page's map looks up the
// areas there. The event bubbles, so a page without a map can listen on the document.

const MIN_CHARACTERS = 2;
const DELAY_MS = 200;

let instances = 0;

function setup(wrapper) {
  const input = wrapper.querySelector("input[type=text], input:not([type])");
  if (!input) return;
  const labels = wrapper.dataset;
  const id = input.id || `address-${++instances}`;
  input.id = id;

  const listbox = document.createElement("ul");
  listbox.id = `${id}-listbox`;
  listbox.className = "address-suggestions";
  listbox.setAttribute("role", "listbox");
  listbox.setAttribute("aria-label", labels.labelList);
  listbox.hidden = true;

  const status = document.createElement("div");
  status.id = `${id}-status`;
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");

  input.after(listbox);
  wrapper.append(status);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", listbox.id);
  input.setAttribute("autocomplete", "off");

  let features = [];
  let active = -1;
  let timer = null;
  let asked = 0;

  function say(text) {
    // A change of text is what a live region announces: the same text twice is said once.
    status.textContent = "";
    window.setTimeout(() => {
      status.textContent = text;
    }, 50);
  }

  function open() {
    if (!features.length) return;
    listbox.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function close() {
    listbox.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    highlight(-1);
  }

  function highlight(index) {
    active = index;
    [...listbox.children].forEach((option, i) => {
      option.setAttribute("aria-selected", String(i === index));
      option.classList.toggle("active", i === index);
    });
    if (index >= 0) {
      const option = listbox.children[index];
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function label(feature) {
    const p = feature.properties;
    const town = [p.postcode, p.post_town].filter(Boolean).join(" ");
    return town ? `${p.text}, ${town}` : p.text;
  }

  function show(found) {
    features = found;
    listbox.replaceChildren(
      ...found.map((feature, i) => {
        const option = document.createElement("li");
        option.id = `${id}-option-${i}`;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.textContent = label(feature);
        // mousedown, not click: the field keeps focus (and the list is not closed by blur).
        option.addEventListener("mousedown", (event) => {
          event.preventDefault();
          pick(i);
        });
        return option;
      }),
    );
    active = -1;
    if (found.length) {
      open();
      say(found.length === 1 ? labels.labelOne : labels.labelMany.replace("{n}", String(found.length)));
    } else {
      close();
      say(labels.labelNone);
    }
  }

  async function suggest() {
    const text = input.value.trim();
    const mine = ++asked;
    if (text.length < MIN_CHARACTERS) {
      features = [];
      listbox.replaceChildren();
      close();
      return;
    }
    const url = new URL(labels.url, window.location.href);
    url.searchParams.set("q", text);
    if (labels.municipality) url.searchParams.set("municipality", labels.municipality);
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      if (mine !== asked) return; // a newer key stroke has asked again
      if (!response.ok) throw new Error(String(response.status));
      const data = await response.json();
      if (mine !== asked) return;
      show(data.features || []);
    } catch {
      if (mine !== asked) return;
      features = [];
      listbox.replaceChildren();
      close();
      say(labels.labelError);
    }
    wrapper.dataset.ready = "true";
  }

  function pick(index) {
    const feature = features[index];
    if (!feature) return;
    input.value = feature.properties.text;
    close();
    const [lon, lat] = feature.geometry.coordinates;
    const place = { lat, lon, label: feature.properties.text };
    const map = document.getElementById(labels.map || "map");
    (map || document).dispatchEvent(new CustomEvent("nabolaget:place", { detail: place, bubbles: true }));
    if (labels.labelChosen) say(labels.labelChosen.replace("{address}", feature.properties.text));
  }

  input.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(suggest, DELAY_MS);
  });

  input.addEventListener("keydown", (event) => {
    const count = features.length;
    const expanded = !listbox.hidden;
    switch (event.key) {
      case "ArrowDown":
        if (!count) return;
        event.preventDefault();
        if (!expanded) open();
        highlight(event.altKey ? Math.max(active, -1) : (active + 1) % count);
        break;
      case "ArrowUp":
        if (!count) return;
        event.preventDefault();
        if (!expanded) open();
        highlight(active <= 0 ? count - 1 : active - 1);
        break;
      case "Enter":
        // Enter on a highlighted address picks it; otherwise the form is sent as it is.
        if (expanded && active >= 0) {
          event.preventDefault();
          pick(active);
        }
        break;
      case "Escape":
        if (expanded) {
          event.preventDefault();
          close();
        } else if (input.value) {
          event.preventDefault();
          input.value = "";
          features = [];
          listbox.replaceChildren();
        }
        break;
      default:
        break;
    }
  });

  input.addEventListener("blur", () => close());
}

document.querySelectorAll("[data-address-combobox]").forEach(setup);
