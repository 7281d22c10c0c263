// Password rules after NIST SP 800-63B: length over composition, and no well-known passwords.
// Returns why a password is weak, or undefined when it is acceptable.

const MIN_LENGTH = 10;
const MAX_LENGTH = 128;

// The most common passwords of public breach corpora that are at least MIN_LENGTH long.
const COMMON = new Set([
  '1234567890',
  '0123456789',
  '1q2w3e4r5t',
  'qwertyuiop',
  'password123',
  'password1234',
  'password12',
  'iloveyou123',
  'qwerty1234',
  'qwerty12345',
  '12345678910',
  'abcdefghij',
  'passw0rd123',
  'letmein1234',
  'welcome123',
  'admin12345',
  'administrator',
  'changeme123',
  'football123',
  'baseball123',
  'sunshine123',
  'princess123',
  'trustno1234',
  'portico1234',
  'password!23',
  'p@ssw0rd123',
]);

export function passwordWeakness(password: string, email?: string): string | undefined {
  if (password.length < MIN_LENGTH) return `The password must be at least ${MIN_LENGTH} characters long.`;
  if (password.length > MAX_LENGTH) return `The password must be at most ${MAX_LENGTH} characters long.`;
  if (COMMON.has(password.toLowerCase())) return 'The password is one of the most commonly used passwords.';
  if (new Set(password).size < 5) return 'The password repeats too few distinct characters.';
  const local = email?.split('@')[0]?.toLowerCase();
  if (local && local.length >= 3 && password.toLowerCase().includes(local)) {
    return 'The password must not contain the email address.';
  }
  return undefined;
}
