import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findBinaries } from './binaries.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aula-binaries-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('finding ffmpeg and ffprobe', () => {
  it('FFPROBE_PATH works on its own, without FFMPEG_PATH', async () => {
    const found = await findBinaries({});
    const ownProbe = path.join(dir, 'my-ffprobe');
    fs.symlinkSync(found.ffprobe, ownProbe);
    const chosen = await findBinaries({ ffprobePath: ownProbe });
    expect(chosen.ffprobe).toBe(ownProbe);
    expect(chosen.ffmpeg).toBe(found.ffmpeg);
  });

  it('FFMPEG_PATH alone takes the ffprobe beside it; both set are both used', async () => {
    const found = await findBinaries({});
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.symlinkSync(found.ffmpeg, path.join(dir, 'bin', 'ffmpeg'));
    const beside = await findBinaries({ ffmpegPath: path.join(dir, 'bin', 'ffmpeg') });
    expect(beside).toMatchObject({ ffmpeg: path.join(dir, 'bin', 'ffmpeg'), ffprobe: path.join(dir, 'bin', 'ffprobe'), source: 'FFMPEG_PATH' });
    const both = await findBinaries({ ffmpegPath: path.join(dir, 'bin', 'ffmpeg'), ffprobePath: found.ffprobe });
    expect(both.ffprobe).toBe(found.ffprobe);
  });
});
