/** JSON schema of a public user. */
export const userSchema = {
  type: 'object',
  required: ['id', 'username', 'email', 'role'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    username: { type: 'string' },
    email: { type: 'string' },
    role: { type: 'string', enum: ['student', 'teacher', 'admin'] },
  },
} as const;

/** JSON schema of a token pair (with `X-Aula-Session: cookie` the refresh token is in the cookie instead). */
export const tokensSchema = {
  type: 'object',
  required: ['token', 'tokenType', 'expiresIn'],
  properties: {
    token: { type: 'string' },
    refreshToken: { type: 'string', description: 'absent when the session is kept in the httpOnly cookie' },
    tokenType: { type: 'string', enum: ['Bearer'] },
    expiresIn: { type: 'integer', description: 'seconds until the access token expires' },
  },
} as const;

/** JSON schema of a log-in response: tokens and the user. */
export const loginResponseSchema = {
  ...tokensSchema,
  required: [...tokensSchema.required, 'user'],
  properties: { ...tokensSchema.properties, user: userSchema },
} as const;

const text = { type: 'string', maxLength: 256 } as const;

/** Sign-up body: every accepted alias of the password fields (rules are checked in code). */
export const signupBodySchema = {
  type: 'object',
  properties: { username: text, email: text, password: text, password1: text, password2: text, password_2: text },
} as const;

/** Log-in body: username or e-mail, and the password. */
export const loginBodySchema = {
  type: 'object',
  required: ['password'],
  properties: { username: text, email: text, password: text },
} as const;

/** Body carrying one refresh token (optional when the session cookie carries it). */
export const refreshBodySchema = {
  type: 'object',
  nullable: true,
  properties: { refreshToken: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;
