// Every problem JSON the API answers, in plain words. The API's `code` is stable; `detail` says more.

const MESSAGES = {
  unauthorized: 'Your session has ended. Please sign in again.',
  reauthentication_required: 'For this step you need to have signed in within the last few minutes. Please sign in again.',
  forbidden: 'Your account may not do this.',
  quota_exceeded: 'You have used all the images of your plan for this period. They come back when the period renews, or choose a bigger plan.',
  too_many_jobs: 'Your plan allows only so many jobs at once. Wait for one to finish, or cancel one, then try again.',
  rate_limited: 'That was a lot of requests in a short time.',
  prompt_not_allowed: 'The extra description contains words FigureForge does not accept. Figures are adults and clothed or draped; please reword it.',
  validation_failed: 'Some of the choices are not valid.',
  unknown_field: 'The request had a field the server does not know. Reload the page to get the current version.',
  malformed_json: 'The request was garbled on the way. Reload the page and try again.',
  job_not_found: 'That job does not exist (any more).',
  invalid_variation_set: 'The variation set cannot be made: choose a control to vary and tick 2 to 8 different values of it.',
  variation_set_not_found: 'That variation set does not exist (any more).',
  job_already_finished: 'The job had already finished, so there was nothing left to cancel.',
  image_not_found: 'That image does not exist any more.',
  cannot_report_own_image: 'You cannot report your own image; make it private or delete it instead.',
  account_deleting: 'Your account is being deleted, so it cannot start anything new.',
  account_deleted: 'This account has been deleted.',
  billing_not_configured: 'Payments are not set up on this server, so plans cannot be changed here.',
  already_subscribed: 'You already have a subscription, so there is nothing to buy. Change its plan here, or manage it in the billing portal.',
  checkout_session_not_found: 'That payment could not be matched to your account. If you were charged, your plan updates within a minute; otherwise start the upgrade again.',
  checkout_not_complete: 'The payment has not completed (yet). If you paid, your plan updates within a minute.',
  not_found: 'That does not exist (any more).',
  bad_request: 'The request was not understood. Reload the page and try again.',
  method_not_allowed: 'The server does not take that request here. Reload the page to get the current version.',
  unsupported_media_type: 'The server does not take that request here. Reload the page to get the current version.',
  not_acceptable: 'The server does not take that request here. Reload the page to get the current version.',
  already_on_plan: 'You are on that plan already.',
  no_billing_account: 'You have no billing account yet; subscribe to a plan first.',
  no_subscription: 'You have no live subscription to change.',
  idempotency_key_in_progress: 'The same request is still being accepted; wait a moment.',
  idempotency_key_reused: 'That request was sent before with other choices. Reload the page and try again.',
  invalid_cursor: 'The list could not continue from where it was. Reload to start from the top.',
  payload_too_large: 'The request is too large.',
  service_unavailable: 'A service FigureForge depends on is not answering right now. Please try again in a minute.',
  internal_error: 'Something went wrong on our side. Please try again; if it keeps happening, tell us.',
  network: 'FigureForge cannot be reached. Check your connection and try again.',
};

/** Codes whose `detail` speaks to API programmers (routes, internals): the message above says it all. */
const DETAIL_FOR_DEVELOPERS = new Set(['internal_error', 'already_subscribed']);

const FIELD_NAMES = {
  num_images: 'Number of images',
  seed: 'Seed',
  prompt: 'Description',
  aspect_ratio: 'Aspect ratio',
  body_type: 'Body type',
  camera_angle: 'Camera angle',
  age_range: 'Age range',
  display_name: 'Display name',
};

export function fieldName(field) {
  return FIELD_NAMES[field] || (field.charAt(0).toUpperCase() + field.slice(1).replace(/_/g, ' '));
}

/** { message, details: [string] } for a problem (and the Retry-After seconds of a 429). */
export function explain(problem, retryAfter) {
  const code = problem?.code;
  let message = MESSAGES[code] || problem?.detail || problem?.title || 'Something went wrong.';
  if ((code === 'rate_limited' || code === 'too_many_jobs') && retryAfter) {
    message += ` Try again in ${retryAfter} seconds.`;
  }
  const details = [];
  for (const error of problem?.errors || []) {
    details.push(`${fieldName(error.field)}: ${error.message}.`);
  }
  if (MESSAGES[code] && problem?.detail && !details.length && !DETAIL_FOR_DEVELOPERS.has(code)) {
    details.push(problem.detail);
  }
  return { message, details };
}

/** Shows a problem in a container (role="alert"), or hides it for null. */
export function showProblem(container, error) {
  container.replaceChildren();
  if (!error) {
    container.hidden = true;
    return;
  }
  const { message, details } = error.problem ? explain(error.problem, error.retryAfter) : { message: error.message, details: [] };
  const text = document.createElement('p');
  text.textContent = message;
  container.append(text);
  if (details.length) {
    const list = document.createElement('ul');
    for (const detail of details) {
      const item = document.createElement('li');
      item.textContent = detail;
      list.append(item);
    }
    container.append(list);
  }
  container.hidden = false;
}
