// One contract-checking client per service, for a started set of services.
import type { ServiceName } from '../serviceCatalog.ts';
import { createContractClient } from './contractClient.ts';
import type { ContractClient } from './contractClient.ts';

export async function contractClients(
  urls: Record<ServiceName, string>,
): Promise<Record<ServiceName, ContractClient>> {
  const [identity, programs, appointments, resources] = await Promise.all([
    createContractClient('identity', urls.identity),
    createContractClient('programs', urls.programs),
    createContractClient('appointments', urls.appointments),
    createContractClient('resources', urls.resources),
  ]);
  return { identity, programs, appointments, resources };
}
