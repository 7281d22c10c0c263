// 100k: 100,000 concurrent students (the seeds' "100,000+ concurrent users"), too many for one
// load generator, so it is written to run split across k6 instances by execution segments.
//
// Each instance runs its own segment of every scenario: its share of the VUs, and VU ids and
// iteration numbers (exec.vu.idInTest, exec.scenario.iterationInTest) stay unique across the whole
// test, which the pool-user choice and the booking slots rely on. By hand, on four machines:
//
//   k6 run --execution-segment "0:1/4"   --execution-segment-sequence "0,1/4,2/4,3/4,1" loadtest/k6/100k.js
//   k6 run --execution-segment "1/4:2/4" --execution-segment-sequence "0,1/4,2/4,3/4,1" loadtest/k6/100k.js
//   k6 run --execution-segment "2/4:3/4" --execution-segment-sequence "0,1/4,2/4,3/4,1" loadtest/k6/100k.js
//   k6 run --execution-segment "3/4:1"   --execution-segment-sequence "0,1/4,2/4,3/4,1" loadtest/k6/100k.js
//
// started together (same BASE_URL, USERS, VUS ... on each), and the summaries added up, or with
// the k6-operator, which computes the segments itself: see 100k-testrun.yaml beside this file.
//
// Every instance runs setup() (k6-operator runs it on every runner too), so setup is idempotent:
// registering a pool user that exists answers 409 and counts as done. Setup returns no tokens:
// its data is copied into every VU, and 100,000 copies of a token list would not fit; each VU
// logs in as pool user (idInTest - 1) % USERS on its first iteration and refreshes from then on.
import { envDuration, envInt, journeySettingsFromEnv, userPoolFromEnv } from './lib/config.js';
import { studentJourney } from './lib/journeys.js';
import { prepareTestData, setupOptions } from './lib/setup.js';
import { SLA_THRESHOLDS } from './lib/thresholds.js';

const VUS = envInt('VUS', 100000);
// Ramp slowly enough that sign-ins (password hashing) arrive at ~100/s, not all at once.
const RAMP_UP = envDuration('RAMP_UP', '20m');
const DURATION = envDuration('DURATION', '30m');
// The user pool: VUs share pool users by id, five VUs to a user by default. A journey at
// THINK_TIME=10 makes ~10 requests around 7 think times (~70 s), ~9 requests/min per VU: five
// VUs on one user stay near 45/min, under the 100 requests/min per-user limit.
const POOL = userPoolFromEnv(Math.ceil(VUS / 5));
const JOURNEY = journeySettingsFromEnv({ thinkTimeSeconds: 10, registerRatio: 0.001 });

export const options = {
  ...setupOptions(POOL),
  scenarios: {
    students_100k: {
      executor: 'ramping-vus',
      exec: 'userJourney',
      startVUs: 0,
      stages: [
        { duration: RAMP_UP, target: VUS },
        { duration: DURATION, target: VUS },
        { duration: '5m', target: 0 },
      ],
      // A journey at THINK_TIME=10 lasts 70 s on average, up to ~2 minutes with jitter: let VUs
      // finish it rather than cut it short.
      gracefulRampDown: '3m',
      gracefulStop: '3m',
    },
  },
  thresholds: { ...SLA_THRESHOLDS },
};

export function setup() {
  return prepareTestData(POOL);
}

export function userJourney(data) {
  studentJourney(data, JOURNEY);
}
