import { InvalidVideoError } from './probe.ts';
import { ImportError } from './remote-fetch.ts';
import { RenderError } from './transcode.ts';

/** What a failed attempt means for the task: a short reason users may read, and whether a retry could help. */
export interface FailureVerdict {
  reason: string;
  /** True when the input itself is the problem: retrying cannot succeed. */
  permanent: boolean;
}

/** Shown when the disk of the worker or of the file storage is full. */
export const DISK_FULL = 'the server ran out of disk space while processing this video; please try again later';

const BAD_INPUT: Array<[RegExp, string]> = [
  [/No space left on device|Disk quota exceeded/i, DISK_FULL],
  [
    /Decoder (?:\(codec [^)]*\)|\S+) not found|Unknown decoder|unsupported codec|codec not currently supported|Could not find codec parameters|no decoder/i,
    'the video uses a codec Aula cannot decode (unsupported codec)',
  ],
  [/matches no streams|does not contain any stream|Output file #\d+ does not contain/i, 'the file has no video stream'],
  [
    /Invalid data found|corrupt|error while decoding|Invalid NAL|moov atom not found|Invalid buffer size|packet size \d+ < expected|Truncated|Invalid frame/i,
    'the video is corrupt (its data cannot be decoded)',
  ],
];

function errnoCode(error: unknown): string | undefined {
  for (let e = error; e instanceof Error; e = e.cause) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/**
 * Sorts an error from a media job into a user-safe reason (no paths, no stack,
 * no ffmpeg output) and decides whether it may be retried: bad input fails for
 * good; the disk, the database, a killed ffmpeg or anything unknown are transient.
 */
export function classifyFailure(error: unknown): FailureVerdict {
  if (error instanceof InvalidVideoError || error instanceof ImportError) return { reason: error.message, permanent: true };
  const code = errnoCode(error);
  if (code === 'ENOSPC' || code === 'EDQUOT') return { reason: DISK_FULL, permanent: false };
  if (error instanceof RenderError) {
    if (error.exitCode === null) return { reason: 'processing was interrupted on the server; please try again later', permanent: false };
    const match = BAD_INPUT.find(([pattern]) => pattern.test(error.stderr));
    if (match) return { reason: match[1], permanent: match[1] !== DISK_FULL };
    return { reason: 'ffmpeg could not convert this video', permanent: false };
  }
  if (error === 'timeout') return { reason: 'processing took too long and was stopped', permanent: false };
  return { reason: 'processing failed because of a server error; please try again later', permanent: false };
}
