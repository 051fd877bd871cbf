import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What ffprobe tells about an input. */
export interface ProbeResult {
  durationSec: number;
  width: number;
  height: number;
  hasAudio: boolean;
  sizeBytes: number;
  /** ffprobe's container name, e.g. `mov,mp4,m4a,3gp,3g2,mj2` or `matroska,webm`. */
  container: string;
}

/** An input that is not a usable video; its message is shown to the user. */
export class InvalidVideoError extends Error {
  override name = 'InvalidVideoError';
}

/**
 * Container formats an input may have, and only local files: without this, a
 * "video" that is really an HLS playlist could make ffmpeg read other files.
 */
export const INPUT_GUARD = ['-protocol_whitelist', 'file', '-format_whitelist', 'mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,mpegts,mpeg,flv,ogg,asf'];

/** The largest width or height accepted (8K). */
export const MAX_SIDE = 8192;

interface FfprobeJson {
  streams?: Array<{
    codec_type?: string;
    width?: number;
    height?: number;
    disposition?: { attached_pic?: number };
    side_data_list?: Array<{ rotation?: number }>;
    tags?: { rotate?: string };
  }>;
  format?: { duration?: string; size?: string; format_name?: string };
}

/** Probes a file; throws InvalidVideoError for anything that is not a video Aula can process. */
export async function probe(ffprobe: string, file: string): Promise<ProbeResult> {
  let json: FfprobeJson;
  try {
    const { stdout } = await run(ffprobe, ['-v', 'error', ...INPUT_GUARD, '-print_format', 'json', '-show_streams', '-show_format', file], {
      maxBuffer: 16 * 1024 * 1024,
    });
    json = JSON.parse(stdout) as FfprobeJson;
  } catch {
    throw new InvalidVideoError('the file is not a video ffprobe can read (unknown format or corrupt)');
  }
  // Cover art (an "attached picture") is one still image, not a video stream.
  const video = json.streams?.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1);
  if (!video?.width || !video.height) throw new InvalidVideoError('the file has no video stream (audio only, or only cover art)');
  const duration = Number(json.format?.duration);
  if (!Number.isFinite(duration) || duration <= 0) throw new InvalidVideoError('the video has no duration');
  if (video.width > MAX_SIDE || video.height > MAX_SIDE) {
    throw new InvalidVideoError(`the video is ${video.width}×${video.height}; at most ${MAX_SIDE} pixels per side are accepted`);
  }
  const rotation = Math.abs(Number(video.side_data_list?.find((d) => d.rotation !== undefined)?.rotation ?? video.tags?.rotate ?? 0)) % 180;
  const [width, height] = rotation === 90 ? [video.height, video.width] : [video.width, video.height];
  return {
    durationSec: duration,
    width,
    height,
    hasAudio: Boolean(json.streams?.some((s) => s.codec_type === 'audio')),
    sizeBytes: Number(json.format?.size ?? 0),
    container: json.format?.format_name ?? '',
  };
}
