// A plugin module may be TypeScript. From the sources (tsx, vitest) it loads as it is; a process
// that runs from the launcher's bundle (gateway/bin/bundle.js) has no TypeScript loader until one
// is needed, so it registers tsx on the first such module.
let registered: Promise<void> | undefined;

export function loaderFor(path: string): Promise<void> {
  if (!process.env.PORTICO_BUNDLE_DIR || !/\.[cm]?tsx?$/.test(path)) return Promise.resolve();
  registered ??= import('tsx/esm/api').then(({ register }) => {
    register();
  });
  return registered;
}
