// The four services, their default ports and how each is started.
import type { ServiceStartOptions, RunningService } from './kit/index.ts';
import { startAppointmentsService } from './appointments/startAppointmentsService.ts';
import { startProgramsService } from './programs/startProgramsService.ts';
import { startResourcesService } from './resources/startResourcesService.ts';

export type ServiceName = 'identity' | 'programs' | 'appointments' | 'resources';

export const SERVICE_NAMES: readonly ServiceName[] = ['identity', 'programs', 'appointments', 'resources'];

export const DEFAULT_SERVICE_PORTS: Record<ServiceName, number> = {
  identity: 7101,
  programs: 7102,
  appointments: 7103,
  resources: 7104,
};

/** The services that verify identity's tokens through its JWKS (identity itself starts first). */
export const DOMAIN_SERVICE_STARTERS: Record<
  Exclude<ServiceName, 'identity'>,
  (options: ServiceStartOptions) => Promise<RunningService>
> = {
  programs: startProgramsService,
  appointments: startAppointmentsService,
  resources: startResourcesService,
};
