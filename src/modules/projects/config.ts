import { z } from 'zod';
import { defineModuleSettings } from '../../platform/module-settings.ts';

const SECRET_KEY = /^(?:[A-Za-z0-9+/]{43}=|[A-Za-z0-9_-]{43}|[0-9a-fA-F]{64})$/;
const secretKey = z.string().regex(SECRET_KEY, 'must be 32 bytes as base64 (44 characters) or hex (64 characters)').optional();

/** The projects module's environment variables. */
export const projectsSettings = defineModuleSettings(
  'projects',
  z.object({
    AULA_SECRETS_KEY: secretKey,
    AULA_SECRETS_KEY_PREVIOUS: secretKey,
    AULA_PROJECT_DATABASE_ADMIN_URL: z
      .string()
      .url()
      .refine((value) => ['postgres:', 'postgresql:'].includes(new URL(value).protocol), { message: 'must start with postgres://' })
      .optional(),
    AULA_PROJECT_DB_CONNECTION_LIMIT: z.coerce.number().int().min(1).max(1000).default(5),
    AULA_DEPLOY_ALLOW_LOCAL_REPOS: z
      .enum(['true', 'false'])
      .default('false')
      .transform((value) => value === 'true'),
  }),
  ['AULA_SECRETS_KEY', 'AULA_SECRETS_KEY_PREVIOUS', 'AULA_PROJECT_DATABASE_ADMIN_URL'],
);

/** The parsed settings of the projects module. */
export type ProjectsSettings = ReturnType<typeof projectsSettings.get>;
