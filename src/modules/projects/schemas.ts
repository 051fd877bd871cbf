import { Type } from 'typebox';

// Route schemas: Fastify validates and documents them, and the TypeBox type provider derives the handlers' types from them.

// Null first: with the app's type coercion Ajv tries the branches in order, and a string
// branch first would coerce a null to "" (PATCH {demoTaskId: null} then reached SQL as '').
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([Type.Null(), schema]);
const DateTime = Type.String({ format: 'date-time' });

/** `:id` of a project. */
export const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
/** `:id` and `:stageId`. */
export const StageParams = Type.Object({ id: Type.String({ maxLength: 64 }), stageId: Type.String({ maxLength: 64 }) });
/** `:id` and `:userId`. */
export const MemberParams = Type.Object({ id: Type.String({ maxLength: 64 }), userId: Type.String({ maxLength: 64 }) });
/** `:id` and an environment variable `:key`. */
export const EnvParams = Type.Object({ id: Type.String({ maxLength: 64 }), key: Type.String({ maxLength: 200 }) });

/** A team member. */
export const TeamMember = Type.Object({ userId: Type.String(), username: Type.String(), role: Type.Union([Type.Literal('owner'), Type.Literal('member')]) });

/** A stage (feedback and reviewedAt absent for classmates). */
export const Stage = Type.Object({
  id: Type.String(),
  position: Type.Integer(),
  title: Type.String(),
  dueAt: Nullable(Type.String()),
  status: Type.Union([Type.Literal('pending'), Type.Literal('submitted'), Type.Literal('accepted'), Type.Literal('changes-requested')]),
  submission: Nullable(
    Type.Object({ commitSha: Nullable(Type.String()), link: Nullable(Type.String()), note: Nullable(Type.String()), submittedAt: Nullable(Type.String()) }),
  ),
  feedback: Type.Optional(Nullable(Type.String())),
  reviewedAt: Type.Optional(Nullable(Type.String())),
});

/** A project as the caller may see it. */
export const Project = Type.Object({
  id: Type.String(),
  slug: Type.String(),
  name: Type.String(),
  description: Type.String(),
  repoUrl: Type.Optional(Type.String()),
  courseId: Type.String(),
  demoTaskId: Nullable(Type.String()),
  demo: Type.Optional(
    Nullable(
      Type.Object(
        { processed: Type.String(), thumbnail: Type.String() },
        { description: "signed links to the processed demo video (one project's view only)" },
      ),
    ),
  ),
  team: Type.Array(TeamMember),
  tags: Type.Array(Type.String()),
  rating: Type.Object({ average: Nullable(Type.Number()), count: Type.Integer(), mine: Nullable(Type.Integer()) }),
  stages: Type.Optional(Type.Array(Stage)),
  viewer: Type.String({ description: 'owner, member, staff (the teacher or an admin) or classmate' }),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

const name = Type.String({ minLength: 1, maxLength: 200 });
const description = Type.String({ maxLength: 10_000 });
const repoUrl = Type.String({ maxLength: 2000 });
const tags = Type.Array(Type.String({ maxLength: 200 }), { maxItems: 50 });

/** POST /api/projects. */
export const CreateBody = Type.Object(
  {
    name,
    slug: Type.String({ maxLength: 200 }),
    description: Type.Optional(description),
    repoUrl: Type.Optional(repoUrl),
    courseId: Type.String({ format: 'uuid' }),
    demoTaskId: Type.Optional(Type.String({ maxLength: 64 })),
    tags: Type.Optional(tags),
  },
  { additionalProperties: false },
);

/** PATCH /api/projects/:id. */
export const PatchBody = Type.Object(
  {
    name: Type.Optional(name),
    description: Type.Optional(description),
    repoUrl: Type.Optional(repoUrl),
    demoTaskId: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
    tags: Type.Optional(tags),
  },
  { additionalProperties: false, minProperties: 1 },
);

/** GET /api/projects. */
export const ListQuery = Type.Object(
  {
    courseId: Type.Optional(Type.String({ format: 'uuid' })),
    tag: Type.Optional(Type.String({ maxLength: 200 })),
    q: Type.Optional(Type.String({ maxLength: 200 })),
    sort: Type.Union([Type.Literal('recent'), Type.Literal('rating')], { default: 'recent' }),
    cursor: Type.Optional(Type.String({ maxLength: 300 })),
    max: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
  },
  { additionalProperties: false },
);

/** A page of projects. */
export const ProjectPage = Type.Object({ data: Type.Array(Project), nextCursor: Nullable(Type.String()) });
/** GET /api/projects/tags. */
export const TagsQuery = Type.Object({ courseId: Type.String({ format: 'uuid' }) });
/** Tags with counts. */
export const TagCounts = Type.Object({ data: Type.Array(Type.Object({ tag: Type.String(), count: Type.Integer() })) });

/** POST …/members. */
export const AddMembersBody = Type.Object(
  {
    userIds: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 50 })),
    emails: Type.Optional(Type.Array(Type.String({ maxLength: 254 }), { maxItems: 50 })),
  },
  { additionalProperties: false, minProperties: 1 },
);
/** The result of adding members. */
export const AddedMembers = Type.Object({ added: Type.Array(TeamMember), unknownEmails: Type.Array(Type.String()), unknownUserIds: Type.Array(Type.String()) });
/** PATCH …/members/:userId: only ownership transfer. */
export const MemberPatchBody = Type.Object({ role: Type.Literal('owner') }, { additionalProperties: false });
/** The team. */
export const Team = Type.Object({ data: Type.Array(TeamMember) });

