// The mobile BFF: compact aggregated screens under /mobile/v1, delta sync and offline replay.
// Wiring only; the screens, sync and replay live in their own files.
import { definePlugin } from '../../contracts/plugin.ts';
import { pluginMetrics } from '../../contracts/pluginMetrics.ts';
import { screenSender } from './http/sendScreen.ts';
import { sectionLoader } from './loadSections.ts';
import { actionReplayer } from './replay/replayActions.ts';
import { mobileBffOptions } from './schema.ts';
import { deviceRoutes } from './screens/deviceRoutes.ts';
import { homeScreen } from './screens/homeScreen.ts';
import { listScreens } from './screens/listScreens.ts';
import type { ScreenDeps } from './screens/screenDeps.ts';
import { serviceCaller } from './serviceCalls.ts';
import { memoryStore } from './stores/memory.ts';
import { redisStore } from './stores/redis.ts';
import { syncRoutes } from './sync/syncRoutes.ts';

const NAME = 'mobile-bff';

export default definePlugin({
  name: NAME,
  version: '1.0.0',
  priority: 0,
  phases: ['handler'],
  options: mobileBffOptions.prefault({}),
  validate(options, config) {
    return Object.entries(options.upstreams)
      .filter(([, upstream]) => !config.upstreams.includes(upstream))
      .map(([service, upstream]) => ({
        path: `${config.pluginPath}.options.upstreams.${service}`,
        message: `no upstream named "${upstream}" (known: ${config.upstreams.join(', ') || 'none'})`,
      }));
  },
  register(server, options) {
    const portico = server.portico;
    const { redis } = portico;
    // Kept across reloads: the metrics (registered once) and the in-memory stores' contents.
    const metrics = portico.keep(`${NAME}:metrics`, () => {
      const m = pluginMetrics(portico.metrics, NAME);
      return {
        sections: m.counter('sections_total', 'Screen sections by outcome', ['section', 'status']),
        actions: m.counter('actions_total', 'Replayed offline actions by answer', ['status']),
      };
    });
    const lastGood = redis
      ? redisStore(redis, 'portico:mobile:lastgood:')
      : portico.keep(`${NAME}:lastGood`, () => memoryStore(options.lastGood.maxEntries));
    const actions = redis
      ? redisStore(redis, 'portico:mobile:action:')
      : portico.keep(`${NAME}:actions`, () => memoryStore(options.replay.maxKeys));
    const deps: ScreenDeps = {
      portico,
      options,
      call: serviceCaller(portico, options),
      sections: sectionLoader(lastGood, options.lastGood.maxAge, (section, status) =>
        metrics.sections.inc({ section, status }),
      ),
      send: screenSender(options.compression),
    };
    const replay = actionReplayer({
      call: deps.call,
      store: actions,
      options: options.replay,
      onAnswer: (status) => metrics.actions.inc({ status }),
    });
    portico.route([
      homeScreen(deps),
      ...listScreens(deps),
      ...syncRoutes(deps, replay),
      ...deviceRoutes(deps, replay),
    ]);
  },
});
