import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { defineModuleSettings } from '../../platform/module-settings.ts';

const DEFAULT_LOGO = fileURLToPath(new URL('./assets/logo.png', import.meta.url));
const positiveInt = z.coerce.number().int().positive();

/** The media module's environment variables, shaped into the settings its code reads. */
export const mediaSettings = defineModuleSettings(
  'media',
  z
    .object({
      AULA_MAX_UPLOAD_MB: positiveInt.default(1024),
      AULA_MEDIA_CONCURRENCY: positiveInt.default(Math.max(1, Math.floor(os.availableParallelism() / 2))),
      AULA_VIDEO_FIT: z.enum(['pad', 'crop']).default('pad'),
      AULA_VIDEO_BUMPER_SECONDS: z.coerce.number().min(0.5).max(10).default(2),
      AULA_VIDEO_MAX_SECONDS: z.coerce.number().min(2).max(3600).default(20),
      AULA_VIDEO_LOGO: z.string().min(1).optional(),
      FFMPEG_PATH: z.string().min(1).optional(),
      FFPROBE_PATH: z.string().min(1).optional(),
      AULA_MEDIA_IMPORT_TIMEOUT_SECONDS: positiveInt.default(300),
      AULA_MEDIA_IMPORT_ALLOW_HOSTS: z
        .string()
        .regex(/^[A-Za-z0-9.:,[\]-]*$/, 'a comma-separated list of host names')
        .optional(),
      AULA_MEDIA_LINK_TTL_SECONDS: positiveInt.default(3600),
      AULA_MEDIA_RECONCILE_SECONDS: positiveInt.default(30),
    })
    .refine((e) => e.AULA_VIDEO_MAX_SECONDS > 2 * e.AULA_VIDEO_BUMPER_SECONDS, {
      path: ['AULA_VIDEO_MAX_SECONDS'],
      message: 'must be more than twice AULA_VIDEO_BUMPER_SECONDS',
    }),
  [],
  (e) => ({
    maxUploadBytes: e.AULA_MAX_UPLOAD_MB * 1024 * 1024,
    concurrency: e.AULA_MEDIA_CONCURRENCY,
    fit: e.AULA_VIDEO_FIT,
    bumperSeconds: e.AULA_VIDEO_BUMPER_SECONDS,
    maxSeconds: e.AULA_VIDEO_MAX_SECONDS,
    logo: path.resolve(e.AULA_VIDEO_LOGO ?? DEFAULT_LOGO),
    ffmpegPath: e.FFMPEG_PATH,
    ffprobePath: e.FFPROBE_PATH,
    importTimeoutMs: e.AULA_MEDIA_IMPORT_TIMEOUT_SECONDS * 1000,
    /** Hosts that URL imports may reach even on private addresses (meant for tests only). */
    importAllowHosts: (e.AULA_MEDIA_IMPORT_ALLOW_HOSTS ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
    linkTtlSeconds: e.AULA_MEDIA_LINK_TTL_SECONDS,
    /** How often unfinished tasks are checked against their jobs. */
    reconcileIntervalMs: e.AULA_MEDIA_RECONCILE_SECONDS * 1000,
  }),
);

/** The parsed settings of the media module. */
export type MediaSettings = ReturnType<typeof mediaSettings.get>;
