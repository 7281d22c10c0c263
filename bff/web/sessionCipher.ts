// Session records are sealed with AES-256-GCM before they reach a store, so a Redis dump holds no
// token in plain text. The sealed form carries the key id (rotation: the first key seals, any
// listed key opens) and is bound to the record's store key as associated data, so a record copied
// under another session's key does not open.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface SessionKey {
  id: string;
  /** 32 bytes. */
  key: Buffer;
}

export interface SessionCipher {
  seal(plain: string, boundTo: string): string;
  /** The plain text, or undefined when no key opens it (unknown key id, tampered, other binding). */
  open(sealed: string, boundTo: string): string | undefined;
}

const VERSION = 'v1';

export function createSessionCipher(keys: readonly SessionKey[]): SessionCipher {
  const [current] = keys;
  if (!current) throw new Error('web-bff: at least one session encryption key is needed');
  const byId = new Map(keys.map((entry) => [entry.id, entry.key]));
  return {
    seal(plain, boundTo) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', current.key, iv);
      cipher.setAAD(Buffer.from(boundTo));
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [
        VERSION,
        current.id,
        iv.toString('base64url'),
        tag.toString('base64url'),
        body.toString('base64url'),
      ].join('.');
    },
    open(sealed, boundTo) {
      const [version, id, iv, tag, body] = sealed.split('.');
      if (version !== VERSION || !id || !iv || !tag || body === undefined) return undefined;
      const key = byId.get(id);
      if (!key) return undefined;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAAD(Buffer.from(boundTo));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
          'utf8',
        );
      } catch {
        return undefined;
      }
    },
  };
}
