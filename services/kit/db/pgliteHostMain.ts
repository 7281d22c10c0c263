// Serves one PGlite to the services of `portico dev` (each in its own process) over the Unix
// socket PGLITE_SOCKET: one database start and one database's memory instead of four. Its data
// is DATA_DIR/pglite/shared (the layout of the services sharing one PGlite in one process), in
// memory without DATA_DIR.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createLogger } from '../logger.ts';
import { stopOnSignals } from '../lifecycle.ts';
import { openPGlite } from './pgliteDatabase.ts';
import { servePGlite } from './servePGlite.ts';

const logger = createLogger({ name: 'database' });
const socketPath = process.env.PGLITE_SOCKET;
if (!socketPath) throw new Error('PGLITE_SOCKET: the Unix socket path to serve on is required');
let dataDir: string | undefined;
if (process.env.DATA_DIR) {
  dataDir = join(process.env.DATA_DIR, 'pglite', 'shared');
  await mkdir(dataDir, { recursive: true });
}
const pglite = await openPGlite(dataDir ? { dataDir } : {});
const served = await servePGlite(pglite, socketPath);
logger.info({ socket: socketPath, dataDir: dataDir ?? 'memory' }, 'database started');
stopOnSignals(
  {
    url: `unix:${socketPath}`,
    async stop() {
      await served.close();
      await pglite.close();
    },
  },
  logger,
);
