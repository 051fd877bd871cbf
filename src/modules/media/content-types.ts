// ffprobe container names (its format_name, a comma-separated list) and the types they are served as.
const BY_CONTAINER: Array<[RegExp, string]> = [
  [/(^|,)mp4(,|$)/, 'video/mp4'],
  [/(^|,)webm(,|$)/, 'video/webm'],
  [/(^|,)matroska(,|$)/, 'video/x-matroska'],
  [/(^|,)avi(,|$)/, 'video/x-msvideo'],
  [/(^|,)mpegts(,|$)/, 'video/mp2t'],
  [/(^|,)mpeg(,|$)/, 'video/mpeg'],
  [/(^|,)flv(,|$)/, 'video/x-flv'],
  [/(^|,)ogg(,|$)/, 'video/ogg'],
  [/(^|,)asf(,|$)/, 'video/x-ms-asf'],
];

/**
 * The Content-Type an original is served with: from the container ffprobe found,
 * never the type the uploader declared; application/octet-stream until probed or when unknown.
 */
export function originalContentType(container: string | undefined): string {
  return BY_CONTAINER.find(([pattern]) => pattern.test(container ?? ''))?.[1] ?? 'application/octet-stream';
}
