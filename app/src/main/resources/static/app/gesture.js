// Timed gesture sessions: a setup screen, a full-window player with a countdown, sound cues, pause, skip
// and keyboard shortcuts, and an end sheet of what was drawn. Any list of {url, alt, label} can be drawn
// from (startGestureSession), so a variation set can start one as well as the galleries.
import { fetchImagePage } from './gallery.js';
import { isSignedIn } from './auth.js';
import { showProblem } from './problems.js';
import { element, plural } from './format.js';

const MAX_POSES = 100;
const MIN_SECONDS = 2;
const MAX_SECONDS = 3600;
const TICK_MS = 100;

const $ = (id) => document.getElementById(id);

let run = null; // the session on screen: images, options, index, records, clock
let last = null; // the images and options of the last session, for "Again"
let audio = null;

export function setupGesture() {
  const form = $('session-form');
  for (const radio of form.querySelectorAll('input[name="session_duration"]')) {
    radio.addEventListener('change', () => {
      $('session-seconds').disabled = !$('session-duration-custom').checked;
    });
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    startFromForm();
  });
  $('session-again').addEventListener('click', () => {
    if (last) startGestureSession(last.images, { ...last.options, seed: randomSeed() });
  });
  $('session-back').addEventListener('click', () => {
    $('session-summary').hidden = true;
    form.hidden = false;
    $('session-start').focus();
  });

  const player = $('session-player');
  $('player-pause').addEventListener('click', togglePause);
  $('player-skip').addEventListener('click', () => run && showPose(run.index + 1));
  $('player-previous').addEventListener('click', () => run && run.index > 0 && showPose(run.index - 1));
  $('player-fullscreen').addEventListener('click', toggleFullscreen);
  $('player-end').addEventListener('click', finish);
  // Esc: the dialog's own cancel (also when the browser closes it without asking).
  player.addEventListener('cancel', (event) => {
    event.preventDefault();
    finish();
  });
  player.addEventListener('close', () => run && finish());
  document.addEventListener('keydown', onKey);
  document.addEventListener('fullscreenchange', () => {
    $('player-fullscreen').textContent = document.fullscreenElement ? 'Leave full screen' : 'Full screen';
  });
  // Leaving the view (the browser's back button) ends a running session.
  window.addEventListener('hashchange', () => {
    if (run && location.hash !== '#session') finish();
  });
}

/** The setup screen (again): My images needs a sign-in. */
export function showGestureSetup() {
  const mine = $('session-source-mine');
  mine.disabled = !isSignedIn();
  $('session-mine-hint').hidden = isSignedIn();
  if (mine.disabled && mine.checked) document.querySelector('input[name="session_source"][value="gallery"]').checked = true;
}

function formOptions() {
  const choice = document.querySelector('input[name="session_duration"]:checked').value;
  const seconds = choice === 'custom' ? Number($('session-seconds').value) : Number(choice);
  const count = Number($('session-count').value);
  if (!Number.isInteger(seconds) || seconds < MIN_SECONDS || seconds > MAX_SECONDS) {
    throw new Error(`The time per pose must be a whole number of seconds from ${MIN_SECONDS} to ${MAX_SECONDS}.`);
  }
  if (!Number.isInteger(count) || count < 1 || count > MAX_POSES) {
    throw new Error(`The number of poses must be from 1 to ${MAX_POSES}.`);
  }
  return { seconds, count, shuffle: $('session-shuffle').checked, sound: $('session-sound').checked, seed: randomSeed() };
}

async function startFromForm() {
  const problem = $('session-problem');
  const status = $('session-status');
  showProblem(problem, null);
  let options;
  try {
    options = formOptions();
  } catch (error) {
    showProblem(problem, error);
    return;
  }
  prepareAudio(options.sound); // inside the click: browsers let audio start only from a gesture
  const kind = document.querySelector('input[name="session_source"]:checked').value;
  const button = $('session-start');
  button.disabled = true;
  status.textContent = 'Loading images…';
  try {
    // A shuffle draws from a larger pool than the poses it needs, so it differs from the newest few.
    const wanted = options.shuffle ? Math.min(MAX_POSES, Math.max(options.count, options.count * 3)) : options.count;
    const images = await collectImages(kind, wanted);
    if (images.length === 0) {
      throw new Error(kind === 'mine' ? 'You have no images yet: compose some first, or draw from the public gallery.' : 'The public gallery is empty so far.');
    }
    status.textContent = images.length < options.count ? `Only ${plural(images.length, 'image')} to draw from.` : '';
    startGestureSession(images, options);
  } catch (error) {
    status.textContent = '';
    showProblem(problem, error);
  } finally {
    button.disabled = false;
  }
}

