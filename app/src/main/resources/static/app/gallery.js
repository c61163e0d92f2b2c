// My images and the public gallery: a responsive grid, paged with the API's cursor as the end of the
// grid scrolls into view (or with "Load more"), and a lightbox with the image and its request.
import { api } from './api.js';
import { showProblem } from './problems.js';
import { isSignedIn } from './auth.js';
import { dateTime, element, label } from './format.js';

export const PAGE_SIZE = 12;

const SOURCES = {
  mine: { path: '/api/images/user/', auth: true, empty: 'No images yet. Compose your first figure.' },
  gallery: { path: '/api/images/gallery/', auth: false, empty: 'The public gallery is empty so far.' },
};

const state = {};
let config;
let lightboxImage = null;
let lightboxRequest = null;
let lightboxOwn = false;
let lightboxOpener = null;

const $ = (id) => document.getElementById(id);

export function setupGalleries(clientConfig) {
  config = clientConfig;
  for (const kind of Object.keys(SOURCES)) {
    const more = $(`${kind}-more`);
    more.addEventListener('click', () => loadPage(kind));
    // Infinite scroll: the "Load more" button coming into view loads the next page.
    new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting) && !more.hidden) loadPage(kind);
    }, { rootMargin: '400px' }).observe(more);
  }
  $('lightbox-close').addEventListener('click', () => $('lightbox').close());
  $('lightbox').addEventListener('close', () => {
    lightboxImage = null;
    lightboxOpener?.focus();
  });
  $('lightbox-visibility').addEventListener('click', toggleVisibility);
  $('lightbox-delete').addEventListener('click', deleteImage);
  $('report-form').addEventListener('submit', (event) => {
    event.preventDefault();
    report();
  });
  $('report-reason').replaceChildren(...(config.report_reasons || []).map((reason) => element('option', { value: reason, text: label(reason) })));
}

/** One page of My images (`mine`) or the public gallery (`gallery`): `{items, next_cursor}`. */
export function fetchImagePage(kind, cursor, limit = PAGE_SIZE) {
  const source = SOURCES[kind];
  const query = new URLSearchParams({ limit: String(limit) });
  if (cursor) query.set('cursor', cursor);
  return api(`${source.path}?${query}`, { auth: source.auth });
}

/** Shows a grid from its first page (again): new images appear, deleted ones go. */
export async function showGallery(kind) {
  state[kind] = { items: new Map(), cursor: null, loading: false, done: false };
  $(`${kind}-grid`).replaceChildren();
  $(`${kind}-status`).textContent = '';
  await loadPage(kind);
}

async function loadPage(kind) {
  const page = state[kind];
  if (!page || page.loading || page.done) return;
  page.loading = true;
  const source = SOURCES[kind];
  const status = $(`${kind}-status`);
  status.textContent = 'Loading…';
  try {
    const answer = await fetchImagePage(kind, page.cursor);
    if (state[kind] !== page) return; // the view was shown again meanwhile
    const grid = $(`${kind}-grid`);
    for (const image of answer.items) {
      if (page.items.has(image.id)) continue;
      page.items.set(image.id, image);
      grid.append(thumbnail(kind, image));
    }
    page.cursor = answer.next_cursor;
    page.done = !answer.next_cursor;
    $(`${kind}-more`).hidden = page.done;
    status.textContent = page.items.size === 0 ? source.empty : `${page.items.size} images shown${page.done ? ', all there are.' : '.'}`;
  } catch (error) {
    status.textContent = '';
    showProblem($('notice'), error);
    return; // "Load more" tries again
  } finally {
    page.loading = false;
  }
  // The observer reports only changes: while the end of the grid stays in view, keep filling.
  if (state[kind] === page && !page.done && nearViewport($(`${kind}-more`))) {
    requestAnimationFrame(() => loadPage(kind));
  }
}

function nearViewport(node) {
  const box = node.getBoundingClientRect();
  return box.height > 0 && box.top < window.innerHeight + 400;
}

function thumbnail(kind, image) {
  const button = element('button', { type: 'button', class: 'thumb', dataset: { imageId: image.id, visibility: image.visibility } },
    element('img', { src: image.thumbnail_url, alt: altText(image), loading: 'lazy', width: image.width, height: image.height }));
  button.addEventListener('click', () => openImage(image, { own: kind === 'mine', opener: button }));
  return button;
}

