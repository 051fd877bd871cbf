import { execFile } from 'node:child_process';
import { mediaSettings } from '../src/modules/media/config.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../src/platform/config.ts';
import { locateBinaries } from '../src/modules/media/binaries.ts';
import { probe } from '../src/modules/media/probe.ts';
import { contentSeconds, renderArgs, runFfmpeg } from '../src/modules/media/transcode.ts';
import type { BenchRow } from './table.ts';

const run = promisify(execFile);

async function timed(action: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await action();
  return (performance.now() - started) / 1000;
}

/** Aula's render (probe + one ffmpeg run) on a 60 s 1080p30 input, next to a hand-written single command and a naive multi-step run. */
export async function mediaPipeline(): Promise<BenchRow[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aula-bench-media-'));
  try {
    const { ffmpeg, ffprobe } = await locateBinaries({});
    const media = mediaSettings.get(loadConfig({}));
    const settings = { logo: media.logo, bumperSec: 2, maxSec: 20, fit: 'pad' as const };
    const input = path.join(dir, 'input.mp4');
    const ff = (args: string[]) => run(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', ...args], { maxBuffer: 1 << 24 });
    await ff([
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=1920x1080:rate=30:duration=60',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=330:duration=60',
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-c:a',
      'aac',
      '-shortest',
      input,
    ]);
    const out = (name: string) => path.join(dir, name);

    const ours = await timed(async () => {
      const facts = await probe(ffprobe, input);
      const total = contentSeconds(facts, settings) + 4;
      await runFfmpeg(
        ffmpeg,
        renderArgs(input, facts, settings, { video: out('ours.mp4'), thumbnail: out('ours.jpg') }),
        total,
        new AbortController().signal,
        () => undefined,
      );
    });

    const fit = 'scale=1280:720:force_original_aspect_ratio=decrease,pad=1280:720:(ow-iw)/2:(oh-ih)/2:black,fps=30,format=yuv420p,setsar=1';
    const encode = [
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-crf',
      '23',
      '-pix_fmt',
      'yuv420p',
      '-r',
      '30',
      '-c:a',
      'aac',
      '-b:a',
      '128k',
      '-ar',
      '48000',
      '-ac',
      '2',
    ];
    const handMade = await timed(() =>
      ff([
        '-loop',
        '1',
        '-framerate',
        '30',
        '-t',
        '2',
        '-i',
        settings.logo,
        '-t',
        '16',
        '-i',
        input,
        '-f',
        'lavfi',
        '-t',
        '2',
        '-i',
        'anullsrc=r=48000:cl=stereo',
        '-f',
        'lavfi',
        '-t',
        '2',
        '-i',
        'anullsrc=r=48000:cl=stereo',
        '-filter_complex',
        `[0:v]${fit},split[i][o];[1:v]${fit},split[c][t];[t]trim=start=1,setpts=PTS-STARTPTS,scale=640:360[th];` +
          '[1:a]aformat=sample_rates=48000:channel_layouts=stereo[a];[2:a]aformat=sample_rates=48000:channel_layouts=stereo[s1];[3:a]aformat=sample_rates=48000:channel_layouts=stereo[s2];' +
          '[i][s1][c][a][o][s2]concat=n=3:v=1:a=1[v][aa]',
        '-map',
        '[v]',
        '-map',
        '[aa]',
        ...encode,
        '-movflags',
        '+faststart',
        out('hand.mp4'),
        '-map',
        '[th]',
        '-frames:v',
        '1',
        out('hand.jpg'),
      ]),
    );

    const naive = await timed(async () => {
      await ff(['-i', input, '-vf', fit, ...encode, out('content-full.mp4')]); // the whole input, then cut
      await ff(['-i', out('content-full.mp4'), '-t', '16', '-c', 'copy', out('content.mp4')]);
      for (const part of ['intro', 'outro']) {
        await ff([
          '-loop',
          '1',
          '-framerate',
          '30',
          '-t',
          '2',
          '-i',
          settings.logo,
          '-f',
          'lavfi',
          '-t',
          '2',
          '-i',
          'anullsrc=r=48000:cl=stereo',
          '-vf',
          fit,
          ...encode,
          out(`${part}.mp4`),
        ]);
      }
      fs.writeFileSync(out('list.txt'), ['intro', 'content', 'outro'].map((p) => `file '${out(`${p}.mp4`)}'`).join('\n'));
      await ff(['-f', 'concat', '-safe', '0', '-i', out('list.txt'), ...encode, '-movflags', '+faststart', out('naive.mp4')]);
      await ff(['-ss', '1', '-i', out('content.mp4'), '-frames:v', '1', '-vf', 'scale=640:360', out('naive.jpg')]);
    });

    return [
      {
        case: '60 s 1080p30 input → 20 s 720p MP4 + thumbnail',
        unit: 's',
        ours,
        baseline: handMade,
        baselineName: 'hand-written single ffmpeg command',
        higherIsBetter: false,
      },
      {
        case: 'same, against a naive multi-step run',
        unit: 's',
        ours,
        baseline: naive,
        baselineName: 'naive: full transcode, cut, bumpers, concat, thumbnail',
        higherIsBetter: false,
      },
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
