import { execFile } from 'node:child_process';
import { mediaSettings } from './config.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { probe } from './probe.ts';
import { renderArgs } from './transcode.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/app.ts';
import { waitUntil } from '../../../test/wait.ts';
import {
  audioWithCoverArt,
  corruptVideo,
  emptyFile,
  hugeDeclaredAvi,
  oneFrameVideo,
  playlistPointingAt,
  ffprobeFacts,
  landscapeVideo,
  longVideo,
  portraitVideo,
  rotatedVideo,
  silentVideo,
  textAsVideo,
  tools,
  tooWideVideo,
} from '../../../test/videos.ts';
import { signUpAndLogIn } from '../identity/test-helpers.ts';
import { upload, waitForTask } from './test-helpers.ts';

let app: TestApp;
let token: string;
const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aula-media-out-'));

beforeAll(async () => {
  app = await startTestApp({ queues: ['media.process'] });
  token = (await signUpAndLogIn(app.baseUrl, 'pipeline')).token;
});
afterAll(async () => {
  await app.stop();
  fs.rmSync(outDir, { recursive: true, force: true });
});

async function processAndDownload(file: string) {
  const created = await upload(app.baseUrl, token, file, { title: path.basename(file) });
  expect(created.status).toBe(201);
  expect(created.body.status).toBe('queued');
  const task = await waitForTask(app.baseUrl, token, created.body.id);
  return task;
}

async function downloadProcessed(task: { id: string; links: { processed: string } }) {
  const response = await fetch(`${app.baseUrl}${task.links.processed}`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('video/mp4');
  const file = path.join(outDir, `${task.id}.mp4`);
  fs.writeFileSync(file, Buffer.from(await response.arrayBuffer()));
  return ffprobeFacts(file);
}

function expectStandardOutput(facts: Awaited<ReturnType<typeof ffprobeFacts>>, expectedDuration: number) {
  expect(facts).toMatchObject({
    width: 1280,
    height: 720,
    sar: '1:1',
    videoCodec: 'h264',
    pixFmt: 'yuv420p',
    frameRate: '30/1',
    audioCodec: 'aac',
    audioProfile: 'LC',
    sampleRate: '48000',
    channels: 2,
  });
  expect(Math.abs(facts.duration - expectedDuration)).toBeLessThanOrEqual(0.2);
}

describe('video processing end to end', () => {
  it('upload → processed → download: 1280×720 H.264/AAC, content + 2 × 2 s of logo', async () => {
    const task = await processAndDownload(await landscapeVideo(6));
    expect(task).toMatchObject({ status: 'processed', progress: 100, error: null, input: { width: 640, height: 480 }, output: { width: 1280, height: 720 } });
    expect(task.input.durationSec).toBeCloseTo(6, 1);
    const job = await app.runtime.queues.queue('media.process').getJob(task.id);
    expect(job?.progress).toBeGreaterThan(0); // ffmpeg's -progress reaches the job as well as the task
    expectStandardOutput(await downloadProcessed(task), 6 + 4);
    const thumb = await fetch(`${app.baseUrl}${task.links.thumbnail}`);
    expect(thumb.headers.get('content-type')).toBe('image/jpeg');
    const thumbFile = path.join(outDir, 'thumb.jpg');
    fs.writeFileSync(thumbFile, Buffer.from(await thumb.arrayBuffer()));
    expect(await ffprobeFacts(thumbFile)).toMatchObject({ width: 640, height: 360 });
  });

  it('keeps only the first 16 s of a longer input', async () => {
    const task = await processAndDownload(await landscapeVideo(19));
    expectStandardOutput(await downloadProcessed(task), 16 + 4);
  });

  it('fits a portrait input, with its audio', async () => {
    const task = await processAndDownload(await portraitVideo(4));
    expect(task.input).toMatchObject({ width: 360, height: 640 });
    expectStandardOutput(await downloadProcessed(task), 4 + 4);
  });

  it('respects rotation metadata: a 640×480 stream shown at 90° is a portrait input', async () => {
    const task = await processAndDownload(await rotatedVideo());
    expect(task.input).toMatchObject({ width: 480, height: 640 });
    expectStandardOutput(await downloadProcessed(task), 3 + 4);
  });

  it('gives an input without audio a silent track', async () => {
    const task = await processAndDownload(await silentVideo(3));
    expectStandardOutput(await downloadProcessed(task), 3 + 4);
  });

  it('reads only the start of a 30-minute input', async () => {
    const input = await longVideo(1800);
    const task = await processAndDownload(input);
    expect(task.input.durationSec).toBeCloseTo(1800, 0);
    expectStandardOutput(await downloadProcessed(task), 20);
    // Observe how much of the input ffmpeg demuxes with the very arguments the worker uses (at verbose log level).
    const { ffmpeg, ffprobe } = await tools();
    const facts = await probe(ffprobe, input);
    const out = { video: path.join(outDir, 'long.mp4'), thumbnail: path.join(outDir, 'long.jpg') };
    const args = renderArgs(input, facts, { logo: mediaSettings.get(app.config).logo, bumperSec: 2, maxSec: 20, fit: 'pad' }, out).map((a) =>
      a === 'error' ? 'verbose' : a,
    );
    const { stderr } = await promisify(execFile)(ffmpeg, args, { maxBuffer: 64 * 1024 * 1024 });
    const section = stderr.slice(stderr.indexOf('Input file #1'));
    const demuxed = Number(/Total: \d+ packets \((\d+) bytes\) demuxed/.exec(section)?.[1]);
    expect(demuxed).toBeGreaterThan(0);
    expect(demuxed / fs.statSync(input).size).toBeLessThan(0.05); // 16 s of 1800: about 1 %, nowhere near all of it
  }, 180_000);

  it.each([
    ['a corrupt file', corruptVideo, /not a video ffprobe can read/],
    ['a text file renamed .mp4', async () => textAsVideo(), /not a video ffprobe can read/],
    ['an empty file', async () => emptyFile(), /not a video ffprobe can read/],
    ['a video wider than 8K', tooWideVideo, /at most 8192 pixels per side/],
    ['a playlist that points at another local file', async () => playlistPointingAt(await landscapeVideo(6)), /not a video ffprobe can read/],
    ['an m4a whose only picture is its cover art', audioWithCoverArt, /no video stream/],
    ['an AVI declaring 8000×8000 frames that hold far less data', hugeDeclaredAvi, /corrupt/],
  ])('fails %s once, with a readable reason', async (_name, make, reason) => {
    const task = await processAndDownload(await make());
    expect(task.status).toBe('failed');
    expect(task.error).toMatch(reason);
    expect(task.links.processed).toBeNull();
    const queue = app.runtime.queues.queue('media.process');
    await waitUntil(async () => (await (await queue.getJob(task.id))?.getState()) === 'failed');
    expect((await queue.getJob(task.id))?.attemptsMade).toBe(1); // not retried
    expect((await fetch(`${app.baseUrl}/health`)).status).toBe(200); // and the process still serves
  });

  it('a one-frame video (no thumbnail at the usual offset) is processed, its thumbnail from the first frame', async () => {
    const task = await processAndDownload(await oneFrameVideo());
    expect(task).toMatchObject({ status: 'processed', error: null });
    const thumb = await fetch(`${app.baseUrl}${task.links.thumbnail}`);
    expect(thumb.status).toBe(200);
    const thumbFile = path.join(outDir, 'one-frame.jpg');
    fs.writeFileSync(thumbFile, Buffer.from(await thumb.arrayBuffer()));
    expect(await ffprobeFacts(thumbFile)).toMatchObject({ width: 640, height: 360 });
  });
});
