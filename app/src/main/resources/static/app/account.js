// The account's money and its end: upgrade through Stripe Checkout, change plan, the billing portal, and
// deleting the account. Checkout and the portal are full-page trips to Stripe; tokens live in memory only,
// so what the page was doing waits in sessionStorage and the trip back signs in again to finish it.
import { api } from './api.js';
import { isSignedIn, signIn, signOut } from './auth.js';
import { showProblem } from './problems.js';
import { allPlans, notify, refreshUser, session } from './session.js';
import { date, element } from './format.js';

const $ = (id) => document.getElementById(id);

const RETURN_KEY = 'figureforge.billing-return';
const AFTER_SIGN_IN_KEY = 'figureforge.after-sign-in';
const NOTICE_KEY = 'figureforge.notice';
/** Subscription statuses with a live subscription: its plan changes in place, never by a second checkout. */
const LIVE = new Set(['active', 'trialing', 'past_due']);

let onChanged = async () => {};

export function subscribed(user) {
  return LIVE.has(user.subscription_status);
}

/** Where Stripe sends the browser back: this page, with what happened in the query. */
function backHere(what) {
  return `${location.origin}/?billing=${what}`;
}

function busy(button, promise) {
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  return promise.finally(() => {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  });
}

/**
 * The profile once `shows(user)` (at most ~10 s): a read may answer from a record a few seconds old (the
 * API's read cache), and the subscription workflow may write a moment after the answer.
 */
async function userWhen(shows) {
  let user = await refreshUser();
  for (let tries = 0; !shows(user) && tries < 10; tries++) {
    await new Promise((resolve) => { setTimeout(resolve, 1000); });
    user = await refreshUser();
  }
  return user;
}

function clearMessages() {
  notify(null);
  showProblem($('billing-problem'), null);
}

function status(text) {
  $('billing-status').textContent = text;
}

/** A billing problem in plain words; a 409 already_subscribed carries its portal link, offered here. */
function showBillingProblem(error) {
  const box = $('billing-problem');
  showProblem(box, error);
  const portal = error?.problem?.portal_url;
  if (portal) {
    box.append(element('p', {}, element('a', { class: 'button', href: portal, id: 'problem-portal' }, 'Open the billing portal')));
  }
}

/** The button a plan card offers the signed-in person, or null (their own plan, a free plan). */
export function planAction(plan, user, current) {
  if (plan.id === user.plan || !plan.price_cents) return null;
  if (!subscribed(user)) {
    const button = element('button', { type: 'button', class: 'primary', dataset: { checkout: plan.id } }, `Upgrade to ${plan.name}`);
    button.addEventListener('click', () => busy(button, startCheckout(plan)));
    return element('p', { class: 'plan-action' }, button,
      element('span', { class: 'hint' }, ` Paid on Stripe's checkout page; ${plan.monthly_images} images a month from then on.`));
  }
  const upgrade = !current || plan.monthly_images > current.monthly_images;
  const button = element('button', { type: 'button', class: upgrade ? 'primary' : '', dataset: { change: plan.id } },
    upgrade ? `Upgrade to ${plan.name} now` : `Switch to ${plan.name} at period end`);
  button.addEventListener('click', () => busy(button, changePlan(plan)));
  const hint = upgrade
    ? ' Starts now with the larger quota; you pay the difference for the rest of this period.'
    : ` You keep ${current?.name || 'your plan'} until ${date(user.quota?.period_end)}; then ${plan.name} starts.`;
  return element('p', { class: 'plan-action' }, button, element('span', { class: 'hint' }, hint));
}

async function startCheckout(plan) {
  clearMessages();
  status(`Opening Stripe's checkout for ${plan.name}…`);
  try {
    const checkout = await api('/api/subscriptions/checkout/', {
      method: 'POST',
      // The API adds session_id={CHECKOUT_SESSION_ID} to the success URL.
      body: { plan: plan.id, success_url: backHere('success'), cancel_url: backHere('canceled') },
    });
    location.assign(checkout.checkout_url);
  } catch (error) {
    status('');
    // Subscribed meanwhile (another tab): the cards turn into plan changes, the problem stays in view.
    showBillingProblem(error);
    if (error.problem?.code === 'already_subscribed') {
      await userWhen(subscribed).then(onChanged).catch(() => {});
      showBillingProblem(error);
    }
  }
}

async function changePlan(plan) {
  clearMessages();
  status(`Changing to ${plan.name}…`);
  try {
    const change = await api('/api/subscriptions/change/', { method: 'POST', body: { plan: plan.id } });
    await userWhen((user) => user.plan === change.plan);
    await onChanged();
    if (change.outcome === 'scheduled') {
      status(`${plan.name} starts on ${date(change.effective_at)}. Until then your plan and quota stay as they are.`);
    } else if (change.outcome === 'changed') {
      status(`You are on ${plan.name} now: ${plan.monthly_images} images a month.`);
    } else {
      status(`Nothing to change: you are on ${plan.name} already (a switch waiting for the period end was dropped).`);
    }
  } catch (error) {
    status('');
    showBillingProblem(error);
  }
}

