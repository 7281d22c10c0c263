// Test fixtures, for the services' own tests and the gateway's.
export { startTestServices, TEST_ADMIN } from './startTestServices.ts';
export type { TestServices, TestServicesOptions, TestUser } from './startTestServices.ts';
export { createContractClient } from './contractClient.ts';
export type { ContractClient, ContractResponse } from './contractClient.ts';
export { contractClients } from './clients.ts';
export { migratedTemplate } from './migratedTemplate.ts';
