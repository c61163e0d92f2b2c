// Sign-in with the authorization code flow and PKCE (S256), as a public client of the issuer named in
// /config.json (Cognito's Hosted UI, or the local stack's issuer). Tokens live in memory only: a reload
// signs in again. Only the PKCE verifier and state wait in sessionStorage while the browser is away.

const PENDING_KEY = 'figureforge.sign-in';
const RENEW_MARGIN_SECONDS = 60;

let auth = null;
let tokens = null; // { access, refresh, expiresAt (ms) }
let renewTimer = null;
let renewing = null;
const listeners = new Set();

export function configureAuth(config) {
  auth = config;
}

export function onAuthChange(listener) {
  listeners.add(listener);
}

export function isSignedIn() {
  return tokens !== null;
}

function changed(reason) {
  for (const listener of listeners) listener(isSignedIn(), reason);
}

function base64Url(bytes) {
  let text = '';
  for (const byte of new Uint8Array(bytes)) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomToken() {
  const bytes = new Uint8Array(32);
  crypto.getRandomValues(bytes);
  return base64Url(bytes);
}

function redirectUri() {
  return `${location.origin}/`;
}

/**
 * Leaves for the issuer's sign-in page; the browser comes back to / with a code. `fresh` asks the issuer
 * for a new sign-in even when it still has a session (prompt=login, max_age=0): for steps that need one.
 */
export async function signIn({ fresh = false } = {}) {
  const verifier = randomToken();
  const state = randomToken();
  const challenge = base64Url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ verifier, state, returnTo: location.hash }));
  const url = new URL(auth.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: auth.client_id,
    redirect_uri: redirectUri(),
    scope: auth.scope,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...(fresh ? { prompt: 'login', max_age: '0' } : {}),
  }).toString();
  location.assign(url.toString());
}

/**
 * On the way back from the issuer: exchanges the code for tokens. Returns the hash to show next, or
 * throws an Error whose message is for the person; returns null when this load is not a sign-in.
 */
export async function completeSignIn() {
  const params = new URLSearchParams(location.search);
  if (!params.has('code') && !params.has('error')) return null;
  const pending = JSON.parse(sessionStorage.getItem(PENDING_KEY) || 'null');
  sessionStorage.removeItem(PENDING_KEY);
  // The code must not stay in the address bar, the history or a bookmark.
  history.replaceState(null, '', `/${pending?.returnTo || ''}`);
  if (params.has('error')) {
    throw new Error(`The sign-in did not complete (${params.get('error_description') || params.get('error')}).`);
  }
  if (!pending || pending.state !== params.get('state')) {
    throw new Error('That sign-in link was not started here or was used already. Please sign in again.');
  }
  await tokenRequest({
    grant_type: 'authorization_code',
    code: params.get('code'),
    redirect_uri: redirectUri(),
    code_verifier: pending.verifier,
  });
  return pending.returnTo || '';
}

async function tokenRequest(form) {
  let response;
  try {
    response = await fetch(auth.token_endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: auth.client_id, ...form }).toString(),
    });
  } catch {
    throw new Error('The sign-in service cannot be reached. Check your connection and try again.');
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok || !body.access_token) {
    throw new Error(`The sign-in service refused (${body.error_description || body.error || response.status}). Please sign in again.`);
  }
  const expiresIn = Number(body.expires_in) || 3600;
  tokens = {
    access: body.access_token,
    // Cognito answers a refresh without a new refresh token: keep the one we have.
    refresh: body.refresh_token || tokens?.refresh || null,
    expiresAt: Date.now() + expiresIn * 1000,
  };
  scheduleRenewal(expiresIn);
  changed('signed-in');
}

function scheduleRenewal(expiresIn) {
  clearTimeout(renewTimer);
  const delay = Math.max(5, expiresIn - RENEW_MARGIN_SECONDS) * 1000;
  renewTimer = setTimeout(() => renew().catch(() => {}), delay);
}

/** Renews the access token with the refresh token; on failure the person is signed out. */
export function renew() {
  if (!tokens?.refresh) {
    forget('expired');
    return Promise.reject(new Error('Your session has ended. Please sign in again.'));
  }
  renewing ??= tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refresh })
    .catch((error) => {
      forget('expired');
      throw error;
    })
    .finally(() => {
      renewing = null;
    });
  return renewing;
}

/** A valid access token (renewed first when it is about to expire), or null when signed out. */
export async function accessToken() {
  if (!tokens) return null;
  if (Date.now() > tokens.expiresAt - RENEW_MARGIN_SECONDS * 1000) {
    await renew();
  }
  return tokens?.access ?? null;
}

function forget(reason) {
  clearTimeout(renewTimer);
  const had = tokens !== null;
  tokens = null;
  if (had) changed(reason);
}

/** Forgets the tokens; with a Hosted UI logout endpoint configured, ends the issuer's session too. */
export function signOut() {
  forget('signed-out');
  if (auth.logout_endpoint) {
    const url = new URL(auth.logout_endpoint);
    url.search = new URLSearchParams({ client_id: auth.client_id, logout_uri: redirectUri() }).toString();
    location.assign(url.toString());
  }
}

/** Called when the API refused the token (401): the session is over unless a renewal works. */
export function tokenRefused() {
  return renew();
}