/** Pages through My images or the public gallery with the API's cursor until `wanted` or the end. */
async function collectImages(kind, wanted) {
  const images = [];
  const seen = new Set();
  let cursor = null;
  do {
    const page = await fetchImagePage(kind, cursor, Math.min(MAX_POSES, wanted - images.length));
    for (const image of page.items) {
      if (seen.has(image.id) || images.length >= wanted) continue;
      seen.add(image.id);
      const text = image.prompt || 'Figure';
      images.push({ url: image.url, thumbnail_url: image.thumbnail_url, alt: text, label: text.length > 80 ? `${text.slice(0, 77)}…` : text });
    }
    cursor = page.next_cursor;
  } while (cursor && images.length < wanted);
  return images;
}

function randomSeed() {
  return Math.floor(Math.random() * 2 ** 32);
}

/** A seeded Fisher-Yates shuffle (mulberry32): the same seed gives the same order. */
export function shuffled(items, seed) {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

/**
 * Starts a session over `images` ([{url, alt, label, thumbnail_url?}]): `options` are `seconds` per
 * pose, `count` poses at most, `shuffle` with `seed`, and `sound`. Call it from a click, for the sound.
 */
export function startGestureSession(images, { seconds = 60, count = images.length, shuffle = false, seed = randomSeed(), sound = true } = {}) {
  const options = { seconds, count, shuffle, seed, sound };
  stopClock(); // a session still running is replaced, not left ticking
  last = { images, options };
  prepareAudio(sound);
  const order = (shuffle ? shuffled(images, seed) : images).slice(0, Math.max(1, count));
  run = { order, options, index: -1, records: [], paused: false, loading: false, remaining: 0, segmentStart: null, timer: null };
  // Started from another view (a variation set): the end sheet is shown in this one.
  if (location.hash !== '#session') location.hash = 'session';
  const player = $('session-player');
  player.dataset.state = 'running';
  $('player-pause').textContent = 'Pause';
  if (!player.open) player.showModal();
  showPose(0);
  $('player-pause').focus();
}

function showPose(index) {
  if (!run) return;
  stopClock();
  if (index >= run.order.length) {
    finish();
    return;
  }
  const image = run.order[index];
  run.index = index;
  run.records[index] ??= { image, spent: 0 };
  run.remaining = run.options.seconds * 1000;
  run.shownSeconds = null;
  run.warned = false;
  const picture = $('player-image');
  picture.alt = image.alt || image.label || 'Figure';
  picture.src = image.url;
  $('player-pose').textContent = `Pose ${index + 1} of ${run.order.length}`;
  $('session-player').dataset.pose = String(index + 1);
  $('player-previous').disabled = index === 0;
  renderCountdown(run.remaining);
  announce(`Pose ${index + 1} of ${run.order.length}: ${duration(run.options.seconds)}.`);
  // The clock starts when the image is there to draw from, not while it loads.
  run.loading = true;
  const current = run;
  picture.decode().catch(() => {}).finally(() => {
    if (run !== current || run.index !== index) return;
    run.loading = false;
    if (!run.paused) startClock();
  });
  const next = run.order[index + 1];
  if (next) new Image().src = next.url; // preloaded while this pose is drawn
}

function startClock() {
  run.segmentStart = performance.now();
  run.timer = setInterval(tick, TICK_MS);
}

/** Stops the clock, adding the time the pose was on screen and running (up to its time) to its record. */
function stopClock() {
  if (!run || run.segmentStart === null) return;
  // A late tick (a busy or throttled tab) does not count as more drawing time than the pose had.
  const elapsed = Math.min(run.remaining, performance.now() - run.segmentStart);
  run.records[run.index].spent += elapsed;
  run.remaining = Math.max(0, run.remaining - elapsed);
  run.segmentStart = null;
  clearInterval(run.timer);
  run.timer = null;
}

function tick() {
  const left = run.remaining - (performance.now() - run.segmentStart);
  if (left <= 0) {
    cue('switch');
    showPose(run.index + 1);
    return;
  }
  renderCountdown(left);
}

function renderCountdown(leftMs) {
  const seconds = Math.ceil(leftMs / 1000);
  if (seconds === run.shownSeconds) return;
  run.shownSeconds = seconds;
  $('player-countdown').textContent = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
  const full = run.options.seconds;
  if (seconds === full) return;
  // A screen reader hears the whole minutes and the last ten seconds, not every second.
  if (seconds % 60 === 0) announce(`${plural(seconds / 60, 'minute')} left.`);
  else if (seconds === 10) announce('10 seconds left.');
  const warnAt = Math.min(10, Math.floor(full / 3));
  if (!run.warned && warnAt > 0 && seconds <= warnAt) {
    run.warned = true;
    cue('warning');
  }
}

function togglePause() {
  if (!run) return;
  run.paused = !run.paused;
  if (run.paused) stopClock();
  else if (!run.loading) startClock();
  $('player-pause').textContent = run.paused ? 'Resume' : 'Pause';
  $('session-player').dataset.state = run.paused ? 'paused' : 'running';
  announce(run.paused ? 'Paused.' : 'Running.');
}

const KEYS = { ' ': togglePause, arrowright: () => showPose(run.index + 1), n: () => showPose(run.index + 1),
  arrowleft: () => run.index > 0 && showPose(run.index - 1), f: toggleFullscreen };

function onKey(event) {
  if (!run || event.altKey || event.ctrlKey || event.metaKey) return;
  const action = KEYS[event.key.toLowerCase()];
  if (!action) return;
  event.preventDefault(); // Space on a focused button would also click it
  action();
}

async function toggleFullscreen() {
  if (document.fullscreenElement) {
    await document.exitFullscreen().catch(() => {});
    return;
  }
  try {
    if (!document.fullscreenEnabled) throw new Error('not enabled');
    await document.documentElement.requestFullscreen();
  } catch {
    announce('Full screen is not available here: the window stays as it is.');
  }
}

function announce(text) {
  $('player-announce').textContent = text;
}

/** WebAudio only: nothing to load, and where audio is missing or blocked the session runs silent. */
function prepareAudio(sound) {
  if (!sound) return;
  try {
    audio ??= new AudioContext();
    audio.resume().catch(() => {});
  } catch {
    audio = null;
  }
}

function cue(kind) {
  if (!audio || !run?.options.sound) return;
  try {
    const at = audio.currentTime;
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.type = 'sine';
    tone.frequency.value = kind === 'switch' ? 880 : 523;
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.3, at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + (kind === 'switch' ? 0.45 : 0.2));
    tone.connect(gain).connect(audio.destination);
    tone.start(at);
    tone.stop(at + 0.5);
  } catch {
    // No sound this time; the countdown still shows the time.
  }
}

