import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/app.ts';
import { signUpAndLogIn } from '../identity/test-helpers.ts';
import { upload } from './test-helpers.ts';

// A real full disk: storage on a 1 MB tmpfs (needs root, as CI runs; skipped where mounting is not allowed).
const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aula-full-disk-'));
const mounted = (() => {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', storageDir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

let app: TestApp;
let token: string;
const files = (): string[] =>
  fs
    .readdirSync(storageDir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => e.name);

describe.skipIf(!mounted)('an upload onto a full disk', () => {
  beforeAll(async () => {
    app = await startTestApp({ env: { AULA_MAX_UPLOAD_MB: '5', AULA_STORAGE_DIR: storageDir } });
    token = (await signUpAndLogIn(app.baseUrl, 'fulldisk')).token;
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('gets 507 with a clear message, keeps nothing, and later uploads that fit still work', async () => {
    const big = path.join(os.tmpdir(), `aula-full-disk-${process.pid}.bin`);
    fs.writeFileSync(big, Buffer.alloc(3 * 1024 * 1024, 1));
    try {
      const refused = await upload(app.baseUrl, token, big);
      expect(refused.status).toBe(507);
      expect(refused.body.error.code).toBe('insufficient_storage');
      expect(refused.body.error.message).toMatch(/no room/);
      expect(refused.body.error.message).not.toMatch(/ENOSPC|\/tmp/);
      expect(files()).toEqual([]);
      expect((await fetch(`${app.baseUrl}/api/tasks`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json())).data).toEqual([]);
    } finally {
      fs.rmSync(big, { force: true });
    }
    fs.writeFileSync(big, Buffer.alloc(100 * 1024, 1));
    try {
      expect((await upload(app.baseUrl, token, big)).status).toBe(201);
    } finally {
      fs.rmSync(big, { force: true });
    }
  });
});

afterAll(() => {
  if (mounted) execFileSync('umount', [storageDir]);
  fs.rmSync(storageDir, { recursive: true, force: true });
});
