import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalStorage, ObjectTooLargeError } from './local.ts';
import { InvalidKeyError, ObjectNotFoundError } from './storage.ts';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'aula-storage-'));
const storage = new LocalStorage(root);

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('LocalStorage', () => {
  it('puts a stream and reads it back, whole and by byte range', async () => {
    const info = await storage.put('tasks/1/original.mp4', Readable.from(['hello ', 'world']));
    expect(info).toMatchObject({ key: 'tasks/1/original.mp4', size: 11 });
    expect(await text(await storage.get('tasks/1/original.mp4'))).toBe('hello world');
    expect(await text(await storage.get('tasks/1/original.mp4', { start: 6, end: 10 }))).toBe('world');
    expect(await storage.stat('tasks/1/original.mp4')).toMatchObject({ size: 11 });
  });

  it('lists by prefix and deletes', async () => {
    await storage.put('tasks/2/a.txt', Readable.from(['a']));
    await storage.put('tasks/2/b.txt', Readable.from(['bb']));
    await storage.put('tasks/20/c.txt', Readable.from(['c']));
    expect((await storage.list('tasks/2/')).map((o) => o.key)).toEqual(['tasks/2/a.txt', 'tasks/2/b.txt']);
    expect((await storage.list('tasks/2')).map((o) => o.key)).toEqual(['tasks/2/a.txt', 'tasks/2/b.txt', 'tasks/20/c.txt']);
    await storage.delete('tasks/2/a.txt');
    await storage.delete('tasks/2/a.txt'); // twice is fine
    expect(await storage.stat('tasks/2/a.txt')).toBeUndefined();
    await expect(storage.get('tasks/2/a.txt')).rejects.toBeInstanceOf(ObjectNotFoundError);
    expect(await storage.list('nothing/')).toEqual([]);
  });

  it('replaces an object atomically', async () => {
    await storage.put('x/v', Readable.from(['one']));
    await storage.put('x/v', Readable.from(['two']));
    expect(await text(await storage.get('x/v'))).toBe('two');
  });

  it.each(['../escape', '/abs/path', 'a/../b', '', 'a//b', 'a/./b', '.hidden', 'sp ace', 'a\\b'])('refuses the key %j', async (key) => {
    await expect(storage.put(key, Readable.from(['x']))).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(storage.get(key)).rejects.toBeInstanceOf(InvalidKeyError);
  });

  it('aborts a write past maxBytes and keeps nothing', async () => {
    const body = Readable.from([Buffer.alloc(600), Buffer.alloc(600)]);
    await expect(storage.put('big/file', body, { maxBytes: 1000 })).rejects.toBeInstanceOf(ObjectTooLargeError);
    expect(await storage.stat('big/file')).toBeUndefined();
    expect(fs.readdirSync(path.join(root, 'big'))).toEqual([]);
  });

  it('keeps nothing when the source stream fails midway', async () => {
    const failing = new Readable({
      read() {
        this.push('partial');
        this.destroy(new Error('client went away'));
      },
    });
    await expect(storage.put('broken/file', failing)).rejects.toThrow('client went away');
    expect(fs.readdirSync(path.join(root, 'broken'))).toEqual([]);
  });
});

describe('LocalStorage, failures that once ended the process', () => {
  it('rejects (instead of an uncaught error) when the source file stream cannot be opened', async () => {
    const missing = fs.createReadStream(path.join(root, 'no-such-file.jpg'));
    await expect(storage.put('tasks/3/thumbnail.jpg', missing)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await storage.stat('tasks/3/thumbnail.jpg')).toBeUndefined();
    expect(fs.readdirSync(path.join(root, 'tasks/3'))).toEqual([]);
  });

  it('removes the folders a delete leaves empty, and only those', async () => {
    await storage.put('tasks/4/a', Readable.from(['a']));
    await storage.put('tasks/4/b', Readable.from(['b']));
    await storage.delete('tasks/4/a');
    expect(fs.readdirSync(path.join(root, 'tasks/4'))).toEqual(['b']);
    await storage.delete('tasks/4/b');
    expect(fs.existsSync(path.join(root, 'tasks/4'))).toBe(false);
    expect(fs.existsSync(root)).toBe(true);
    await storage.put('tasks/4/again', Readable.from(['c'])); // the folder comes back when needed
    expect(await storage.stat('tasks/4/again')).toMatchObject({ size: 1 });
  });
});
