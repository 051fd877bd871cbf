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

/**
 * Finds ffmpeg/ffprobe, each on its own: FFMPEG_PATH / FFPROBE_PATH when set (ffprobe
 * beside FFMPEG_PATH when only that is set), else on PATH, else the static builds
 * shipped by npm packages. `source` says where ffmpeg came from.
 */
export async function findBinaries(env: { ffmpegPath?: string | undefined; ffprobePath?: string | undefined }): Promise<Binaries> {
  const npm = () => fromNpm();
  const pathFfmpeg = onPath('ffmpeg');
  const pathFfprobe = onPath('ffprobe');
  const ffmpeg = env.ffmpegPath ?? pathFfmpeg ?? npm().ffmpeg;
  const ffprobe = env.ffprobePath ?? (env.ffmpegPath ? path.join(path.dirname(env.ffmpegPath), 'ffprobe') : (pathFfprobe ?? npm().ffprobe));
  const source: Binaries['source'] = env.ffmpegPath ? 'FFMPEG_PATH' : pathFfmpeg ? 'PATH' : 'npm';
  const { stdout } = await run(ffmpeg, ['-hide_banner', '-version']);
  return { ffmpeg, ffprobe, source, version: stdout.split('\n')[0]?.trim() ?? 'unknown' };
}

let cached: Promise<Binaries> | undefined;

/** findBinaries, once per process. */
export function locateBinaries(env: { ffmpegPath?: string | undefined; ffprobePath?: string | undefined }): Promise<Binaries> {
  cached ??= findBinaries(env);
  return cached;
}
