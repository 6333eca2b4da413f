// The Otklik heat map as a reusable module: mountMap(element, options) draws the municipality
// boundaries, a heat layer and clustered markers of the messages an API key may read, with a legend
// and a message card in each marker's popup. It calls only the admin API (/api/v1), with the key
// as a bearer token. Needs the globals of Leaflet, leaflet.heat and leaflet.markercluster (loaded
// as classic scripts before this module). Used by /map and by the web console.

/** At most this many points are drawn (pages of 10,000 from GET /api/v1/heatmap). */
export const MAX_SHOWN = 50_000;
const PAGE = 10_000;
const STATUSES = ['new', 'in_work', 'solved', 'explained', 'rejected'];
const EXCERPT = 280;

/** i18next-style {{name}} interpolation and plural keys (key_one, key_few, …) by Intl.PluralRules. */
export function translator(texts, lang) {
  const plural = new Intl.PluralRules(lang);
  return (key, params = {}) => {
    let text = texts[key];
    if (params.count !== undefined && texts[`${key}_${plural.select(params.count)}`] !== undefined) text = texts[`${key}_${plural.select(params.count)}`];
    if (text === undefined) text = texts[`${key}_other`] ?? key;
    return text.replace(/\{\{(\w+)\}\}/g, (_, name) => String(params[name] ?? ''));
  };
}

/** The query string of GET /api/v1/heatmap for the page's filters. */
export function heatmapQuery(filters) {
  const q = new URLSearchParams();
  if (filters.period) q.set('period', filters.period);
  if (filters.municipalityId) q.set('municipalityId', String(filters.municipalityId));
  if (filters.categoryId) q.set('categoryId', String(filters.categoryId));
  if (filters.status === 'overdue') q.set('overdue', 'true');
  else if (filters.status) q.set('status', filters.status);
  return q;
}

/**
 * A message's colour and status name: red «overdue» while it is in work past its deadline; one
 * closed late (still overdue by KPI 7) keeps its own status, solved or explained.
 */
export function markerStatus(m) {
  return m.overdue && m.status === 'in_work' ? 'overdue' : m.status;
}

class ApiError extends Error {
  constructor(status, code) {
    super(`${status} ${code ?? ''}`.trim());
    this.status = status;
  }
}

function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'text') node.textContent = v;
    else if (k === 'class') node.className = v;
    else node.setAttribute(k, v);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

/**
 * options: { apiKey (none: the console session's cookie), lang ('ru' | 'en'), texts (locales/<lang>/map.json), tileUrl, tileAttribution,
 * onUnauthorized() }. Returns { load(filters), municipalities, categories, markerIds(), destroy() }.
 */
