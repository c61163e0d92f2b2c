// The artists' web client: signs in, composes figures, follows jobs, shows galleries. Plain ES modules.
import { configureAuth, completeSignIn, isSignedIn, onAuthChange, signIn, signOut } from './auth.js';
import { notify, refreshUser, session } from './session.js';
import { setupCompose, showCompose } from './compose.js';
import { setupGalleries, showGallery } from './gallery.js';
import { showPlans } from './plans.js';
import { setupGesture, showGestureSetup } from './gesture.js';
import { leaveSet, setupVariations, showSet } from './variations.js';
import { resumeAccount } from './account.js';

const VIEWS = ['signed-out', 'compose', 'mine', 'gallery', 'plans', 'session', 'set'];
const NEEDS_SIGN_IN = new Set(['compose', 'mine', 'plans', 'set']);

function currentView() {
  // #set/<id> is a variation set's contact sheet.
  const name = location.hash.replace(/^#/, '').replace(/^set\/.*/, 'set') || (isSignedIn() ? 'compose' : 'gallery');
  return VIEWS.includes(name) ? name : 'gallery';
}

async function render() {
  const name = currentView();
  const shown = NEEDS_SIGN_IN.has(name) && !isSignedIn() ? 'signed-out' : name;
  for (const view of VIEWS) {
    document.getElementById(`view-${view}`).hidden = view !== shown;
  }
  for (const link of document.querySelectorAll('[data-nav]')) {
    if (link.dataset.nav === name) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  document.getElementById('sign-in').hidden = isSignedIn();
  document.getElementById('sign-out').hidden = !isSignedIn();
  if (!isSignedIn()) document.getElementById('who').textContent = '';
  document.title = `${document.querySelector(`#view-${shown} h1`).textContent} · FigureForge`;
  if (shown !== 'set') leaveSet();
  try {
    if (shown === 'set') await showSet(location.hash.slice('#set/'.length));
    else if (shown === 'compose') await showCompose();
    else if (shown === 'mine') await showGallery('mine');
    else if (shown === 'gallery') await showGallery('gallery');
    else if (shown === 'plans') await showPlans();
    else if (shown === 'session') showGestureSetup();
  } catch (error) {
    notify(error);
  }
}

function moveFocusToView() {
  const heading = document.querySelector('.view:not([hidden]) h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus();
  }
}

async function start() {
  const response = await fetch('/config.json', { headers: { Accept: 'application/json' } });
  session.config = await response.json();
  configureAuth(session.config.auth);
  setupCompose(session.config);
  setupGalleries(session.config);
  setupGesture();
  setupVariations(session.config);

  for (const button of document.querySelectorAll('#sign-in, [data-action="sign-in"]')) {
    button.addEventListener('click', () => signIn());
  }
  document.getElementById('sign-out').addEventListener('click', () => {
    session.user = null;
    signOut();
  });
  onAuthChange((signedIn, reason) => {
    if (!signedIn) {
      session.user = null;
      notify(reason === 'expired' ? 'Your session has ended. Please sign in again.' : 'You are signed out.');
      render();
    }
  });
  window.addEventListener('hashchange', async () => {
    notify(null);
    await render();
    moveFocusToView();
  });

  try {
    const returnTo = await completeSignIn();
    if (returnTo !== null) {
      await refreshUser();
      // Straight to composing, without a hashchange (the first render follows).
      if (!returnTo) history.replaceState(null, '', '/#compose');
    }
  } catch (error) {
    notify(error);
  }
  // Back from Stripe, or from a sign-in a step asked for: finish that (it may leave for the sign-in).
  if (await resumeAccount().catch((error) => notify(error))) return;
  document.getElementById('loading').hidden = true;
  await render();
}

start().catch((error) => {
  document.getElementById('loading').textContent = `FigureForge could not start: ${error.message}`;
});
