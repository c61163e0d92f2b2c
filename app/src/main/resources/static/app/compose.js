// Compose a figure from the structured controls, start the job, follow it to its images.
import { api } from './api.js';
import { showProblem } from './problems.js';
import { currentPlan, refreshUser } from './session.js';
import { date, element, label, plural } from './format.js';
import { openImage } from './gallery.js';
import { isSetMode, startSet, updateSetCost } from './variations.js';

const SELECTS = ['pose', 'body_type', 'gender', 'age_range', 'clothing', 'camera_angle', 'shot', 'lighting', 'background', 'style'];
const POLL_MS = 1000;

let config;
let following = null; // the job id being followed

const $ = (id) => document.getElementById(id);

export function setupCompose(clientConfig) {
  config = clientConfig;
  const controls = $('controls');
  for (const name of SELECTS) {
    const choices = config.controls[name] || [];
    const select = element('select', { id: `control-${name}`, name, 'aria-describedby': `control-${name}-hint` },
      element('option', { value: '', text: 'Any (the default)' }),
      ...choices.map((choice) => element('option', { value: choice.value, text: label(choice.value) })));
    const hint = element('p', { id: `control-${name}-hint`, class: 'hint' });
    select.addEventListener('change', () => {
      hint.textContent = phrase(name, select.value) || '';
      updatePreview();
    });
    controls.append(element('div', { class: 'field' }, element('label', { for: select.id, text: label(name) }), select, hint));
  }

  const aspects = $('aspect-choices');
  for (const choice of config.controls.aspect_ratio || []) {
    const [w, h] = choice.value.split(':').map(Number);
    const id = `aspect-${choice.value.replace(':', '-')}`;
    const input = element('input', { type: 'radio', name: 'aspect_ratio', value: choice.value, id });
    const shape = element('span', { class: 'shape', 'aria-hidden': 'true' });
    shape.style.setProperty('--w', w);
    shape.style.setProperty('--h', h);
    aspects.append(element('label', { for: id, class: 'aspect-choice' }, input, shape, element('span', { text: choice.value })));
    input.addEventListener('change', updatePreview);
  }
  aspects.querySelector('input')?.setAttribute('checked', '');

  const prompt = $('prompt');
  prompt.maxLength = config.max_prompt_length;
  prompt.addEventListener('input', () => {
    $('prompt-count').textContent = `${prompt.value.length} of ${config.max_prompt_length} characters`;
    updatePreview();
  });
  $('prompt-count').textContent = `0 of ${config.max_prompt_length} characters`;

  const seed = $('seed');
  seed.max = config.max_seed;
  $('seed-lock').addEventListener('change', (event) => {
    seed.disabled = !event.target.checked;
    if (event.target.checked && seed.value === '') {
      seed.value = String(Math.floor(Math.random() * config.max_seed));
    }
  });

  $('compose-form').addEventListener('submit', (event) => {
    event.preventDefault();
    if (isSetMode()) startSet(request(), $('compose-problem'), $('generate'));
    else generate();
  });
  $('job-cancel').addEventListener('click', cancel);
  updatePreview();
}

function phrase(control, value) {
  return (config.controls[control] || []).find((choice) => choice.value === value)?.phrase;
}

function updatePreview() {
  const parts = SELECTS.map((name) => phrase(name, $(`control-${name}`).value)).filter(Boolean);
  const aspect = document.querySelector('input[name="aspect_ratio"]:checked')?.value;
  const extra = $('prompt').value.trim();
  let text = parts.length ? `A figure: ${parts.join(', ')}.` : 'A standing figure, everything else left to the defaults.';
  if (extra) text += ` Also: “${extra}”.`;
  if (aspect) text += ` Aspect ratio ${aspect}.`;
  $('preview-text').textContent = text;
}

/** Quota and plan limits, fetched fresh each time the view is shown. */
export async function showCompose() {
  const user = await refreshUser();
  const plan = await currentPlan();
  const quota = user.quota;
  const perJob = plan ? plan.images_per_job : 1;
  $('quota').textContent = `${plural(quota.remaining, 'image')} left of ${quota.limit} this period (renews ${date(quota.period_end)}).`
    + ` ${plan ? plan.name : user.plan} plan: up to ${plural(perJob, 'image')} per job, ${plural(plan ? plan.in_flight_jobs : 1, 'job')} at once`
    + (quota.in_flight ? `; ${quota.in_flight} running now.` : '.');
  const count = $('num-images');
  count.max = String(perJob);
  if (Number(count.value) > perJob) count.value = String(perJob);
  $('num-images-hint').textContent = `1 to ${perJob} on your plan.`;
  updateSetCost();
  if (!following) {
    const visibility = user.default_visibility || 'private';
    for (const radio of document.querySelectorAll('input[name="visibility"]')) radio.checked = radio.value === visibility;
  }
}

function request() {
  const body = {};
  for (const name of SELECTS) {
    const value = $(`control-${name}`).value;
    if (value) body[name] = value;
  }
  const aspect = document.querySelector('input[name="aspect_ratio"]:checked');
  if (aspect) body.aspect_ratio = aspect.value;
  const prompt = $('prompt').value.trim();
  if (prompt) body.prompt = prompt;
  body.num_images = Number($('num-images').value) || 1;
  if ($('seed-lock').checked && $('seed').value !== '') body.seed = Number($('seed').value);
  body.visibility = document.querySelector('input[name="visibility"]:checked')?.value || 'private';
  return body;
}

