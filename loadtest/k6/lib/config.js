// Environment parsing shared by every k6 script. Values come from `k6 run -e NAME=value` or the
// process environment (k6 passes system env vars into __ENV). A value that is set but malformed
// stops the run in the init context: a typo in VUS must not silently run the default load.

const DURATION_PATTERN = /^(\d+(\.\d+)?(ms|s|m|h))+$/;

function rawEnv(name) {
  const value = __ENV[name];
  return value === undefined || value === '' ? undefined : value;
}

export function envString(name, fallback) {
  const value = rawEnv(name);
  return value === undefined ? fallback : value;
}

export function envInt(name, fallback) {
  const value = rawEnv(name);
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) {
    throw new Error(`${name}: expected a non-negative integer, got "${value}"`);
  }
  return parsed;
}

export function envNumber(name, fallback) {
  const value = rawEnv(name);
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) {
    throw new Error(`${name}: expected a non-negative number, got "${value}"`);
  }
  return parsed;
}

export function envRatio(name, fallback) {
  const ratio = envNumber(name, fallback);
  if (ratio > 1) throw new Error(`${name}: expected a ratio between 0 and 1, got "${ratio}"`);
  return ratio;
}

export function envBool(name, fallback) {
  const value = rawEnv(name);
  if (value === undefined) return fallback;
  if (value !== 'true' && value !== 'false') {
    throw new Error(`${name}: expected true or false, got "${value}"`);
  }
  return value === 'true';
}

/** A k6 duration string such as `30s`, `10m` or `1h30m`. */
export function envDuration(name, fallback) {
  const value = envString(name, fallback);
  if (!DURATION_PATTERN.test(value)) {
    throw new Error(`${name}: expected a k6 duration such as 30s, 10m or 1h30m, got "${value}"`);
  }
  return value;
}

export const BASE_URL = envString('BASE_URL', 'http://localhost:8080').replace(/\/+$/, '');
export const API_URL = `${BASE_URL}/api/v1`;

/**
 * When set (for example to `X-Forwarded-For`), every request carries a synthetic client address
 * per pool user, so a gateway that trusts this header from the load generators applies its
 * per-IP limit per simulated client instead of per load-generator machine.
 */
export const CLIENT_IP_HEADER = envString('CLIENT_IP_HEADER', '');

/**
 * The test user pool: `USER_PREFIX-<n>@loadtest.portico.test` for n in [0, size). A fixed prefix
 * lets later runs reuse the users earlier runs registered.
 */
export function userPoolFromEnv(defaultSize) {
  const size = envInt('USERS', defaultSize);
  if (size < 1) throw new Error('USERS: the pool needs at least one user');
  return {
    size,
    prefix: envString('USER_PREFIX', 'k6-user'),
    password: envString('USER_PASSWORD', 'k6-Load-Test-Passw0rd!'),
  };
}

/** Knobs of the shared journey; each script passes its own defaults. */
export function journeySettingsFromEnv(defaults) {
  return {
    thinkTimeSeconds: envNumber('THINK_TIME', defaults.thinkTimeSeconds),
    registerRatio: envRatio('REGISTER_RATIO', defaults.registerRatio),
    serviceType: envString('APPOINTMENT_SERVICE_TYPE', 'counseling'),
  };
}
