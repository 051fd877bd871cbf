import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The ffmpeg and ffprobe programs in use, where they came from, and ffmpeg's version line. */
export interface Binaries {
  ffmpeg: string;
  ffprobe: string;
  source: 'FFMPEG_PATH' | 'PATH' | 'npm';
  version: string;
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function fromNpm(): { ffmpeg: string; ffprobe: string } {
  const require = createRequire(import.meta.url);
  const ffmpeg = (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
  const ffprobe = (require('@ffprobe-installer/ffprobe') as { path: string }).path;
  return { ffmpeg, ffprobe };
}

let cached: Promise<Binaries> | undefined;

/**
 * Finds ffmpeg/ffprobe: FFMPEG_PATH (and FFPROBE_PATH, else ffprobe beside it),
 * else both on PATH, else the static builds shipped by npm packages.
 */
export function locateBinaries(env: { ffmpegPath?: string | undefined; ffprobePath?: string | undefined }): Promise<Binaries> {
  cached ??= (async () => {
    let found: Omit<Binaries, 'version'>;
    if (env.ffmpegPath) {
      const ffprobe = env.ffprobePath ?? path.join(path.dirname(env.ffmpegPath), 'ffprobe');
      found = { ffmpeg: env.ffmpegPath, ffprobe, source: 'FFMPEG_PATH' };
    } else if (onPath('ffmpeg') && onPath('ffprobe')) {
      found = { ffmpeg: onPath('ffmpeg')!, ffprobe: onPath('ffprobe')!, source: 'PATH' };
    } else {
      found = { ...fromNpm(), source: 'npm' };
    }
    const { stdout } = await run(found.ffmpeg, ['-hide_banner', '-version']);
    return { ...found, version: stdout.split('\n')[0]?.trim() ?? 'unknown' };
  })();
  return cached;
}