async function generate() {
  const button = $('generate');
  const problem = $('compose-problem');
  showProblem(problem, null);
  button.disabled = true;
  try {
    // One key per click: a repeated submit of the same click cannot start or charge a second job.
    const job = await api('/api/images/generate/', {
      method: 'POST',
      body: request(),
      headers: { 'Idempotency-Key': crypto.randomUUID() },
    });
    following = job.job_id;
    $('job').hidden = false;
    $('job-images').replaceChildren();
    renderJob(job);
    $('job').scrollIntoView({ block: 'start' });
    showCompose().catch(() => {});
    poll(job.job_id);
  } catch (error) {
    showProblem(problem, error);
  } finally {
    button.disabled = false;
  }
}

async function poll(jobId) {
  while (following === jobId) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    if (following !== jobId) return;
    let job;
    try {
      job = await api(`/api/images/job/${jobId}/`);
    } catch (error) {
      $('job-status').textContent = 'Lost touch with the job; trying again…';
      if (error.status === 401 || error.status === 404) return;
      continue;
    }
    renderJob(job);
    if (['succeeded', 'failed', 'canceled'].includes(job.status)) {
      following = null;
      if (job.status === 'succeeded' && !$('seed-lock').checked && job.images[0]) {
        // Locking the seed now repeats this figure.
        $('seed').value = String(job.images[0].seed);
      }
      showCompose().catch(() => {});
      return;
    }
  }
}

const STEPS = [
  ['queued', 'Queued'],
  ['at_fal', 'Waiting at the image service'],
  ['rendering', 'Rendering'],
  ['storing', 'Storing the images'],
  ['done', 'Done'],
];

function stepOf(job) {
  if (['succeeded', 'failed', 'canceled'].includes(job.status)) return 'done';
  const progress = job.progress;
  if (!progress || job.status === 'queued') return 'queued';
  if (progress.images_stored > 0 || progress.fal_status === 'COMPLETED') return 'storing';
  if (progress.fal_status === 'IN_PROGRESS') return 'rendering';
  return 'at_fal';
}

function statusText(job) {
  const progress = job.progress;
  switch (job.status) {
    case 'succeeded':
      return `Done: ${plural(job.images.length, 'image')} ready.`;
    case 'failed':
      return `The job failed: ${job.error?.message || job.error?.code || 'no reason given'}.`;
    case 'canceled':
      return 'Canceled.';
    default:
      break;
  }
  if (!progress) return 'Queued at FigureForge.';
  if (progress.fal_status === 'IN_QUEUE') {
    return progress.queue_position != null
      ? `Waiting at the image service: ${plural(progress.queue_position, 'request')} ahead in line.`
      : 'Waiting at the image service.';
  }
  if (progress.fal_status === 'IN_PROGRESS') return 'Rendering your figure…';
  return `Storing the images: ${progress.images_stored} of ${progress.images_expected}.`;
}

/** What a cancel costs now, or what the job cost once it ended. */
function costText(job) {
  const charged = job.charged_images;
  if (job.status === 'canceled') {
    return job.refunded ? 'Nothing was charged: the images went back to your quota.' : `${plural(charged, 'image')} stayed charged: the image service had started.`;
  }
  if (job.status === 'failed') {
    return job.refunded ? 'Nothing was charged for what failed.' : `${plural(charged, 'image')} charged.`;
  }
  if (job.status === 'succeeded') return `${plural(charged, 'image')} charged to your quota.`;
  const started = job.progress && job.progress.fal_status && job.progress.fal_status !== 'IN_QUEUE';
  return started
    ? `Cancelling now still counts ${plural(charged, 'image')} against your quota: the image service has started.`
    : `Cancelling now costs nothing: the ${plural(charged, 'reserved image')} go back to your quota.`;
}

function renderJob(job) {
  const current = stepOf(job);
  const index = STEPS.findIndex(([id]) => id === current);
  $('job-steps').replaceChildren(...STEPS.map(([id, text], i) => {
    const item = element('li', { class: i < index ? 'past' : i === index ? 'current' : 'future', dataset: { step: id } },
      id === 'done' && i === index ? `${text}: ${job.status}` : text);
    if (i === index) item.setAttribute('aria-current', 'step');
    return item;
  }));
  const status = $('job-status');
  status.textContent = statusText(job);
  status.dataset.status = job.status;
  $('job-cost').textContent = costText(job);
  $('job-cancel').hidden = ['succeeded', 'failed', 'canceled'].includes(job.status);
  const grid = $('job-images');
  for (const image of job.images || []) {
    if (grid.querySelector(`[data-image-id="${image.id}"]`)) continue;
    const thumb = element('button', { type: 'button', class: 'thumb', dataset: { imageId: image.id } },
      element('img', { src: image.thumbnail_url, alt: `Figure ${grid.children.length + 1} of this job`, width: image.width, height: image.height }));
    thumb.addEventListener('click', () => openImage(image, { own: true, request: job.request, opener: thumb }));
    grid.append(thumb);
  }
}

async function cancel() {
  const jobId = following;
  if (!jobId) return;
  $('job-cancel').disabled = true;
  try {
    const job = await api(`/api/images/job/${jobId}/`, { method: 'DELETE' });
    renderJob(job);
    $('job-status').textContent = 'Cancelling…';
  } catch (error) {
    showProblem($('compose-problem'), error);
  } finally {
    $('job-cancel').disabled = false;
  }
}
