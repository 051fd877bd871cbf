import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A 32-byte AES key and its short public fingerprint (stored next to each value it seals). */
export interface SecretKey {
  id: string;
  key: Buffer;
}

/** Seals and opens secret values; `previous` keys only open (during a rotation). */
export interface Keyring {
  current: SecretKey;
  previous: SecretKey[];
  /** AES-256-GCM with a fresh random IV; `context` (e.g. project id and variable name) is bound as associated data. */
  seal(plaintext: string, context: string): { sealed: Buffer; keyId: string };
  /** Opens a value sealed under any key of the ring; throws when the key is unknown or the data was altered. */
  open(sealed: Buffer, keyId: string, context: string): string;
}

/** Reads a 32-byte key written as base64/base64url (43–44 characters) or hex (64). */
export function parseSecretKey(text: string): SecretKey {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== 32) throw new Error('a secrets key must be 32 bytes');
  return { id: createHash('sha256').update(key).digest('hex').slice(0, 16), key };
}

/** A new random key, as the text form written to the key file. */
export const newSecretKeyText = (): string => randomBytes(32).toString('base64');

/** The file in the data directory that holds the generated key when AULA_SECRETS_KEY is unset. */
export const secretsKeyFile = (dataDir: string): string => path.join(dataDir, 'secrets-key');

/** Reads the key file, creating it (mode 0600, atomically) on first use. */
export function loadOrCreateKeyFile(file: string): SecretKey {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (!fs.existsSync(file)) {
    // Written aside and linked into place: two processes starting together agree on one key.
    const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    fs.writeFileSync(temp, `${newSecretKeyText()}\n`, { mode: 0o600 });
    try {
      fs.linkSync(temp, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      fs.rmSync(temp, { force: true });
    }
  }
  return parseSecretKey(fs.readFileSync(file, 'utf8'));
}

/** Builds the keyring from the configured keys, or from `<dataDir>/secrets-key` (and `secrets-key.previous`). */
export function loadKeyring(configured: { current?: string | undefined; previous?: string | undefined }, dataDir: string): Keyring {
  const file = secretsKeyFile(dataDir);
  const current = configured.current ? parseSecretKey(configured.current) : loadOrCreateKeyFile(file);
  const previousText = configured.previous ?? (fs.existsSync(`${file}.previous`) ? fs.readFileSync(`${file}.previous`, 'utf8') : undefined);
  return createKeyring(current, previousText ? [parseSecretKey(previousText)] : []);
}

/** A keyring over explicit keys. */
export function createKeyring(current: SecretKey, previous: SecretKey[] = []): Keyring {
  const byId = new Map([current, ...previous].map((k) => [k.id, k]));
  return {
    current,
    previous,
    seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', current.key, iv);
      cipher.setAAD(Buffer.from(context));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return { sealed: Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]), keyId: current.id };
    },
    open(sealed, keyId, context) {
      const key = byId.get(keyId);
      if (!key) throw new Error(`no secrets key with id ${keyId} is configured (was AULA_SECRETS_KEY changed without a rotation?)`);
      if (sealed[0] !== VERSION || sealed.length < 1 + IV_BYTES + TAG_BYTES) throw new Error('sealed value has an unknown format');
      const decipher = createDecipheriv('aes-256-gcm', key.key, sealed.subarray(1, 1 + IV_BYTES));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(sealed.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(sealed.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    },
  };
}

/** What the API shows instead of a value: its length class and at most its last two characters. */
export function maskedHint(value: string): string {
  return value.length >= 12 ? `••••${value.slice(-2)}` : '••••';
}
