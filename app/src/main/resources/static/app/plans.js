// Plans and usage: what each plan gives, which one is yours, and how much of this period is used; and
// the profile (display name, who sees new images by default). Buying and changing plans: account.js.
import { api } from './api.js';
import { showProblem } from './problems.js';
import { allPlans, refreshUser } from './session.js';
import { planAction, setupAccount, showAccount } from './account.js';
import { date, element, money, plural } from './format.js';

const $ = (id) => document.getElementById(id);

let profileReady = false;

function setupProfile() {
  profileReady = true;
  $('profile-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = $('profile-save');
    showProblem($('profile-problem'), null);
    $('profile-status').textContent = '';
    button.disabled = true;
    try {
      await api('/api/auth/user/update/', {
        method: 'PUT',
        body: {
          display_name: $('display-name').value,
          default_visibility: document.querySelector('input[name="default_visibility"]:checked')?.value || 'private',
        },
      });
      await refreshUser();
      $('profile-status').textContent = 'Saved.';
    } catch (error) {
      showProblem($('profile-problem'), error);
    } finally {
      button.disabled = false;
    }
  });
}

function fillProfile(user) {
  $('display-name').value = user.display_name || user.username;
  for (const radio of document.querySelectorAll('input[name="default_visibility"]')) {
    radio.checked = radio.value === (user.default_visibility || 'private');
  }
}

export async function showPlans() {
  if (!profileReady) {
    setupProfile();
    setupAccount(showPlans);
  }
  const user = await refreshUser();
  fillProfile(user);
  showAccount(user);
  $('profile-status').textContent = '';
  const plans = await allPlans();
  const quota = user.quota;
  const current = plans.find((plan) => plan.id === user.plan);
  $('usage').textContent = `This period (${date(quota.period_start)} to ${date(quota.period_end)}): ${quota.used} of ${quota.limit} images used,`
    + ` ${quota.remaining} left${quota.in_flight ? `, ${plural(quota.in_flight, 'job')} running` : ''}.`;
  $('plan-cards').replaceChildren(...plans.map((plan) => {
    const mine = plan.id === user.plan;
    return element('article', { class: mine ? 'plan current' : 'plan', 'aria-labelledby': `plan-${plan.id}`, dataset: { plan: plan.id } },
      element('h2', { id: `plan-${plan.id}`, text: plan.name }),
      mine ? element('p', { class: 'badge', text: 'Your plan' }) : null,
      element('p', { class: 'price', text: plan.price_cents ? `${money(plan.price_cents, plan.currency)} a month` : 'Free' }),
      element('ul', {},
        element('li', { text: `${plan.monthly_images} images a month` }),
        element('li', { text: `Up to ${plural(plan.images_per_job, 'image')} per job` }),
        element('li', { text: `${plural(plan.in_flight_jobs, 'job')} at once` }),
        ...(plan.features || []).map((feature) => element('li', { text: feature }))),
      planAction(plan, user, current));
  }));
}
