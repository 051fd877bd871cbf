import { randomUUID } from 'node:crypto';
import type fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertValidKey, InvalidKeyError, ObjectNotFoundError, type ByteRange, type ObjectInfo, type Storage } from './storage.ts';

/** Thrown by put() when the body is larger than maxBytes; nothing is kept. */
export class ObjectTooLargeError extends Error {
  override name = 'ObjectTooLargeError';
}

// Names of files being written; renamed into place when complete.
const PARTIAL_PREFIX = '.tmp-';

function byteLimit(maxBytes: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      done(seen > maxBytes ? new ObjectTooLargeError(`object exceeds ${maxBytes} bytes`) : null, chunk);
    },
  });
}

/** Storage in a local directory; writes go to a temporary file renamed into place. */
export class LocalStorage implements Storage {
  private readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  private pathOf(key: string): string {
    assertValidKey(key);
    const full = path.resolve(this.root, key);
    if (!full.startsWith(this.root + path.sep)) throw new InvalidKeyError(`invalid storage key: ${JSON.stringify(key)}`);
    return full;
  }

  async put(key: string, body: Readable, opts: { maxBytes?: number } = {}): Promise<ObjectInfo> {
    const target = this.pathOf(key);
    // A source that fails before pipeline() listens (a file stream that cannot open, say) must reject
    // this call, not throw an uncaught 'error' event that ends the process.
    let early: Error | undefined;
    const catchEarly = (error: Error) => {
      early ??= error;
    };
    body.on('error', catchEarly);
    const temp = path.join(path.dirname(target), `${PARTIAL_PREFIX}${randomUUID()}`);
    let out: fs.WriteStream;
    try {
      // Open before streaming: a source that fails at once must not race the file's creation.
      out = await this.openTemp(temp);
    } catch (error) {
      body.off('error', catchEarly);
      body.destroy();
      throw error;
    }
    body.off('error', catchEarly);
    try {
      if (early) throw early;
      if (opts.maxBytes === undefined) await pipeline(body, out);
      else await pipeline(body, byteLimit(opts.maxBytes), out);
      await fsp.rename(temp, target);
    } catch (error) {
      out.destroy();
      if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
      await fsp.rm(temp, { force: true });
      throw error;
    }
    const info = await this.stat(key);
    if (!info) throw new ObjectNotFoundError(key);
    return info;
  }

  /** Creates the temporary file, and its folder (again, if a delete removed it as empty meanwhile). */
  private async openTemp(temp: string): Promise<fs.WriteStream> {
    for (let attempt = 0; ; attempt++) {
      await fsp.mkdir(path.dirname(temp), { recursive: true });
      try {
        return (await fsp.open(temp, 'wx')).createWriteStream();
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 2) throw error;
      }
    }
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    const file = this.pathOf(key);
    const handle = await fsp.open(file, 'r').catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'ENOENT' || error.code === 'EISDIR' ? new ObjectNotFoundError(key) : error;
    });
    return handle.createReadStream(range ? { start: range.start, end: range.end } : {});
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    try {
      const s = await fsp.stat(this.pathOf(key));
      return s.isFile() ? { key, size: s.size, modifiedAt: s.mtime } : undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    const file = this.pathOf(key);
    await fsp.rm(file, { force: true });
    // Folders exist only to hold objects: remove the ones this leaves empty, up to the root.
    for (let dir = path.dirname(file); dir !== this.root && dir.startsWith(this.root + path.sep); dir = path.dirname(dir)) {
      try {
        await fsp.rmdir(dir);
      } catch {
        break; // not empty (or already gone)
      }
    }
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    assertValidKey(prefix, true);
    const base = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    const dir = base ? path.join(this.root, base) : this.root;
    const entries = await fsp.readdir(dir, { recursive: true, withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    const found: ObjectInfo[] = [];
    for (const entry of entries) {
      if (!entry.isFile() || entry.name.startsWith(PARTIAL_PREFIX)) continue;
      const key = path.relative(this.root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/');
      if (!key.startsWith(prefix)) continue;
      const info = await this.stat(key);
      if (info) found.push(info);
    }
    return found.sort((a, b) => a.key.localeCompare(b.key));
  }

  async removeStalePartials(olderThan: Date): Promise<number> {
    const entries = await fsp.readdir(this.root, { recursive: true, withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    let removed = 0;
    for (const entry of entries) {
      if (!entry.isFile() || !entry.name.startsWith(PARTIAL_PREFIX)) continue;
      const file = path.join(entry.parentPath, entry.name);
      // A write in progress keeps touching its file, so only long-untouched ones are abandoned.
      const modified = await fsp.stat(file).then(
        (s) => s.mtime,
        () => undefined,
      );
      if (modified === undefined || modified >= olderThan) continue;
      await fsp.rm(file, { force: true });
      removed += 1;
    }
    return removed;
  }
}
