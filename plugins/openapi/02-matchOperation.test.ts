import { beforeAll, describe, expect, it } from 'vitest';
import { bodyPlan, matchOperation, mediaTypeOf } from './checkRequest.ts';
import { loadContract, type LoadedContract } from './loadContract.ts';

let contract: LoadedContract;
beforeAll(async () => {
  contract = await loadContract({ name: 'v1', file: 'contracts/openapi/public-v1.yaml' });
});

const idOf = (method: string, path: string) => {
  const match = matchOperation(contract, method, path);
  return match.kind === 'operation' ? match.operation.operationId : match;
};

describe('matching a request to an operation', () => {
  it('prefers a literal segment to a parameter, ignores a trailing slash, answers HEAD from GET', () => {
    expect(idOf('GET', '/api/v1/programs/search')).toBe('searchPrograms');
    expect(idOf('GET', '/api/v1/programs/filter/')).toBe('filterPrograms');
    expect(idOf('GET', '/api/v1/programs/3f0c7a52-8d7e-4c1b-9a0e-2f8c51d6b7a4')).toBe('getProgram');
    expect(idOf('POST', '/api/v1/programs/x/register')).toBe('registerForProgram');
    expect(idOf('HEAD', '/api/v1/resources/x/download')).toBe('downloadResource');
  });

  it('names the methods a known path has, and nothing for an unknown path', () => {
    expect(idOf('PATCH', '/api/v1/appointments/x')).toEqual({
      kind: 'method-not-allowed',
      allow: ['GET', 'PUT', 'DELETE'],
    });
    expect(idOf('GET', '/api/v1/programs/sync/now')).toEqual({ kind: 'not-found' });
    expect(idOf('GET', '/api/v1/auth/me')).toEqual({ kind: 'not-found' });
  });

  it('plans the body: JSON is read, multipart streams, anything else is refused', () => {
    const op = (method: string, path: string) => {
      const match = matchOperation(contract, method, path);
      if (match.kind !== 'operation') throw new Error('no operation');
      return match.operation;
    };
    expect(mediaTypeOf('Application/JSON; charset=utf-8')).toBe('application/json');
    expect(bodyPlan(op('POST', '/api/v1/appointments'), 'application/json', true)).toEqual({ kind: 'json' });
    expect(bodyPlan(op('PUT', '/api/v1/resources/x'), 'multipart/form-data', true)).toEqual({
      kind: 'opaque',
    });
    expect(bodyPlan(op('POST', '/api/v1/appointments'), 'text/plain', true)).toEqual({
      kind: 'unsupported',
      accepted: ['application/json'],
    });
    expect(bodyPlan(op('GET', '/api/v1/programs'), undefined, false)).toEqual({ kind: 'none' });
    expect(bodyPlan(op('POST', '/api/v1/appointments'), undefined, false)).toEqual({ kind: 'none' });
  });
});
