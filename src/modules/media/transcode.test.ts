import { execFile } from 'node:child_process';
import { mediaSettings } from './config.ts';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../platform/config.ts';
import { portraitVideo, tools, videoDir } from '../../../test/videos.ts';
import { probe } from './probe.ts';
import { contentSeconds, renderArgs, runFfmpeg } from './transcode.ts';

const run = promisify(execFile);

/** Mean brightness (0–255) of the 40-pixel-wide left edge of the frame at 3 s. */
async function leftEdgeBrightness(file: string): Promise<number> {
  const { stdout } = await run(
    (await tools()).ffmpeg,
    ['-v', 'error', '-ss', '3', '-i', file, '-frames:v', '1', '-vf', 'crop=40:720:0:0', '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1'],
    {
      encoding: 'buffer',
      maxBuffer: 1 << 20,
    },
  );
  return stdout.reduce((sum, v) => sum + v, 0) / stdout.length;
}

describe('fitting into 16:9', () => {
  it.each([
    ['pad', (b: number) => expect(b).toBeLessThan(20)],
    ['crop', (b: number) => expect(b).toBeGreaterThan(40)],
  ] as const)('%s: black bars beside a portrait input, or none', async (fit, check) => {
    const input = await portraitVideo(4);
    const { ffmpeg, ffprobe } = await tools();
    const facts = await probe(ffprobe, input);
    const settings = { logo: mediaSettings.get(loadConfig({})).logo, bumperSec: 2, maxSec: 20, fit };
    const out = { video: path.join(videoDir, `fit-${fit}.mp4`), thumbnail: path.join(videoDir, `fit-${fit}.jpg`) };
    const seen: number[] = [];
    await runFfmpeg(ffmpeg, renderArgs(input, facts, settings, out), contentSeconds(facts, settings) + 4, new AbortController().signal, (p) => seen.push(p));
    expect(seen.length).toBeGreaterThan(0);
    expect(seen).toEqual([...seen].sort((a, b) => a - b)); // progress only goes up
    check(await leftEdgeBrightness(out.video));
  });

  it('an aborted render kills ffmpeg and rejects with the reason', async () => {
    const input = await portraitVideo(4);
    const { ffmpeg, ffprobe } = await tools();
    const facts = await probe(ffprobe, input);
    const controller = new AbortController();
    const settings = { logo: mediaSettings.get(loadConfig({})).logo, bumperSec: 2, maxSec: 20, fit: 'pad' as const };
    const render = runFfmpeg(
      ffmpeg,
      renderArgs(input, facts, settings, { video: path.join(videoDir, 'aborted.mp4'), thumbnail: path.join(videoDir, 'aborted.jpg') }),
      8,
      controller.signal,
      () => controller.abort('stop'),
    );
    await expect(render).rejects.toBe('stop');
  });
});
