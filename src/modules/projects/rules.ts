import fs from 'node:fs';
import path from 'node:path';
import { HttpError } from '../../platform/http/errors.ts';

/** Slugs that would collide with Aula's own paths. */
export const RESERVED_SLUGS = new Set([
  'api',
  'apps',
  'admin',
  'static',
  'assets',
  'auth',
  'docs',
  'health',
  'ready',
  'metrics',
  'openapi',
  'www',
  'web',
  'app',
  'login',
  'logout',
  'signup',
  'new',
  'edit',
  'by-slug',
  'tags',
  'root',
  'system',
  'aula',
  'public',
  'internal',
  'status',
]);

const SLUG = /^[a-z0-9][a-z0-9-]{1,28}[a-z0-9]$/;
/** Environment variable names: upper case, digits and underscores, not starting with a digit. */
export const ENV_KEY = /^[A-Z_][A-Z0-9_]*$/;
const MAX_TAGS = 10;
const MAX_TAG_LENGTH = 30;

const invalid = (field: string, message: string) => new HttpError(400, 'validation_failed', 'the request is invalid', [{ field, message }]);

/** 400 unless the slug is 3–30 lowercase letters, digits and inner hyphens, and not reserved. */
export function checkSlug(slug: string): void {
  if (!SLUG.test(slug)) throw invalid('slug', 'must be 3–30 lowercase letters, digits or -, not starting or ending with -');
  if (RESERVED_SLUGS.has(slug)) throw invalid('slug', `"${slug}" is reserved`);
}

/** Trims, lower-cases and de-duplicates tags; 400 for an empty or over-long tag, or more than ten. */
export function normaliseTags(tags: string[]): string[] {
  const normalised = [...new Set(tags.map((tag) => tag.trim().toLowerCase()))];
  if (normalised.some((tag) => tag.length === 0)) throw invalid('tags', 'a tag must not be empty');
  if (normalised.some((tag) => tag.length > MAX_TAG_LENGTH)) throw invalid('tags', `a tag has at most ${MAX_TAG_LENGTH} characters`);
  if (normalised.length > MAX_TAGS) throw invalid('tags', `a project has at most ${MAX_TAGS} tags`);
  return normalised.sort();
}

/**
 * 400 unless the repository is empty, an https git URL without credentials, or —
 * when local repositories are allowed (tests) — an absolute path to a bare repository.
 */
export function checkRepoUrl(value: string, allowLocal: boolean): void {
  if (value === '') return;
  if (allowLocal && path.isAbsolute(value)) {
    const bare = fs.existsSync(path.join(value, 'HEAD')) && fs.existsSync(path.join(value, 'objects'));
    if (!bare) throw invalid('repoUrl', 'is not a bare git repository');
    return;
  }
  if (!URL.canParse(value)) throw invalid('repoUrl', 'must be an https git URL');
  const url = new URL(value);
  if (url.protocol !== 'https:' || !url.hostname) throw invalid('repoUrl', 'must be an https git URL');
  if (url.username || url.password) throw invalid('repoUrl', 'must not contain credentials');
  if (url.pathname.length <= 1 || url.search || url.hash) throw invalid('repoUrl', 'must name a repository path, without query or fragment');
}
