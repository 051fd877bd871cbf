import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fetchSource } from './fetch.ts';

const dest = fs.mkdtempSync(path.join(os.tmpdir(), 'aula-fetch-'));
afterAll(() => fs.rmSync(dest, { recursive: true, force: true }));

const fetchFrom = (repoUrl: string, ref: string | null = null, allowLocal = false) =>
  fetchSource({ repoUrl, ref, dest, allowLocal, timeoutMs: 5000, signal: new AbortController().signal, onLine: () => undefined });

describe('what the fetch refuses, before git runs', () => {
  it.each([
    ['', 'the project has no repository URL'],
    ['http://example.com/team/app.git', 'must be https'],
    ['ssh://git@example.com/team/app.git', 'must be https'],
    ['https://127.0.0.1/team/app.git', 'non-public address'],
    ['https://10.1.2.3/team/app.git', 'non-public address'],
    ['https://[::1]/team/app.git', 'non-public address'],
    ['https://169.254.169.254/latest/meta-data', 'non-public address'],
    ['/srv/git/app.git', 'local repositories are not allowed'],
  ])('%s', async (url, message) => {
    await expect(fetchFrom(url)).rejects.toThrow(message);
  });

  it('refuses a ref that git would read as an option', async () => {
    await expect(fetchFrom('/srv/git/app.git', '--upload-pack=touch /tmp/pwned', true)).rejects.toThrow('not a valid branch, tag or commit name');
  });
});
