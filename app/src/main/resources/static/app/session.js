// What the views share: the client configuration, the signed-in person, the plans, the notice line.
import { api } from './api.js';
import { showProblem } from './problems.js';

export const session = {
  config: null,
  user: null,
  plans: null,
};

/** A message for the whole page (role="alert"); null hides it. An Error or ApiError is explained. */
export function notify(message) {
  const notice = document.getElementById('notice');
  if (message instanceof Error) {
    showProblem(notice, message);
    return;
  }
  notice.textContent = message || '';
  notice.hidden = !message;
}

/** The caller's profile and quota, fetched again (after a job, on showing a view). */
export async function refreshUser() {
  session.user = await api('/api/auth/user/');
  document.getElementById('who').textContent = `Signed in as ${session.user.display_name || session.user.username}`;
  return session.user;
}

export async function allPlans() {
  session.plans ??= (await api('/api/subscriptions/plans/', { auth: false })).plans;
  return session.plans;
}

/** The limits of the signed-in person's plan. */
export async function currentPlan() {
  const plans = await allPlans();
  return plans.find((plan) => plan.id === session.user?.plan) || null;
}
