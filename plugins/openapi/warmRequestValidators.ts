// Request validators are compiled on first use (openapi-backend does so itself) and, once the
// gateway serves, ahead of use one operation per turn of the event loop: compiling a contract's
// validators at once costs a few hundred milliseconds of CPU that start-up (six processes on two
// cores under `portico dev`) cannot spare, and would block the loop as the first requests come.
import type { OpenAPIBackend } from 'openapi-backend';

/** Compiles what is not compiled yet, one operation at a time; the returned function stops it. */
export function warmRequestValidators(backend: OpenAPIBackend): () => void {
  const pending = backend.getOperations().map((operation) => operation.operationId);
  let timer: NodeJS.Immediate | undefined;
  const next = () => {
    const operationId = pending.shift();
    if (operationId === undefined) return;
    backend.validator.getRequestValidatorsForOperation(operationId);
    timer = setImmediate(next);
  };
  timer = setImmediate(next);
  return () => {
    if (timer) clearImmediate(timer);
    pending.length = 0;
  };
}
