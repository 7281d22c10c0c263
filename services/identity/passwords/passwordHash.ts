// scrypt password hashes, self-describing (`scrypt$N$r$p$salt$hash`): a hash made with other
// parameters (an older cost, or tests' cheaper one) still verifies.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { ScryptOptions } from 'node:crypto';

const KEY_LENGTH = 32;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(
      password.normalize('NFKC'),
      salt,
      KEY_LENGTH,
      { ...options, maxmem: 256 * 1024 * 1024 },
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, stored: string): Promise<boolean>;
  /** Verified against when the email is unknown, so a miss costs as much as a wrong password. */
  dummyHash: string;
}

/** `log2Cost` is scrypt's N as a power of two (15 → N = 32768, about 32 MB per hash). */
export function createPasswordHasher(log2Cost: number): PasswordHasher {
  const params = { N: 2 ** log2Cost, r: BLOCK_SIZE, p: PARALLELISM };
  const encode = (salt: Buffer, key: Buffer) =>
    ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join('$');
  return {
    async hash(password) {
      const salt = randomBytes(16);
      return encode(salt, await derive(password, salt, params));
    },
    async verify(password, stored) {
      const [scheme, n, r, p, salt, hash] = stored.split('$');
      if (scheme !== 'scrypt' || !salt || !hash) return false;
      const expected = Buffer.from(hash, 'base64url');
      const key = await derive(password, Buffer.from(salt, 'base64url'), {
        N: Number(n),
        r: Number(r),
        p: Number(p),
      });
      return key.length === expected.length && timingSafeEqual(key, expected);
    },
    dummyHash: encode(Buffer.alloc(16), Buffer.alloc(KEY_LENGTH)),
  };
}