/** POST …/stages. */
export const StageBody = Type.Object(
  { title: Type.String({ minLength: 1, maxLength: 200 }), dueAt: Type.Optional(Nullable(DateTime)) },
  { additionalProperties: false },
);
/** PATCH …/stages/:stageId. */
export const StagePatchBody = Type.Object(
  { title: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), dueAt: Type.Optional(Nullable(DateTime)) },
  { additionalProperties: false, minProperties: 1 },
);
/** The stages. */
export const Stages = Type.Object({ data: Type.Array(Stage) });
/** PUT …/stages/:stageId/submission. */
export const SubmissionBody = Type.Object(
  {
    commitSha: Type.Optional(Type.String({ pattern: '^[0-9a-f]{7,64}$' })),
    link: Type.Optional(Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2000 })),
    note: Type.Optional(Type.String({ maxLength: 5000 })),
  },
  { additionalProperties: false },
);
/** PUT …/stages/:stageId/review. */
export const ReviewBody = Type.Object(
  {
    status: Type.Union([Type.Literal('accepted'), Type.Literal('changes-requested')]),
    feedback: Type.Optional(Type.String({ maxLength: 10_000 })),
  },
  { additionalProperties: false },
);

/** POST …/ratings. */
export const RatingBody = Type.Object({ score: Type.Integer({ minimum: 1, maximum: 5 }) }, { additionalProperties: false });
/** A project's rating after a vote. */
export const Rating = Type.Object({ average: Type.Number(), count: Type.Integer(), mine: Type.Integer() });

/** PUT …/env/:key. */
export const EnvBody = Type.Object(
  {
    value: Type.String({ maxLength: 32_768 }),
    scope: Type.Union([Type.Literal('runtime'), Type.Literal('build')], { default: 'runtime' }),
  },
  { additionalProperties: false },
);
/** An environment variable without its value. */
export const EnvVar = Type.Object({ key: Type.String(), scope: Type.String(), hint: Type.String(), updatedAt: Type.String() });
/** The variables. */
export const EnvVars = Type.Object({ data: Type.Array(EnvVar) });

/** A project database; url only for the team. */
export const Database = Type.Object({
  databaseName: Type.String(),
  roleName: Type.String(),
  state: Type.String(),
  createdAt: Type.String(),
  url: Type.Optional(Type.String()),
});
/** DELETE …/database?confirm=<slug>. */
export const ConfirmQuery = Type.Object({ confirm: Type.Optional(Type.String({ maxLength: 200 })) });
/** `:slug`. */
export const SlugParams = Type.Object({ slug: Type.String({ maxLength: 200 }) });
