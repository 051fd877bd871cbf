import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { locateBinaries } from '../src/modules/media/binaries.ts';

const run = promisify(execFile);
// The same programs the app uses: FFMPEG_PATH, else PATH, else the npm-shipped static builds.
const binaries = locateBinaries({ ffmpegPath: process.env.FFMPEG_PATH, ffprobePath: process.env.FFPROBE_PATH });

/** The ffmpeg and ffprobe the tests run. */
export const tools = async () => binaries;

/** A folder of small test videos made with ffmpeg's lavfi sources. */
export const videoDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aula-test-videos-'));

async function ffmpeg(args: string[]): Promise<void> {
  await run((await binaries).ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', ...args]);
}

/** Landscape 640×480, 25 fps, with a tone, of the given length. */
export async function landscapeVideo(seconds: number, name = `landscape-${seconds}.mp4`): Promise<string> {
  const file = path.join(videoDir, name);
  await ffmpeg([
    '-f',
    'lavfi',
    '-i',
    `testsrc=size=640x480:rate=25:duration=${seconds}`,
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=440:sample_rate=44100:duration=${seconds}`,
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-c:a',
    'aac',
    '-shortest',
    file,
  ]);
  return file;
}

/** Portrait 360×640 with a tone. */
export async function portraitVideo(seconds: number): Promise<string> {
  const file = path.join(videoDir, `portrait-${seconds}.mp4`);
  await ffmpeg([
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=360x640:rate=30:duration=${seconds}`,
    '-f',
    'lavfi',
    '-i',
    `sine=duration=${seconds}`,
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-c:a',
    'aac',
    '-shortest',
    file,
  ]);
  return file;
}

/** Video only, no audio stream. */
export async function silentVideo(seconds: number): Promise<string> {
  const file = path.join(videoDir, `silent-${seconds}.mp4`);
  await ffmpeg(['-f', 'lavfi', '-i', `testsrc=size=320x240:rate=25:duration=${seconds}`, '-c:v', 'libx264', '-preset', 'ultrafast', file]);
  return file;
}

/** A long, tiny video (e.g. 30 minutes) that is cheap to make. */
export async function longVideo(seconds: number): Promise<string> {
  const file = path.join(videoDir, `long-${seconds}.mp4`);
  await ffmpeg([
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=160x120:rate=10:duration=${seconds}`,
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-crf',
    '45',
    '-g',
    '300',
    file,
  ]);
  return file;
}

/** A landscape video whose metadata says to show it rotated by 90° (as phones record). */
export async function rotatedVideo(): Promise<string> {
  const source = await landscapeVideo(3, 'to-rotate.mp4');
  const file = path.join(videoDir, 'rotated.mp4');
  await ffmpeg(['-i', source, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', file]);
  return file;
}

/** A 1-second video wider than 8K. */
export async function tooWideVideo(): Promise<string> {
  const file = path.join(videoDir, 'too-wide.mkv');
  await ffmpeg(['-f', 'lavfi', '-i', 'color=s=8200x16:d=1', '-c:v', 'ffv1', file]);
  return file;
}

/** The first bytes of a real video: a corrupt, unreadable file. */
export async function corruptVideo(): Promise<string> {
  const source = await landscapeVideo(3, 'for-corrupt.mp4');
  const file = path.join(videoDir, 'corrupt.mp4');
  fs.writeFileSync(file, Buffer.concat([Buffer.from('garbage!'), fs.readFileSync(source).subarray(4000, 12000)]));
  return file;
}

/** An HLS playlist that points at another local file, uploaded as if it were a video. */
export async function playlistPointingAt(target: string): Promise<string> {
  const file = path.join(videoDir, 'sneaky.mp4');
  fs.writeFileSync(file, `#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:5,\n${target}\n#EXT-X-ENDLIST\n`);
  return file;
}

/** A text file named like a video. */
export function textAsVideo(): string {
  const file = path.join(videoDir, 'notes.mp4');
  fs.writeFileSync(file, 'These are my lecture notes, not a video.\n'.repeat(200));
  return file;
}

/** An empty file. */
export function emptyFile(): string {
  const file = path.join(videoDir, 'empty.mp4');
  fs.writeFileSync(file, '');
  return file;
}

/** Stream facts of a file as ffprobe reports them. */
export async function ffprobeFacts(file: string) {
  const { stdout } = await run((await binaries).ffprobe, ['-v', 'error', '-print_format', 'json', '-show_streams', '-show_format', file]);
  const json = JSON.parse(stdout) as {
    streams: Array<Record<string, string | number>>;
    format: { duration: string };
  };
  const video = json.streams.find((s) => s.codec_type === 'video')!;
  const audio = json.streams.find((s) => s.codec_type === 'audio');
  return {
    duration: Number(json.format.duration),
    width: video.width,
    height: video.height,
    sar: video.sample_aspect_ratio,
    videoCodec: video.codec_name,
    pixFmt: video.pix_fmt,
    frameRate: video.r_frame_rate,
    audioCodec: audio?.codec_name,
    audioProfile: audio?.profile,
    sampleRate: audio?.sample_rate,
    channels: audio?.channels,
  };
}

/** A video of a single frame (ffmpeg writes no thumbnail for it at the usual offset). */
export async function oneFrameVideo(): Promise<string> {
  const file = path.join(videoDir, 'one-frame.mp4');
  await ffmpeg(['-nostdin', '-f', 'lavfi', '-i', 'testsrc=s=640x360', '-frames:v', '1', file]);
  return file;
}

/** Audio (m4a) whose only "video" stream is its cover art. */
export async function audioWithCoverArt(): Promise<string> {
  const file = path.join(videoDir, 'cover-art.m4a');
  await ffmpeg([
    '-nostdin',
    '-f',
    'lavfi',
    '-i',
    'sine=d=3',
    '-f',
    'lavfi',
    '-i',
    'testsrc=s=320x240:d=1',
    '-map',
    '0:a',
    '-map',
    '1:v',
    '-frames:v',
    '1',
    '-t',
    '3',
    '-c:a',
    'aac',
    '-c:v',
    'mjpeg',
    '-disposition:v:0',
    'attached_pic',
    file,
  ]);
  return file;
}

/** An AVI whose headers declare 8000×8000 raw frames while each frame holds a 64×64 picture's bytes. */
export async function hugeDeclaredAvi(): Promise<string> {
  const source = path.join(videoDir, 'small-raw.avi');
  await ffmpeg(['-nostdin', '-f', 'lavfi', '-i', 'testsrc=s=64x64:d=2:r=10', '-c:v', 'rawvideo', '-pix_fmt', 'bgr24', source]);
  const bytes = fs.readFileSync(source);
  const avih = bytes.indexOf('avih');
  const strf = bytes.indexOf('strf');
  for (const offset of [avih + 8 + 32, avih + 8 + 36, strf + 8 + 4, strf + 8 + 8]) bytes.writeUInt32LE(8000, offset);
  const file = path.join(videoDir, 'huge-declared.avi');
  fs.writeFileSync(file, bytes);
  return file;
}
