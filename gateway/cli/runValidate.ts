import { loadOrReport } from './configFile.ts';

export async function runValidate(files: string[]): Promise<number> {
  if (files.length === 0) {
    console.error('usage: portico validate FILE...');
    return 2;
  }
  let failed = false;
  for (const file of files) {
    const loaded = await loadOrReport(file);
    if (!loaded) failed = true;
    else
      console.log(
        `${file}: ok (${loaded.plugins.map((entry) => entry.plugin.name).join(' > ') || 'no plugins'})`,
      );
  }
  return failed ? 1 : 0;
}
