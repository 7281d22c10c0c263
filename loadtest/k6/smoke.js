// Smoke: one VU walks the whole journey a few times with short think times. Run it first, after
// every deploy: if this fails, no load result means anything.
//
//   k6 run loadtest/k6/smoke.js
//   BASE_URL=https://staging.example k6 run loadtest/k6/smoke.js
import { envDuration, envInt, journeySettingsFromEnv, userPoolFromEnv } from './lib/config.js';
import { studentJourney } from './lib/journeys.js';
import { prepareTestData, setupOptions } from './lib/setup.js';
import { SLA_THRESHOLDS } from './lib/thresholds.js';

const POOL = userPoolFromEnv(1);
// Every other iteration signs up a new user, so register, login and logout all run.
const JOURNEY = journeySettingsFromEnv({ thinkTimeSeconds: 0.5, registerRatio: 0.5 });

export const options = {
  ...setupOptions(POOL),
  scenarios: {
    smoke: {
      executor: 'per-vu-iterations',
      exec: 'userJourney',
      vus: envInt('VUS', 1),
      iterations: envInt('ITERATIONS', 4),
      maxDuration: envDuration('DURATION', '5m'),
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
