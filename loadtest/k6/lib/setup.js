// Test data, created through the public API only (never by writing to a database).
import http from 'k6/http';
import { fail } from 'k6';
import { API_URL, requestParams } from './api.js';
import { envBool, envInt, envString } from './config.js';
import { checkRegistered, login, poolUser, registerRequest } from './auth.js';
import { checkResponse, hasFields, isListOf, RESOURCE_FIELDS } from './checks.js';
import { samplePdf } from './pdf.js';

// Registering is CPU-bound at identity (a scrypt hash per user), so more requests in flight add
// no throughput, only queueing: ten keep identity busy without tripping the gateway's adaptive
// concurrency limit or its event-loop shedding.
const SETUP_BATCH_SIZE = envInt('SETUP_BATCH_SIZE', 10);
if (SETUP_BATCH_SIZE < 1) throw new Error('SETUP_BATCH_SIZE: expected at least 1');
// false: the pool was registered beforehand (by a smoke run with the same USERS and USER_PREFIX),
// so the runners of a distributed test do not each re-register it.
const REGISTER_POOL = envBool('REGISTER_POOL', true);
const ADMIN_EMAIL = envString('ADMIN_EMAIL', '');
const ADMIN_PASSWORD = envString('ADMIN_PASSWORD', '');

// Appointments start on the next whole hour a day from now, so they are always in the future.
const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/**
 * Options every script needs for its setup: one http.batch call sends SETUP_BATCH_SIZE register
 * requests at once (k6 caps a batch at 20 and at 6 per host unless told otherwise), and the setup
 * timeout grows with the pool (allowing 10 s a chunk, plus a minute for the rest: a cap against a hung setup, not a measure).
 */
export function setupOptions(pool) {
  const chunks = REGISTER_POOL ? Math.ceil(pool.size / SETUP_BATCH_SIZE) : 0;
  return {
    batch: SETUP_BATCH_SIZE,
    batchPerHost: SETUP_BATCH_SIZE,
    setupTimeout: `${chunks * 10 + 60}s`,
  };
}

/**
 * Registers the user pool in chunks of parallel requests. A pool user that already exists (from
 * an earlier run, or from another runner of a distributed test: every k6 instance runs its own
 * setup) answers 409, which counts as registered.
 */
function registerPool(pool) {
  for (let start = 0; start < pool.size; start += SETUP_BATCH_SIZE) {
    const requests = [];
    for (let index = start; index < Math.min(start + SETUP_BATCH_SIZE, pool.size); index++) {
      requests.push(registerRequest(poolUser(pool, index), index));
    }
    http.batch(requests).forEach(checkRegistered);
  }
}

/** Uploads one sample PDF when there is no resource to download yet; needs a staff or admin login. */
function ensureDownloadableResource() {
  const admin = login({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }, 0);
  if (admin === null) fail(`setup: ADMIN_EMAIL ${ADMIN_EMAIL} could not log in`);
  const client = { clientId: 0, session: admin };
  const listed = checkResponse(
    http.get(`${API_URL}/resources?limit=1`, requestParams('resources_list', client)),
    'resources_list',
    [200],
    { 200: (body) => isListOf(body, RESOURCE_FIELDS) },
  );
  if (!listed.ok || listed.body.items.length > 0) return;
  const uploaded = checkResponse(
    http.post(
      `${API_URL}/resources`,
      {
        title: 'Load test resource',
        description: 'Uploaded by the k6 setup step so journeys have a PDF to download',
        file: http.file(samplePdf(), 'portico-load-test.pdf', 'application/pdf'),
      },
      requestParams('resources_upload', client),
    ),
    'resources_upload',
    [201],
    { 201: (body) => hasFields(body, RESOURCE_FIELDS) },
  );
  if (!uploaded.ok) fail(`setup: uploading the sample resource answered ${uploaded.status}`);
}

/**
 * The setup shared by every script: register the pool (unless REGISTER_POOL=false), prove one pool user can log in (a wrong
 * password or a gateway rejecting the load generator stops the run here, not as a million failed
 * checks), and seed a resource when admin credentials are given.
 *
 * Setup returns no tokens: its data is copied into every VU, and tokens would expire in 15
 * minutes anyway; each VU logs in as its pool user on its first iteration.
 */
export function prepareTestData(pool) {
  if (REGISTER_POOL) registerPool(pool);
  if (login(poolUser(pool, 0), 0) === null) {
    fail(`setup: pool user ${poolUser(pool, 0).email} could not log in after registering`);
  }
  if (ADMIN_EMAIL && ADMIN_PASSWORD) ensureDownloadableResource();
  const nextHour = Math.ceil(Date.now() / HOUR_MS) * HOUR_MS;
  return { pool, slotEpochMs: nextHour + DAY_MS };
}
