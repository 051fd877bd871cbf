import { describe, expect, it } from 'vitest';
import { DISK_FULL, classifyFailure } from './failures.ts';
import { InvalidVideoError } from './probe.ts';
import { RenderError } from './transcode.ts';

const ffmpegSaid = (stderr: string) => new RenderError(1, null, stderr);

describe('classifying media job failures', () => {
  it.each([
    [
      '[h264 @ 0x1] Invalid NAL unit size\nError while decoding stream #1:0: Invalid data found when processing input',
      'the video is corrupt (its data cannot be decoded)',
    ],
    ['Decoder (codec prores_raw) not found for input stream #1:0', 'the video uses a codec Aula cannot decode (unsupported codec)'],
    ["Stream map '1:v' matches no streams.", 'the file has no video stream'],
  ])('bad input from ffmpeg is permanent with a user-safe reason: %s', (stderr, reason) => {
    expect(classifyFailure(ffmpegSaid(`/tmp/aula-task-x/input: ${stderr}`))).toEqual({ reason, permanent: true });
  });

  it('a full disk is transient, whether ffmpeg or the storage reports it', () => {
    expect(classifyFailure(ffmpegSaid('av_interleaved_write_frame(): No space left on device'))).toEqual({ reason: DISK_FULL, permanent: false });
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    expect(classifyFailure(new Error('wrapped', { cause: enospc }))).toEqual({ reason: DISK_FULL, permanent: false });
  });

  it('an ffmpeg killed by a signal, an unknown ffmpeg error and server errors are retried, with no detail leaked', () => {
    expect(classifyFailure(new RenderError(null, 'SIGKILL', ''))).toMatchObject({ permanent: false });
    expect(classifyFailure(ffmpegSaid('something odd at /srv/secret/path'))).toEqual({ reason: 'ffmpeg could not convert this video', permanent: false });
    const db = classifyFailure(new Error('relation "media.tasks" does not exist'));
    expect(db.permanent).toBe(false);
    expect(db.reason).not.toMatch(/media\.tasks|relation/);
  });

  it('an invalid video keeps its own message', () => {
    expect(classifyFailure(new InvalidVideoError('the file has no video stream'))).toEqual({ reason: 'the file has no video stream', permanent: true });
  });
});
