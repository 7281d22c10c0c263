import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../testing/index.ts';
import { tracingOptions } from './schema.ts';

describe('tracing options', () => {
  it('defaults: no export, a new trace at the edge, every trace kept', () => {
    expect(tracingOptions.parse({})).toEqual({
      serviceName: 'portico-gateway',
      resourceAttributes: {},
      trustIncoming: false,
      sampleRatio: 1,
      exporter: false,
    });
  });

  it('an exporter gets its timeout and batch defaults', () => {
    const options = tracingOptions.parse({ exporter: { url: 'http://collector:4318/v1/traces' } });
    expect(options.exporter).toEqual({
      url: 'http://collector:4318/v1/traces',
      headers: {},
      timeout: 10_000,
      compression: 'none',
      batch: { maxQueueSize: 2048, maxExportBatchSize: 512, scheduledDelay: 5000, exportTimeout: 30_000 },
    });
  });

  it('names the path of a bad value', async () => {
    const issue = (options: Record<string, unknown>) =>
      resolveConfig({ plugins: [{ name: 'tracing', options }] });
    await expect(issue({ sampleRatio: 1.5 })).rejects.toThrow(/plugins\[0\]\.options\.sampleRatio/);
    await expect(issue({ exporter: { url: 'ftp://collector/v1/traces' } })).rejects.toThrow(
      /plugins\[0\]\.options\.exporter/,
    );
    await expect(
      issue({
        exporter: { url: 'http://c:4318/v1/traces', batch: { maxQueueSize: 10, maxExportBatchSize: 20 } },
      }),
    ).rejects.toThrow(/plugins\[0\]\.options\.exporter\.batch\.maxExportBatchSize/);
    await expect(issue({ trustIncoming: 'yes' })).rejects.toThrow(/plugins\[0\]\.options\.trustIncoming/);
    await expect(issue({ sampler: 'always' })).rejects.toThrow(/plugins\[0\]\.options/);
  });

  it('a route may only turn it off', async () => {
    await expect(
      resolveConfig({
        upstreams: { u: { url: 'http://127.0.0.1:1' } },
        plugins: [{ name: 'tracing' }],
        routes: [{ path: '/x', upstream: 'u', plugins: { tracing: { sampleRatio: 0 } } }],
      }),
    ).rejects.toThrow(/routes\[0\]\.plugins\.tracing/);
  });
});
