// The upstream steps plugins contributed, and the pipeline of one route made from them: steps in
// the fixed stage order (contracts/upstream.ts UPSTREAM_STAGES), then by plugin priority.
import {
  UPSTREAM_STAGES,
  type RouteFacts,
  type UpstreamInterceptor,
  type UpstreamStep,
} from '../../contracts/upstream.ts';

export interface ContributedStep {
  plugin: string;
  /** The plugin's priority: orders steps within a stage. */
  priority: number;
  step: UpstreamStep;
}

export interface BuiltStep {
  plugin: string;
  stage: string;
  interceptor: UpstreamInterceptor;
}

/** Asks every contributed step for this route's interceptor; a plugin off on the route adds none. */
export function stepsForRoute(
  contributed: readonly ContributedStep[],
  route: RouteFacts,
  routeOptions: (plugin: string) => unknown,
): BuiltStep[] {
  const ordered = [...contributed].sort(
    (a, b) =>
      UPSTREAM_STAGES.indexOf(a.step.stage) - UPSTREAM_STAGES.indexOf(b.step.stage) ||
      b.priority - a.priority,
  );
  const built: BuiltStep[] = [];
  for (const { plugin, step } of ordered) {
    const options = routeOptions(plugin);
    if (options === false) continue;
    const interceptor = step.build(route, options);
    if (interceptor) built.push({ plugin, stage: step.stage, interceptor });
  }
  return built;
}