async function openPortal() {
  clearMessages();
  status('Opening the billing portal…');
  try {
    const portal = await api('/api/subscriptions/portal/', { method: 'POST', body: { return_url: backHere('portal') } });
    location.assign(portal.portal_url);
  } catch (error) {
    status('');
    showBillingProblem(error);
  }
}

/** Fills the account parts of the Plan view for this person. */
export function showAccount(user) {
  $('billing-manage').hidden = !user.subscription_status || user.subscription_status === 'none';
  status('');
  showProblem($('billing-problem'), null);
}

export function setupAccount(refreshPlans) {
  onChanged = refreshPlans;
  const manage = $('manage-billing');
  manage.addEventListener('click', () => busy(manage, openPortal()));
  $('delete-account').addEventListener('click', openDeleteDialog);
  $('delete-cancel').addEventListener('click', () => $('delete-dialog').close());
  $('delete-dialog').addEventListener('close', () => $('delete-account').focus());
  $('delete-confirm').addEventListener('input', () => {
    $('delete-submit').disabled = $('delete-confirm').value.trim() !== session.user?.username;
  });
  $('delete-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const submit = $('delete-submit');
    if ($('delete-confirm').value.trim() === session.user?.username) busy(submit, deleteAccount());
  });
}

function openDeleteDialog() {
  $('delete-username').textContent = session.user?.username || '';
  $('delete-confirm').value = '';
  $('delete-submit').disabled = true;
  showProblem($('delete-dialog-problem'), null);
  $('delete-dialog').showModal();
  $('delete-confirm').focus();
}

async function deleteAccount() {
  const problem = $('delete-dialog-problem');
  showProblem(problem, null);
  try {
    await api('/api/auth/delete/', { method: 'DELETE' });
  } catch (error) {
    showProblem(problem, error);
    if (error.problem?.code === 'reauthentication_required') {
      const again = element('button', { type: 'button', class: 'primary', id: 'delete-sign-in' }, 'Sign in again');
      again.addEventListener('click', () => {
        sessionStorage.setItem(AFTER_SIGN_IN_KEY, 'delete-account');
        signIn({ fresh: true });
      });
      problem.append(element('p', {}, again));
      again.focus();
    }
    return;
  }
  const farewell = 'Your account is being deleted: your images, plan and records are removed in the next minutes,'
    + ' and any subscription is canceled. You are signed out.';
  $('delete-dialog').close();
  // With a Hosted UI logout the page leaves: the message waits for the way back.
  if (session.config.auth.logout_endpoint) sessionStorage.setItem(NOTICE_KEY, farewell);
  signOut();
  notify(farewell);
}

/**
 * On every load, after a sign-in completed (or not): finishes a trip to Stripe (sync a paid checkout, say
 * a canceled one), shows a message carried over a page change, resumes a step that needed a fresh sign-in.
 * Returns true when the page is leaving for the sign-in.
 */
export async function resumeAccount() {
  const params = new URLSearchParams(location.search);
  const back = params.get('billing');
  if (back) {
    sessionStorage.setItem(RETURN_KEY, JSON.stringify({ back, sessionId: params.get('session_id') }));
    history.replaceState(null, '', '/#plans');
  }
  const carried = sessionStorage.getItem(NOTICE_KEY);
  if (carried) {
    sessionStorage.removeItem(NOTICE_KEY);
    notify(carried);
  }
  const pending = JSON.parse(sessionStorage.getItem(RETURN_KEY) || 'null');
  if (pending && !isSignedIn()) {
    // Straight on to the sign-in only on the way back from Stripe, so a failed sign-in cannot loop.
    notify('Back from Stripe. Sign in again to see your plan.');
    if (back) {
      await signIn();
      return true;
    }
    return false;
  }
  if (pending) {
    sessionStorage.removeItem(RETURN_KEY);
    await finishStripeTrip(pending);
  }
  if (isSignedIn() && sessionStorage.getItem(AFTER_SIGN_IN_KEY) === 'delete-account') {
    sessionStorage.removeItem(AFTER_SIGN_IN_KEY);
    if (location.hash !== '#plans') history.replaceState(null, '', '/#plans');
    openDeleteDialog();
  }
  return false;
}

async function finishStripeTrip({ back, sessionId }) {
  if (back === 'canceled') {
    notify('Checkout canceled: nothing was charged and your plan is unchanged.');
  } else if (back === 'portal') {
    notify('Back from the billing portal. Changes made there show here within a minute.');
  } else if (back === 'success' && sessionId) {
    try {
      const synced = await api('/api/subscriptions/sync/', { method: 'POST', body: { session_id: sessionId } });
      const user = await userWhen((u) => u.plan === synced.plan);
      const plan = (await allPlans()).find((p) => p.id === synced.plan);
      notify(`Payment received: you are on ${plan?.name || synced.plan} now, with ${user.quota.limit} images this period.`);
    } catch (error) {
      notify(error);
    }
  }
}
