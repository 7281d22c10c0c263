// `portico`: start | dev | validate | schema | keys | config. Each command's module is imported
// when it runs: `portico dev` starts its database before the gateway's modules are even loaded.
import { parseArgs } from 'node:util';

const USAGE = `usage: portico <command> [options]

commands:
  start [--config FILE] [--workers N]   run the gateway (config: --config, else $PORTICO_CONFIG, else gateway/portico.yaml)
  dev [--config FILE] [--data-dir DIR] [--fresh]
                                        run the gateway and the four domain services (one child process
                                        each) on embedded defaults; data kept in DIR (default .data/dev,
                                        else $PORTICO_DATA_DIR) across restarts; --fresh starts clean
  validate FILE...                      check config files without starting anything (exit 1 on errors)
  schema                                print the config's JSON Schema
  keys create|list|revoke               manage API keys on a running gateway (portico keys --help)
  config push|history|diff|rollback|show|instances|audit
                                        the config history of a running gateway (portico config --help)

environment: PORT overrides server.port; LOG_LEVEL sets the log level (default info);
  PORTICO_ADMIN_TOKEN is the admin token (the gateway's and the CLI's); PORTICO_ADMIN_URL the admin listener
signals: SIGTERM/SIGINT drain and stop; SIGHUP reloads the config file (so does saving it)`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h') {
    console.log(USAGE);
    return 0;
  }
  if (command === 'keys') return (await import('./runKeys.ts')).runKeys(rest);
  if (command === 'config') return (await import('./runConfig.ts')).runConfig(rest);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      workers: { type: 'string', short: 'w' },
      'data-dir': { type: 'string' },
      fresh: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || !command || command === 'help') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  switch (command) {
    case 'start':
      return (await import('./runStart.ts')).runStart({ configFile: values.config, workers: values.workers });
    case 'dev':
      return (await import('./runDev.ts')).runDev({
        configFile: values.config,
        dataDir: values['data-dir'],
        fresh: values.fresh,
      });
    case 'validate':
      return (await import('./runValidate.ts')).runValidate(positionals);
    case 'schema':
      process.stdout.write((await import('../config/emitJsonSchema.ts')).renderConfigJsonSchema());
      return 0;
    default:
      console.error(`portico: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== -1) process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`portico: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