function altText(image) {
  const prompt = image.prompt || 'Figure';
  return prompt.length > 140 ? `${prompt.slice(0, 137)}…` : prompt;
}

/** Opens the lightbox; `request` is the job's structured request when the caller already has it. */
export async function openImage(image, { own, request, opener }) {
  lightboxImage = image;
  lightboxRequest = request || null;
  lightboxOwn = own;
  lightboxOpener = opener || null;
  const dialog = $('lightbox');
  const picture = $('lightbox-image');
  picture.src = image.url;
  picture.alt = altText(image);
  $('lightbox-download').href = image.url;
  showProblem($('lightbox-problem'), null);
  $('lightbox-status').textContent = '';
  renderRequest(image, request);
  renderActions();
  if (!dialog.open) dialog.showModal();
  if (own && !request && image.job_id) {
    try {
      const job = await api(`/api/images/job/${image.job_id}/`);
      if (lightboxImage === image) {
        lightboxRequest = job.request;
        renderRequest(image, job.request);
      }
    } catch {
      // The prompt and seed shown already describe the image; the structured request is a bonus.
    }
  }
}

function renderRequest(image, request) {
  const rows = [];
  const add = (term, value) => {
    if (value !== undefined && value !== null && value !== '') rows.push(element('dt', { text: term }), element('dd', { text: String(value) }));
  };
  if (request) {
    for (const [name, value] of Object.entries(request)) {
      if (['prompt', 'seed', 'visibility', 'num_images'].includes(name) || value === null) continue;
      add(label(name), typeof value === 'string' ? (name === 'aspect_ratio' ? value : label(value)) : value);
    }
  }
  add('Prompt', image.prompt);
  add('Seed', image.seed);
  add('Size', `${image.width} × ${image.height}`);
  add('Created', dateTime(image.created_at));
  add('Visibility', image.visibility === 'public' ? 'Public' : 'Only you');
  if (image.moderation === 'pending_review') add('Review', 'Held for review after reports');
  $('lightbox-request').replaceChildren(...rows);
}

function renderActions() {
  const image = lightboxImage;
  const visibility = $('lightbox-visibility');
  visibility.hidden = !lightboxOwn;
  visibility.textContent = image.visibility === 'public' ? 'Make private' : 'Make public';
  $('lightbox-delete').hidden = !lightboxOwn;
  $('report-form').hidden = lightboxOwn || !isSignedIn();
}

function replaceEverywhere(updated) {
  for (const page of Object.values(state)) {
    if (page.items.has(updated.id)) page.items.set(updated.id, updated);
  }
  for (const node of document.querySelectorAll(`[data-image-id="${updated.id}"]`)) node.dataset.visibility = updated.visibility;
}

async function toggleVisibility() {
  const image = lightboxImage;
  const wanted = image.visibility === 'public' ? 'private' : 'public';
  const button = $('lightbox-visibility');
  button.disabled = true;
  try {
    const updated = await api(`/api/images/${image.id}/`, { method: 'PATCH', body: { visibility: wanted } });
    lightboxImage = updated;
    replaceEverywhere(updated);
    renderRequest(updated, lightboxRequest);
    renderActions();
    $('lightbox-status').textContent = wanted === 'public' ? 'Now public: it is in the gallery.' : 'Now private: only you see it.';
  } catch (error) {
    showProblem($('lightbox-problem'), error);
  } finally {
    button.disabled = false;
  }
}

async function deleteImage() {
  const image = lightboxImage;
  if (!window.confirm('Delete this image everywhere? Its quota is not given back.')) return;
  try {
    await api(`/api/images/${image.id}/`, { method: 'DELETE' });
    for (const page of Object.values(state)) page.items.delete(image.id);
    for (const node of document.querySelectorAll(`[data-image-id="${image.id}"]`)) node.remove();
    lightboxOpener = null;
    $('lightbox').close();
  } catch (error) {
    showProblem($('lightbox-problem'), error);
  }
}

async function report() {
  const image = lightboxImage;
  try {
    await api(`/api/images/${image.id}/report/`, { method: 'POST', body: { reason: $('report-reason').value } });
    $('lightbox-status').textContent = 'Thank you: the image is reported and a moderator will look at it.';
    $('report-form').hidden = true;
  } catch (error) {
    showProblem($('lightbox-problem'), error);
  }
}