function finish() {
  if (!run) return;
  stopClock();
  const ended = run;
  run = null;
  if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
  const player = $('session-player');
  player.dataset.state = 'ended';
  if (player.open) player.close();
  renderSummary(ended);
}

function renderSummary(ended) {
  const shown = ended.records.filter(Boolean);
  const total = shown.reduce((sum, record) => sum + record.spent, 0);
  $('summary-total').textContent = `${plural(shown.length, 'pose')} in ${duration(Math.round(total / 1000))}, ${duration(ended.options.seconds)} each.`;
  $('summary-poses').replaceChildren(...shown.map((record, index) => {
    const seconds = Math.round(record.spent / 1000);
    return element('li', { class: 'summary-pose' },
      element('img', { src: record.image.thumbnail_url || record.image.url, alt: record.image.alt || '', loading: 'lazy' }),
      element('span', { class: 'summary-label', text: `${index + 1}. ${record.image.label || 'Figure'}` }),
      element('span', { class: 'summary-time', text: seconds === 0 ? 'under 1 s' : duration(seconds) }));
  }));
  $('session-form').hidden = true;
  $('session-summary').hidden = false;
  $('summary-title').focus();
}

/** 90 -> "1 min 30 s" */
function duration(seconds) {
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  if (minutes === 0) return `${rest} s`;
  return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
}
