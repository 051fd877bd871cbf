import { z } from 'zod';
import { defineModuleSettings } from '../../platform/module-settings.ts';

const positiveInt = z.coerce.number().int().positive();

/** Identity's environment variables: token lifetimes, log-in and sign-up limits, the first admin. */
export const identitySettings = defineModuleSettings(
  'identity',
  z.object({
    AULA_ACCESS_TOKEN_TTL_SECONDS: positiveInt.default(900),
    AULA_REFRESH_TOKEN_TTL_DAYS: positiveInt.default(30),
    AULA_LOGIN_RATE_LIMIT: positiveInt.default(10),
    AULA_SIGNUP_RATE_LIMIT: positiveInt.default(5),
    AULA_RATE_LIMIT_WINDOW_SECONDS: positiveInt.default(60),
    AULA_ADMIN_EMAIL: z.string().email().optional(),
    AULA_ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  }),
  ['AULA_ADMIN_PASSWORD'],
  (e) => ({
    accessTokenTtlSeconds: e.AULA_ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlDays: e.AULA_REFRESH_TOKEN_TTL_DAYS,
    rateLimits: { loginPerWindow: e.AULA_LOGIN_RATE_LIMIT, signupPerWindow: e.AULA_SIGNUP_RATE_LIMIT, windowSeconds: e.AULA_RATE_LIMIT_WINDOW_SECONDS },
    /** Created at start when there is no admin yet. */
    bootstrapAdmin: e.AULA_ADMIN_EMAIL && e.AULA_ADMIN_PASSWORD ? { email: e.AULA_ADMIN_EMAIL, password: e.AULA_ADMIN_PASSWORD } : undefined,
  }),
);

/** The parsed settings of the identity module. */
export type IdentitySettings = ReturnType<typeof identitySettings.get>;
