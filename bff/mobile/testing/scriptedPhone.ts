// A scripted phone for tests: the app's local cache and action queue, offline/online, replay of
// the queue, delta sync, and a connection that can drop mid-response. Everything it receives is
// checked against the contracts/mobile schemas, so a test sees a shape drift at once.
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import {
  ActionsAnswer,
  RESYNC_REQUIRED,
  SyncAnswer,
  type ActionAnswer,
  type MobileAppointment,
  type MobileProgram,
  type MobileResource,
  type OfflineAction,
} from '../../../contracts/mobile/index.ts';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type PhoneAction = DistributiveOmit<OfflineAction, 'key' | 'at'>;

export interface PhoneResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Bytes on the wire (compressed when the server compressed). */
  wireBytes: number;
  body: Buffer;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

export class PhoneOffline extends Error {
  constructor() {
    super('the phone is offline');
  }
}

export class ConnectionDropped extends Error {
  constructor() {
    super('the connection dropped mid-response');
  }
}

export interface PhoneOptions {
  gatewayUrl: string;
  token: string;
  name?: string;
  /** How far the phone's clock is off (ms; positive: ahead). */
  clockOffsetMs?: number;
  acceptEncoding?: string;
}

export class ScriptedPhone {
  readonly name: string;
  online = true;
  readonly queue: OfflineAction[] = [];
  readonly cache = {
    appointments: new Map<string, MobileAppointment>(),
    programs: new Map<string, MobileProgram>(),
    resources: new Map<string, MobileResource>(),
    cursor: undefined as string | undefined,
  };
  /** Every answer a replay received, in order (tests count outcomes). */
  readonly answers: ActionAnswer[] = [];
  private readonly etags = new Map<string, string>();
  private readonly agent = new http.Agent({ keepAlive: true });

  constructor(private readonly options: PhoneOptions) {
    this.name = options.name ?? 'phone';
  }

  /** The phone's own clock. */
  now(): number {
    return Date.now() + (this.options.clockOffsetMs ?? 0);
  }

  goOffline(): void {
    this.online = false;
  }

  goOnline(): void {
    this.online = true;
  }

  /** The user acts: the action is queued with its own key and the phone's clock. */
  act(action: PhoneAction): OfflineAction {
    const queued = {
      ...action,
      key: `${this.name}-${randomUUID()}`,
      at: new Date(this.now()).toISOString(),
    } as OfflineAction;
    this.queue.push(queued);
    return queued;
  }

  /**
   * Sends the whole queue. Dropped mid-response: nothing is learnt and the queue stays as it was
   * (the app cannot know what was applied). Otherwise each answer settles its action.
   */
  async replay(options: { dropMidResponse?: boolean } = {}): Promise<ActionAnswer[]> {
    if (this.queue.length === 0) return [];
    const response = await this.request('POST', '/mobile/v1/sync/actions', {
      json: { sentAt: new Date(this.now()).toISOString(), actions: this.queue },
      dropMidResponse: options.dropMidResponse,
    });
    if (response.status !== 200)
      throw new Error(`replay answered ${response.status}: ${response.body.toString()}`);
    const { results } = ActionsAnswer.parse(response.json);
    const keep: OfflineAction[] = [];
    results.forEach((answer, index) => {
      this.answers.push(answer);
      const action = this.queue[index]!;
      const outcome = answer.status === 'duplicate' ? answer.original : answer;
      if (answer.retryable) keep.push(action);
      const result = outcome?.result;
      if (result && 'type' in result && (outcome?.status === 'applied' || outcome?.status === 'conflict')) {
        this.storeAppointment(result);
      }
    });
    this.queue.splice(0, this.queue.length, ...keep);
    return results;
  }

  /** Delta sync until nothing more waits; a 410 resync-required drops the cache and starts over. */
  async sync(): Promise<SyncAnswer[]> {
    const pages: SyncAnswer[] = [];
    for (;;) {
      const since = this.cache.cursor ? `?since=${encodeURIComponent(this.cache.cursor)}` : '';
      const response = await this.request('GET', `/mobile/v1/sync${since}`);
      if (response.status === 410 && response.json?.code === RESYNC_REQUIRED) {
        this.cache.appointments.clear();
        this.cache.programs.clear();
        this.cache.resources.clear();
        this.cache.cursor = undefined;
        continue;
      }
      if (response.status !== 200) throw new Error(`sync answered ${response.status}`);
      const page = SyncAnswer.parse(response.json);
      pages.push(page);
      for (const item of page.programs.changed) this.cache.programs.set(item.id, item);
      for (const item of page.resources.changed) this.cache.resources.set(item.id, item);
      for (const item of page.appointments.changed) this.storeAppointment(item);
      for (const tombstone of page.appointments.deleted) this.cache.appointments.delete(tombstone.id);
      this.cache.cursor = page.cursor;
      if (!page.more) return pages;
    }
  }

  /** A screen, revalidated with the ETag of the last answer to the same path. */
  async screen(path: string, options: { revalidate?: boolean } = {}): Promise<PhoneResponse> {
    const etag = options.revalidate === false ? undefined : this.etags.get(path);
    const response = await this.request('GET', path, { headers: etag ? { 'if-none-match': etag } : {} });
    const tag = response.headers.etag;
    if (response.status === 200 && typeof tag === 'string') this.etags.set(path, tag);
    return response;
  }

  async request(
    method: string,
    path: string,
    options: { json?: unknown; headers?: Record<string, string>; dropMidResponse?: boolean } = {},
  ): Promise<PhoneResponse> {
    if (!this.online) throw new PhoneOffline();
    const body = options.json === undefined ? undefined : Buffer.from(JSON.stringify(options.json));
    const url = new URL(path, this.options.gatewayUrl);
    return new Promise((resolve, reject) => {
      const req = http.request(
        url,
        {
          method,
          agent: this.agent,
          headers: {
            authorization: `Bearer ${this.options.token}`,
            'accept-encoding': this.options.acceptEncoding ?? 'br, gzip',
            ...(body ? { 'content-type': 'application/json', 'content-length': String(body.length) } : {}),
            ...options.headers,
          },
        },
        (res) => {
          if (options.dropMidResponse) {
            // The radio goes: the status line arrived, the body never does.
            res.socket.destroy();
            res.on('error', () => undefined);
            reject(new ConnectionDropped());
            return;
          }
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const wire = Buffer.concat(chunks);
            const encoding = res.headers['content-encoding'];
            const decoded =
              encoding === 'br' ? brotliDecompressSync(wire) : encoding === 'gzip' ? gunzipSync(wire) : wire;
            const type = String(res.headers['content-type'] ?? '');
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              wireBytes: wire.length,
              body: decoded,
              json:
                type.includes('json') && decoded.length ? JSON.parse(decoded.toString('utf8')) : undefined,
            });
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }

  private storeAppointment(item: MobileAppointment): void {
    if (item.status === 'cancelled' || item.status === 'declined') this.cache.appointments.delete(item.id);
    else this.cache.appointments.set(item.id, item);
  }
}
