// The services' public surface: what the gateway's `portico dev` and tests import.
export type { ServiceName } from './serviceCatalog.ts';
export { DEFAULT_SERVICE_PORTS, SERVICE_NAMES } from './serviceCatalog.ts';
export type { StartedServices, StartServicesOptions } from './startServices.ts';
export { startServices } from './startServices.ts';