export async function mountMap(element, options) {
  const L = window.L;
  const t = translator(options.texts, options.lang);
  // Without a key the console's session cookie (same origin) signs the reads.
  const headers = options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {};
  const api = async (path) => {
    const res = await fetch(`/api/v1${path}`, { headers });
    if (res.status === 401 && options.onUnauthorized) options.onUnauthorized();
    if (!res.ok) throw new ApiError(res.status, (await res.json().catch(() => ({}))).code);
    return res.json();
  };

  // Officials who ask for less motion get no zoom and cluster animations (and every move ends at once).
  const still = typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;
  const map = L.map(element, { preferCanvas: false, zoomControl: true, zoomAnimation: !still, fadeAnimation: !still, markerZoomAnimation: !still }).setView([54.9, 86.8], 7);
  if (options.tileUrl) L.tileLayer(options.tileUrl, { attribution: options.tileAttribution, maxZoom: 19 }).addTo(map);

  const [municipalities, categories] = await Promise.all([api('/municipalities').then((r) => r.items), api('/categories').then((r) => r.items)]);
  const categoryName = new Map(categories.map((c) => [c.id, options.lang === 'en' ? c.titleEn : c.titleRu]));
  const municipalityZone = new Map(municipalities.map((m) => [m.id, m.timeZone]));

  // Boundaries of the municipalities the key may see (the list is already scoped).
  const boundaries = L.featureGroup().addTo(map);
  const boundaryOf = new Map();
  await Promise.all(
    municipalities.filter((m) => m.hasBoundary).map(async (m) => {
      const full = await api(`/municipalities/${m.id}`).catch(() => null);
      if (!full?.boundary) return;
      const layer = L.geoJSON(full.boundary, { style: { color: '#1d4ed8', weight: 2, fill: false, dashArray: '6 4' }, interactive: false });
      layer.addTo(boundaries);
      boundaryOf.set(m.id, layer);
    }),
  );
  if (boundaries.getLayers().length > 0) map.fitBounds(boundaries.getBounds(), { padding: [20, 20] });

  const heat = L.heatLayer([], { radius: 22, blur: 18, maxZoom: 14, minOpacity: 0.35 }).addTo(map);
  const markers = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 50, chunkedLoading: true, animate: !still }).addTo(map);
  L.control.layers(null, { [t('layer_heat')]: heat, [t('layer_markers')]: markers, [t('layer_boundaries')]: boundaries }, { collapsed: true }).addTo(map);
  legend(L, t).addTo(map);

  const date = (iso, zone) => (iso ? new Date(iso).toLocaleString(options.lang === 'en' ? 'en-GB' : 'ru-RU', { timeZone: zone, dateStyle: 'short', timeStyle: 'short' }) : null);
  const photoUrls = [];

  /** The message card in a popup: built from text nodes only, as message texts are residents' input. */
  async function card(id, container) {
    const data = await api(`/messages/${id}`);
    const m = data.message;
    const zone = municipalityZone.get(m.municipalityId) ?? 'Asia/Novokuznetsk';
    const status = markerStatus(m);
    const text = m.text.length > EXCERPT ? `${m.text.slice(0, EXCERPT)}…` : m.text;
    const rows = [
      [t('popup_created'), date(m.createdAt, zone)],
      [t('popup_accepted'), date(m.acceptedAt, zone)],
      [t('popup_closed'), date(m.closedAt, zone)],
      [t('popup_rating'), data.rating ? '★'.repeat(data.rating.stars) : null],
    ].filter(([, v]) => v);
    container.replaceChildren(
      el('div', { class: 'otk-card-title', text: t('popup_message', { id: m.id }) }),
      el('div', { class: `otk-card-status otk-status-${status}`, text: t(`status_${status}`) }),
      // Closed after its 14 days (KPI 7 counts it overdue): the status it has, and the missed deadline apart.
      m.overdue && status !== 'overdue' ? el('div', { class: 'otk-card-late', text: t('popup_late') }) : null,
      el('div', { class: 'otk-card-category', text: categoryName.get(m.categoryId) ?? '' }),
      el('p', { class: 'otk-card-text', text }),
      el('dl', { class: 'otk-card-dates' }, rows.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: v })])),
    );
    if (data.photos.length > 0) {
      const strip = el('div', { class: 'otk-card-photos', 'aria-label': t('popup_photos') });
      container.append(strip);
      for (const photo of data.photos) {
        // The photo route needs the key too: fetch it and show the bytes as a blob URL.
        const res = await fetch(photo.url, { headers }).catch(() => null);
        if (!res?.ok) continue;
        const url = URL.createObjectURL(await res.blob());
        photoUrls.push(url);
        strip.append(el('img', { src: url, alt: t('popup_photos'), class: 'otk-card-photo' }));
      }
    }
  }

  let shownIds = [];
  let markerById = new Map();
  let generation = 0;
  let framed = null;

  /** Loads and draws the messages matching `filters`; returns { count, truncated }. */
  async function load(filters) {
    const mine = ++generation;
    element.dataset.state = 'loading';
    // A change of municipality frames it (or the whole area again); other filters keep the view.
    const area = filters.municipalityId ? Number(filters.municipalityId) : null;
    if (area !== framed) {
      const target = area ? boundaryOf.get(area) : boundaries;
      if (target && target.getLayers().length > 0) map.fitBounds(target.getBounds(), { padding: [20, 20], animate: false });
      framed = area;
    }
    const points = [];
    let cursor = null;
    let truncated = false;
    do {
      const q = heatmapQuery(filters);
      q.set('limit', String(PAGE));
      if (cursor) q.set('cursor', cursor);
      const page = await api(`/heatmap?${q}`);
      if (mine !== generation) return null;
      points.push(...page.features);
      cursor = page.nextCursor;
      truncated = Boolean(cursor) && points.length >= MAX_SHOWN;
    } while (cursor && !truncated);

    markers.clearLayers();
    heat.setLatLngs(points.map((f) => [f.geometry.coordinates[1], f.geometry.coordinates[0], 1]));
    const layer = points.map((f) => {
      const p = f.properties;
      const status = markerStatus(p);
      const marker = L.marker([f.geometry.coordinates[1], f.geometry.coordinates[0]], {
        icon: L.divIcon({ className: `otk-marker otk-status-${status}`, iconSize: [14, 14] }),
        title: `${t('popup_message', { id: p.id })}: ${t(`status_${status}`)}`,
      });
      marker.bindPopup(() => {
        const container = el('div', { class: 'otk-card', 'data-message-id': String(p.id) }, [el('div', { text: t('popup_loading') })]);
        card(p.id, container).catch((error) => container.replaceChildren(el('div', { text: t('load_failed', { error: error.message }) })));
        return container;
      }, { maxWidth: 320, minWidth: 240 });
      return marker;
    });
    markers.addLayers(layer);
    shownIds = points.map((f) => f.properties.id);
    markerById = new Map(shownIds.map((id, i) => [id, layer[i]]));
    element.dataset.state = 'ready';
    element.dataset.markers = String(shownIds.length);
    return { count: shownIds.length, truncated };
  }

  const handle = {
    load,
    municipalities,
    categories,
    /** The ids of the messages drawn (tests and the console read it). */
    markerIds: () => [...shownIds],
    /**
     * Centres a drawn message and opens its card at its place, inside a cluster or not (messages
     * at one address never leave their cluster); false when it is not drawn.
     */
    showMessage(id) {
      const marker = markerById.get(id);
      if (!marker) return false;
      map.setView(marker.getLatLng(), Math.max(map.getZoom(), 15), { animate: false });
      marker.getPopup().setLatLng(marker.getLatLng()).openOn(map);
      return true;
    },
    map,
    destroy() {
      for (const url of photoUrls) URL.revokeObjectURL(url);
      map.remove();
    },
  };
  element.otklikMap = handle;
  return handle;
}

/** The legend folds away (a <details>): open on a wide screen, closed on a phone, where it would cover the map. */
function legend(L, t) {
  const control = L.control({ position: 'bottomright' });
  control.onAdd = (map) => {
    const box = el('details', { class: 'otk-legend leaflet-bar' }, [el('summary', { class: 'otk-legend-title', text: t('legend') })]);
    box.open = map.getContainer().clientWidth >= 600;
    // Taps on the legend must not reach the map below (a click there would close a popup).
    L.DomEvent.disableClickPropagation(box);
    for (const status of [...STATUSES.slice(0, 2), 'overdue', ...STATUSES.slice(2)]) {
      box.append(el('div', { class: 'otk-legend-row' }, [el('span', { class: `otk-marker otk-status-${status}` }), el('span', { text: t(`status_${status}`) })]));
    }
    box.append(el('div', { class: 'otk-legend-row' }, [el('span', { class: 'otk-legend-heat' }), el('span', { text: t('legend_heat') })]));
    box.append(el('div', { class: 'otk-legend-row' }, [el('span', { class: 'otk-legend-boundary' }), el('span', { text: t('legend_boundary') })]));
    return box;
  };
  return control;
}
