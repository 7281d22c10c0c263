// Sign-up, sign-in and token refresh through the public auth API.
//
// Every VU keeps its own session (its own login, so its own refresh-token family): pool users are
// shared by several VUs, and with refresh-token rotation two VUs refreshing one shared refresh
// token would revoke each other. Access tokens live 15 minutes at most, so a session is refreshed
// through /auth/refresh shortly before it expires; soak and 100k runs last far longer than that.
import http from 'k6/http';
import exec from 'k6/execution';
import { Counter } from 'k6/metrics';
import { API_URL, jsonRequestParams } from './api.js';
import { checkResponse, isTokenResponse, hasFields, USER_FIELDS } from './checks.js';

const tokenRefreshes = new Counter('token_refreshes');

// Refresh this long before expiry, so no request leaves with a token that dies in flight: the
// session is re-checked before each journey step, and a step with its think times stays under
// two minutes even at THINK_TIME=10.
const REFRESH_MARGIN_MS = 2 * 60 * 1000;

// A repeated run finds its pool users already registered: 409 is an expected outcome there.
const REGISTER_OUTCOMES = http.expectedStatuses(201, 409);

export function poolUser(pool, index) {
  return {
    email: `${pool.prefix}-${index}@loadtest.portico.test`,
    password: pool.password,
    name: `Load test user ${index}`,
  };
}

/** The pool user a VU signs in as: VU ids start at 1 and are unique across distributed runners. */
export function poolIndexOfVu(pool) {
  return (exec.vu.idInTest - 1) % pool.size;
}

/** The register request for `http.batch`, so setup can create a pool in parallel chunks. */
export function registerRequest(user, clientId) {
  return {
    method: 'POST',
    url: `${API_URL}/auth/register`,
    body: JSON.stringify(user),
    params: jsonRequestParams('auth_register', { clientId }, { responseCallback: REGISTER_OUTCOMES }),
  };
}

export function checkRegistered(res) {
  return checkResponse(res, 'auth_register', [201, 409], {
    201: (body) => hasFields(body, USER_FIELDS),
  }).ok;
}

export function register(user, clientId) {
  const req = registerRequest(user, clientId);
  return checkRegistered(http.post(req.url, req.body, req.params));
}

function sessionFrom(body, clientId) {
  const lifetimeMs = body.expires_in * 1000;
  return {
    clientId,
    accessToken: body.access_token,
    refreshToken: body.refresh_token,
    refreshAt: Date.now() + Math.max(lifetimeMs - REFRESH_MARGIN_MS, lifetimeMs / 2),
  };
}

/** Logs in; returns a session, or null when the login failed (the failed check is recorded). */
export function login(user, clientId) {
  const res = http.post(
    `${API_URL}/auth/login`,
    JSON.stringify({ email: user.email, password: user.password }),
    jsonRequestParams('auth_login', { clientId }),
  );
  const { ok, body } = checkResponse(res, 'auth_login', [200], { 200: isTokenResponse });
  return ok ? sessionFrom(body, clientId) : null;
}

function refresh(session) {
  const res = http.post(
    `${API_URL}/auth/refresh`,
    JSON.stringify({ refresh_token: session.refreshToken }),
    jsonRequestParams('auth_refresh', { clientId: session.clientId }),
  );
  const { ok, body } = checkResponse(res, 'auth_refresh', [200], { 200: isTokenResponse });
  if (!ok) return null;
  tokenRefreshes.add(1);
  return sessionFrom(body, session.clientId);
}

export function logout(session) {
  const res = http.post(
    `${API_URL}/auth/logout`,
    JSON.stringify({ refresh_token: session.refreshToken }),
    jsonRequestParams('auth_logout', session),
  );
  checkResponse(res, 'auth_logout', [204]);
}

// Each VU runs its own JavaScript runtime, so this is one session per VU, kept across iterations
// the way an app keeps its tokens between screens.
let vuSession = null;

/**
 * The VU's signed-in session as its pool user, logging in on first use and refreshing it when it
 * is about to expire (logging in again if the refresh is refused). Null when sign-in failed.
 */
export function vuPoolSession(pool) {
  const clientId = exec.vu.idInTest;
  if (vuSession !== null && Date.now() >= vuSession.refreshAt) {
    vuSession = refresh(vuSession);
  }
  if (vuSession === null) {
    vuSession = login(poolUser(pool, poolIndexOfVu(pool)), clientId);
  }
  return vuSession;
}

/** A brand-new user for one iteration: the sign-up journey of someone installing the app. */
export function signUpNewUser(pool) {
  const clientId = exec.vu.idInTest;
  const user = {
    email: `${pool.prefix}-new-${clientId}-${exec.vu.iterationInScenario}-${Date.now()}@loadtest.portico.test`,
    password: pool.password,
    name: `New load test user ${clientId}`,
  };
  return register(user, clientId) ? login(user, clientId) : null;
}
