// Variation sets: compose's "Variation set" mode sweeps one control over chosen values (everything
// else and the seed locked), then a contact sheet (#set/<id>) fills in as each job finishes.
import { startGestureSession } from './gesture.js';
import { api } from './api.js';
import { showProblem } from './problems.js';
import { session } from './session.js';
import { element, label, plural } from './format.js';
import { openImage } from './gallery.js';

/** The controls the API lets a set vary, as POST /api/images/variations/ documents them. */
export const SWEEPABLE = ['lighting', 'camera_angle', 'pose', 'body_type'];
export const MIN_VALUES = 2;
export const MAX_VALUES = 8;
const POLL_MS = 1000;

let config;
let watching = null; // the set id the contact sheet follows
let shown = null; // the set as last answered

const $ = (id) => document.getElementById(id);

export function setupVariations(clientConfig) {
  // A finished set is a ready-made gesture session: the same figure under each value, in order.
  $('set-session').addEventListener('submit', (event) => {
    event.preventDefault();
    const images = setImages();
    if (images.length) startGestureSession(images, { seconds: Number($('set-session-seconds').value) });
  });
  config = clientConfig;
  const vary = element('select', { id: 'set-vary', name: 'vary' },
    ...SWEEPABLE.map((name) => element('option', { value: name, text: label(name) })));
  const options = element('div', { id: 'set-options', class: 'set-options', hidden: true },
    element('div', { class: 'field' }, element('label', { for: 'set-vary', text: 'Vary' }), vary),
    element('fieldset', { id: 'set-values', class: 'set-values' }),
    element('p', { id: 'set-cost', class: 'hint', role: 'status' }));
  const mode = element('fieldset', { class: 'set-mode' },
    element('legend', { text: 'What to make' }),
    modeChoice('single', 'One job', true),
    modeChoice('set', 'Variation set: one control swept, everything else and the seed locked'));
  $('variation-mode').replaceChildren(mode, options);
  vary.addEventListener('change', () => {
    renderValues();
    lockVariedControl();
  });
  $('num-images').addEventListener('input', updateSetCost);
  renderValues();
}

function modeChoice(value, text, checked = false) {
  const input = element('input', { type: 'radio', name: 'make', value, checked });
  input.addEventListener('change', () => {
    $('set-options').hidden = !isSetMode();
    $('generate').textContent = isSetMode() ? 'Make the set' : 'Generate';
    lockVariedControl();
    updateSetCost();
  });
  return element('label', {}, input, ` ${text}`);
}

export function isSetMode() {
  return document.querySelector('input[name="make"]:checked')?.value === 'set';
}

/** The varied control comes from the values, so its own select is set aside while making a set. */
function lockVariedControl() {
  for (const name of SWEEPABLE) {
    const select = $(`control-${name}`);
    if (select) select.disabled = isSetMode() && name === $('set-vary').value;
  }
}

function renderValues() {
  const control = $('set-vary').value;
  const boxes = (config.controls[control] || []).map((choice, i) => {
    const input = element('input', { type: 'checkbox', name: 'set-value', value: choice.value, checked: i < 3 });
    input.addEventListener('change', () => {
      showProblem($('compose-problem'), null); // a refusal of the earlier ticks no longer applies
      updateSetCost();
    });
    return element('label', { class: 'set-value' }, input, ` ${label(choice.value)}`);
  });
  $('set-values').replaceChildren(
    element('legend', { text: `Values (${MIN_VALUES} to ${MAX_VALUES})` }), ...boxes);
  updateSetCost();
}

function chosenValues() {
  return [...document.querySelectorAll('input[name="set-value"]:checked')].map((box) => box.value);
}

/** The set's cost (values x images per job) against what the period has left. */
export function updateSetCost() {
  const cost = $('set-cost');
  if (!cost) return;
  const values = chosenValues().length;
  const perJob = Number($('num-images').value) || 1;
  const total = values * perJob;
  const remaining = session.user?.quota?.remaining;
  let text = `${plural(values, 'value')} × ${plural(perJob, 'image')} = ${plural(total, 'image')}`;
  if (remaining !== undefined) text += ` of the ${remaining} left this period`;
  text += '.';
  if (values < MIN_VALUES || values > MAX_VALUES) text += ` Tick ${MIN_VALUES} to ${MAX_VALUES} values.`;
  else if (remaining !== undefined && total > remaining) text += ' That is more than you have left: the set would be refused.';
  cost.textContent = text;
  cost.dataset.over = String(remaining !== undefined && total > remaining);
}

