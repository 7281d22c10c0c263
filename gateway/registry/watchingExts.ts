// A server (or a plugin's) with its `ext` watched: a request-phase ext added by a plugin keeps
// every route of the build on hapi's lifecycle, since the fast path would skip its step.
import type { Plugin, Server } from '@hapi/hapi';

const SERVER_PHASES = new Set(['onPreStart', 'onPostStart', 'onPreStop', 'onPostStop']);

type ExtArgument = string | { type: string } | Array<{ type: string }>;

function phasesOf(events: ExtArgument): string[] {
  if (typeof events === 'string') return [events];
  return (Array.isArray(events) ? events : [events]).map((event) => event.type);
}

/** Calls `onRequestPhase` whenever `server.ext` adds a request-phase ext. */
export function watchExts(server: Server, onRequestPhase: () => void): void {
  const ext = server.ext.bind(server) as (...args: unknown[]) => void;
  (server as { ext: unknown }).ext = (events: ExtArgument, ...rest: unknown[]) => {
    if (phasesOf(events).some((phase) => !SERVER_PHASES.has(phase))) onRequestPhase();
    return ext(events, ...rest);
  };
}

/** `plugin`, registering with its server's exts watched. */
export function watchingExts<T extends Plugin<unknown>>(plugin: T, onRequestPhase: () => void): T {
  return {
    ...plugin,
    register(server: Server, options: unknown) {
      watchExts(server, onRequestPhase);
      return plugin.register(server, options);
    },
  };
}
