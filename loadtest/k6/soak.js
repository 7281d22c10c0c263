// Soak: a steady, moderate load for DURATION (1 h by default) to surface what only time shows:
// memory growth, connection or file-descriptor leaks, Redis key build-up, slow queries as tables
// grow. Access tokens live 15 minutes at most, so every VU refreshes its session several times
// (see the token_refreshes counter); a refresh bug shows up here as auth_refresh failures.
//
//   DURATION=4h k6 run loadtest/k6/soak.js
import { envDuration, envInt, journeySettingsFromEnv, userPoolFromEnv } from './lib/config.js';
import { studentJourney } from './lib/journeys.js';
import { prepareTestData, setupOptions } from './lib/setup.js';
import { SLA_THRESHOLDS } from './lib/thresholds.js';

const VUS = envInt('VUS', 300);
const RAMP_UP = envDuration('RAMP_UP', '5m');
const DURATION = envDuration('DURATION', '1h');
const POOL = userPoolFromEnv(VUS * 5);
const JOURNEY = journeySettingsFromEnv({ thinkTimeSeconds: 5, registerRatio: 0.01 });

export const options = {
  ...setupOptions(POOL),
  scenarios: {
    steady_students: {
      executor: 'ramping-vus',
      exec: 'userJourney',
      startVUs: 0,
      stages: [
        { duration: RAMP_UP, target: VUS },
        { duration: DURATION, target: VUS },
        { duration: '5m', target: 0 },
      ],
      gracefulRampDown: '1m',
    },
  },
  thresholds: {
    ...SLA_THRESHOLDS,
    // Sessions must survive token expiry: a VU that could not refresh had to log in again.
    'checks{name:auth_refresh}': ['rate>0.999'],
  },
};

export function setup() {
  return prepareTestData(POOL);
}

export function userJourney(data) {
  studentJourney(data, JOURNEY);
}
