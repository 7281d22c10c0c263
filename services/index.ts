// The services' public surface: what tests import (`portico dev` forks each `<name>/main.ts`).
export type { ServiceName } from './serviceCatalog.ts';
export { DEFAULT_SERVICE_PORTS, SERVICE_NAMES } from './serviceCatalog.ts';
export type { StartedServices, StartServicesOptions } from './startServices.ts';
export { startServices } from './startServices.ts';
