import readline from 'node:readline';
import { killGroup, spawnGuarded } from './ffmpeg-process.ts';
import { INPUT_GUARD, type ProbeResult } from './probe.ts';

/** How the output is shaped. */
export interface RenderSettings {
  logo: string;
  bumperSec: number;
  maxSec: number;
  fit: 'pad' | 'crop';
}

/** The files one render writes. */
export interface RenderOutputs {
  video: string;
  thumbnail: string;
}

const W = 1280;
const H = 720;
const FPS = 30;
const AUDIO = 'aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo';

/** Seconds of the input used: all of it, up to the room left between the bumpers. */
export function contentSeconds(input: ProbeResult, settings: RenderSettings): number {
  return Math.min(input.durationSec, settings.maxSec - 2 * settings.bumperSec);
}

/**
 * The ffmpeg arguments for the whole render in one invocation: logo intro, the
 * first seconds of the input fitted into 1280×720 at 30 fps, logo outro, audio
 * (or silence) at 48 kHz stereo, H.264/AAC MP4 with faststart, and a 640×360
 * JPEG thumbnail from the content. `-t` on the input stops reading past what is used.
 */
export function renderArgs(input: string, probe: ProbeResult, settings: RenderSettings, out: RenderOutputs): string[] {
  const content = contentSeconds(probe, settings);
  const bumper = settings.bumperSec;
  const fitting =
    settings.fit === 'crop'
      ? `scale=${W}:${H}:force_original_aspect_ratio=increase,crop=${W}:${H}`
      : `scale=${W}:${H}:force_original_aspect_ratio=decrease,pad=${W}:${H}:(ow-iw)/2:(oh-ih)/2:black`;
  const normalise = `fps=${FPS},format=yuv420p,setsar=1`;
  const thumbAt = Math.min(1, content / 2).toFixed(3);
  const graph = [
    `[0:v]scale=${W}:${H}:force_original_aspect_ratio=decrease,pad=${W}:${H}:(ow-iw)/2:(oh-ih)/2:black,${normalise},split=2[intro][outro]`,
    `[1:v]${fitting},${normalise},trim=duration=${content},setpts=PTS-STARTPTS,split=2[content][forthumb]`,
    `[forthumb]trim=start=${thumbAt},setpts=PTS-STARTPTS,scale=640:360,setsar=1[thumb]`,
    `[2:a]${AUDIO},atrim=duration=${bumper}[silence1]`,
    `[3:a]${AUDIO},atrim=duration=${bumper}[silence2]`,
    probe.hasAudio ? `[1:a]${AUDIO},apad,atrim=duration=${content},asetpts=PTS-STARTPTS[sound]` : `[4:a]${AUDIO},atrim=duration=${content}[sound]`,
    '[intro][silence1][content][sound][outro][silence2]concat=n=3:v=1:a=1[v][a]',
  ].join(';');
  const silence = ['-f', 'lavfi', '-i', 'anullsrc=r=48000:cl=stereo'];
  return [
    '-hide_banner',
    '-nostdin',
    '-nostats',
    '-loglevel',
    'error',
    '-progress',
    'pipe:1',
    '-y',
    '-loop',
    '1',
    '-framerate',
    String(FPS),
    '-t',
    String(bumper),
    '-i',
    settings.logo,
    '-t',
    content.toFixed(3),
    ...INPUT_GUARD,
    '-i',
    input,
    ...silence,
    ...silence,
    ...(probe.hasAudio ? [] : silence),
    '-filter_complex',
    graph,
    '-map',
    '[v]',
    '-map',
    '[a]',
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-crf',
    '23',
    '-profile:v',
    'high',
    '-pix_fmt',
    'yuv420p',
    '-r',
    String(FPS),
    '-c:a',
    'aac',
    '-b:a',
    '128k',
    '-ar',
    '48000',
    '-ac',
    '2',
    '-movflags',
    '+faststart',
    out.video,
    '-map',
    '[thumb]',
    '-frames:v',
    '1',
    '-q:v',
    '3',
    out.thumbnail,
  ];
}

/**
 * ffmpeg arguments for a 640×360 JPEG of the first frame that decodes: the
 * thumbnail when the render wrote none (a one-frame input has nothing at the usual offset).
 */
export function firstFrameThumbnailArgs(input: string, thumbnail: string): string[] {
  return [
    '-hide_banner',
    '-nostdin',
    '-nostats',
    '-loglevel',
    'error',
    '-y',
    ...INPUT_GUARD,
    '-i',
    input,
    '-map',
    '0:v:0',
    '-vf',
    'scale=640:360:force_original_aspect_ratio=decrease,pad=640:360:(ow-iw)/2:(oh-ih)/2:black,setsar=1',
    '-frames:v',
    '1',
    '-q:v',
    '3',
    thumbnail,
  ];
}

/** Thrown when ffmpeg fails; carries its last error lines (for the logs, never for users). */
export class RenderError extends Error {
  override name = 'RenderError';
  constructor(
    readonly exitCode: number | null,
    readonly exitSignal: NodeJS.Signals | null,
    readonly stderr: string,
  ) {
    super(`ffmpeg exited with ${exitCode ?? exitSignal}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
  }
}

/**
 * Runs ffmpeg in a process group of its own that dies with this process (see
 * spawnGuarded), reporting progress (0–100) from `-progress`; an aborted signal
 * kills the group at once (SIGKILL) and rejects with the signal's reason.
 * `onSpawn` gets the pid (= process group id), e.g. to record it for a later cleanup.
 */
export function runFfmpeg(
  ffmpeg: string,
  args: string[],
  totalSec: number,
  signal: AbortSignal,
  onProgress: (percent: number) => void,
  onSpawn?: (pid: number) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const child = spawnGuarded(ffmpeg, args);
    if (child.pid !== undefined) onSpawn?.(child.pid);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      const match = /^out_time_us=(\d+)/.exec(line);
      if (match && totalSec > 0) onProgress(Math.min(99, Math.floor(Number(match[1]) / 1e4 / totalSec)));
    });
    const kill = () => {
      if (child.pid !== undefined) killGroup(child.pid);
    };
    signal.addEventListener('abort', kill, { once: true });
    child.on('error', (error) => {
      signal.removeEventListener('abort', kill);
      reject(error);
    });
    child.on('close', (code, exitSignal) => {
      signal.removeEventListener('abort', kill);
      if (signal.aborted) reject(signal.reason);
      else if (code === 0) resolve();
      else reject(new RenderError(code, exitSignal, stderr));
    });
  });
}