/** Starts the set from compose's request; the varied control is left out of the base. */
export async function startSet(base, problem, button) {
  const vary = $('set-vary').value;
  const body = { ...base, vary, values: chosenValues() };
  delete body[vary];
  showProblem(problem, null);
  button.disabled = true;
  try {
    // One key per click, as for a single job: a repeated submit cannot start or charge a second set.
    const set = await api('/api/images/variations/', {
      method: 'POST',
      body,
      headers: { 'Idempotency-Key': crypto.randomUUID() },
    });
    shown = set;
    location.hash = `#set/${set.set_id}`;
  } catch (error) {
    showProblem(problem, error);
  } finally {
    button.disabled = false;
  }
}

/** The contact sheet of a set: polled until every job has finished. */
export async function showSet(setId) {
  watching = setId;
  if (shown?.set_id !== setId) {
    shown = null;
    $('set-sheet').replaceChildren();
    $('set-summary').textContent = '';
  }
  $('set-status').textContent = 'Loading…';
  while (watching === setId) {
    let set;
    try {
      set = await api(`/api/images/variations/${setId}/`);
    } catch (error) {
      $('set-status').textContent = '';
      showProblem($('notice'), error);
      if (error.status === 401 || error.status === 404) return;
      await pause();
      continue;
    }
    if (watching !== setId) return;
    shown = set;
    renderSet(set);
    if (set.status === 'finished') return;
    await pause();
  }
}

/** Stops following when another view is shown. */
export function leaveSet() {
  watching = null;
}

function pause() {
  return new Promise((resolve) => setTimeout(resolve, POLL_MS));
}

function renderSet(set) {
  const done = set.jobs.filter((job) => ['succeeded', 'failed', 'canceled'].includes(job.status)).length;
  $('set-title').textContent = `${label(set.vary)}: ${set.values.map(label).join(', ')}`;
  $('set-summary').textContent = `Everything else the same, seed ${set.seed}; ${plural(set.num_images, 'image')} per value,`
    + ` ${plural(set.charged_images, 'image')} charged.`;
  const status = $('set-status');
  status.textContent = set.status === 'finished' ? `Done: ${done} of ${set.jobs.length} finished.` : `${done} of ${set.jobs.length} finished…`;
  status.dataset.status = set.status;
  $('set-session').hidden = !set.jobs.some((job) => job.images.length);
  const sheet = $('set-sheet');
  for (const job of set.jobs) {
    let cell = sheet.querySelector(`[data-job-id="${job.job_id}"]`);
    if (!cell) {
      cell = element('figure', { class: 'sheet-cell', dataset: { jobId: job.job_id, value: job.value } },
        element('div', { class: 'sheet-images' }),
        element('figcaption', {}, element('strong', { text: label(job.value) }), element('span', { class: 'hint' })));
      sheet.append(cell);
    }
    cell.dataset.status = job.status;
    cell.querySelector('figcaption .hint').textContent = cellStatus(job);
    const images = cell.querySelector('.sheet-images');
    if (!job.images.length) {
      if (!images.children.length) images.append(element('div', { class: 'pending', text: job.status === 'failed' ? 'Failed' : 'Rendering…' }));
      else if (job.status !== 'succeeded') images.firstElementChild.textContent = cellStatus(job);
      continue;
    }
    if (images.querySelector('.pending')) images.replaceChildren();
    for (const image of job.images) {
      if (images.querySelector(`[data-image-id="${image.id}"]`)) continue;
      const thumb = element('button', { type: 'button', class: 'thumb', dataset: { imageId: image.id } },
        element('img', { src: image.thumbnail_url, alt: `${label(set.vary)}: ${label(job.value)}`, width: image.width, height: image.height }));
      thumb.addEventListener('click', () => openImage(image, { own: true, request: { ...set.request, [set.vary]: job.value }, opener: thumb }));
      images.append(thumb);
    }
  }
}

function cellStatus(job) {
  switch (job.status) {
    case 'succeeded': return 'Done';
    case 'failed': return `Failed: ${job.error?.message || job.error?.code || 'no reason given'}`;
    case 'canceled': return 'Canceled';
    case 'running': return 'Rendering…';
    default: return 'Queued';
  }
}

/**
 * The set's images, in the order of its values, labelled by value: what a gesture session (or any
 * other viewer) needs to step through a set.
 */
export function setImages(set = shown) {
  if (!set) return [];
  return set.jobs.flatMap((job) => job.images.map((image) => ({
    url: image.url,
    alt: `${label(set.vary)}: ${label(job.value)}`,
    label: label(job.value),
  })));
}
