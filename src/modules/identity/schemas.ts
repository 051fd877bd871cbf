import { Type } from 'typebox';

// Route schemas: Fastify validates and documents them, and the TypeBox type provider derives the handlers' types from them.

const Text = Type.String({ maxLength: 256 });

/** A public user. */
export const User = Type.Object({
  id: Type.String({ format: 'uuid' }),
  username: Type.String(),
  email: Type.String(),
  role: Type.Union([Type.Literal('student'), Type.Literal('teacher'), Type.Literal('admin')]),
});

/** A token pair (with `X-Aula-Session: cookie` the refresh token is in the cookie instead). */
export const Tokens = Type.Object({
  token: Type.String(),
  refreshToken: Type.Optional(Type.String({ description: 'absent when the session is kept in the httpOnly cookie' })),
  tokenType: Type.Literal('Bearer'),
  expiresIn: Type.Integer({ description: 'seconds until the access token expires' }),
});

/** A log-in response: tokens and the user. */
export const LoginResponse = Type.Object({ ...Tokens.properties, user: User });

/** What the older clients' sign-up answers: the user, its tokens, and the user again under `user`. */
export const LegacySignupResponse = Type.Object({ ...Tokens.properties, ...User.properties, user: User });

/** Sign-up body: every accepted alias of the password fields (rules are checked in code). */
export const SignupBody = Type.Object({
  username: Type.Optional(Text),
  email: Type.Optional(Text),
  password: Type.Optional(Text),
  password1: Type.Optional(Text),
  password2: Type.Optional(Text),
  password_2: Type.Optional(Text),
});

/** Log-in body: username or e-mail, and the password. */
export const LoginBody = Type.Object({ username: Type.Optional(Text), email: Type.Optional(Text), password: Text });

/** Body carrying one refresh token (none at all when the session cookie carries it). */
export const RefreshBody = Type.Union([Type.Object({ refreshToken: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) }), Type.Null()]);

/** A change of the caller's own username and/or e-mail. */
export const ProfileBody = Type.Object({ username: Type.Optional(Text), email: Type.Optional(Text) }, { minProperties: 1, additionalProperties: false });

/** The optional Idempotency-Key header of a creating POST. */
export const IdempotencyHeaders = Type.Object({ 'idempotency-key': Type.Optional(Type.String({ maxLength: 200 })) });

/** `:id` of a user. */
export const IdParams = Type.Object({ id: Type.String() });

/** Directory search and paging. */
export const UserQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 100 })),
    page: Type.Integer({ minimum: 1, maximum: 100_000, default: 1 }),
    pageSize: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
  },
  { additionalProperties: false },
);

/** A page of users. */
export const UserPage = Type.Object({ data: Type.Array(User), page: Type.Integer(), pageSize: Type.Integer(), total: Type.Integer() });

/** A new role. */
export const RoleBody = Type.Object({ role: User.properties.role }, { additionalProperties: false });

/** E-mails of users to make teachers. */
export const PromoteBody = Type.Object(
  { emails: Type.Array(Type.String({ maxLength: 256 }), { minItems: 1, maxItems: 1000 }) },
  { additionalProperties: false },
);

/** What a promotion did. */
export const PromoteResult = Type.Object({ promoted: Type.Array(User), unchanged: Type.Array(User), unknownEmails: Type.Array(Type.String()) });
