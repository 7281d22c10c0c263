// Validators compile ahead of use once warming starts, one operation per turn of the loop, and
// stop when told to.
import { describe, expect, it } from 'vitest';
import { loadContract } from './loadContract.ts';
import { warmRequestValidators } from './warmRequestValidators.ts';

const compiled = (validators: Record<string, unknown>) => Object.keys(validators).length;
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('warmRequestValidators', () => {
  it('compiles every operation, one per turn, without a request', async () => {
    const { backend, operations } = await loadContract({
      name: 'v1',
      file: 'contracts/openapi/public-v1.yaml',
    });
    const validators = backend.validator.requestValidators as Record<string, unknown>;
    expect(compiled(validators)).toBe(0);
    warmRequestValidators(backend);
    await turn();
    expect(compiled(validators)).toBe(1);
    while (compiled(validators) < operations) await turn();
    expect(compiled(validators)).toBe(operations);
  });

  it('stops when asked', async () => {
    const { backend } = await loadContract({ name: 'v1', file: 'contracts/openapi/public-v1.yaml' });
    const validators = backend.validator.requestValidators as Record<string, unknown>;
    const stop = warmRequestValidators(backend);
    await turn();
    stop();
    for (let i = 0; i < 5; i++) await turn();
    expect(compiled(validators)).toBe(1);
  });
});
