import type { Readable } from 'node:stream';

/** Size and modification time of a stored object. */
export interface ObjectInfo {
  key: string;
  size: number;
  modifiedAt: Date;
}

/** An inclusive byte range, as in HTTP Range. */
export interface ByteRange {
  start: number;
  end: number;
}

/** Thrown for keys that could escape the storage root or are malformed. */
export class InvalidKeyError extends Error {
  override name = 'InvalidKeyError';
}

/** Thrown when a key names no object. */
export class ObjectNotFoundError extends Error {
  override name = 'ObjectNotFoundError';
}

/** Where files live: a local directory by default; every method streams. */
export interface Storage {
  /** Writes the stream under key atomically (readers never see a half-written object); returns its size. */
  put(key: string, body: Readable, opts?: { maxBytes?: number }): Promise<ObjectInfo>;
  /** Reads the object, or only the inclusive byte range. */
  get(key: string, range?: ByteRange): Promise<Readable>;
  stat(key: string): Promise<ObjectInfo | undefined>;
  /** Removes the object; removing a missing one is not an error. */
  delete(key: string): Promise<void>;
  /** Every object whose key starts with prefix (a folder-like prefix ending in `/`, or empty). */
  list(prefix: string): Promise<ObjectInfo[]>;
  /** Removes partial writes (left by a killed process) last modified before `olderThan`; returns how many. */
  removeStalePartials(olderThan: Date): Promise<number>;
}

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Checks a storage key: `/`-separated segments of letters, digits, `.`, `_`, `-`; no `..`. */
export function assertValidKey(key: string, allowEmptyPrefix = false): void {
  if (allowEmptyPrefix && key === '') return;
  const trimmed = allowEmptyPrefix && key.endsWith('/') ? key.slice(0, -1) : key;
  const segments = trimmed.split('/');
  if (trimmed.length > 1024 || !segments.every((s) => SEGMENT.test(s) && !s.includes('..'))) {
    throw new InvalidKeyError(`invalid storage key: ${JSON.stringify(key)}`);
  }
}
