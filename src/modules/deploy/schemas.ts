import { Type } from 'typebox';

// Route schemas: Fastify validates and documents them, and the TypeBox type provider derives the handlers' types from them.

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

/** `:id` of a project or a deployment. */
export const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
/** `:id` of a project and the app action. */
export const ControlParams = Type.Object({
  id: Type.String({ maxLength: 64 }),
  action: Type.Union([Type.Literal('stop'), Type.Literal('start'), Type.Literal('restart')]),
});

/** POST …/deployments. */
export const DeployBody = Type.Object(
  { ref: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'branch, tag or commit SHA; the default branch when absent' })) },
  { additionalProperties: false },
);
/** POST …/rollback. */
export const RollbackBody = Type.Object({ deploymentId: Type.String({ maxLength: 64 }) }, { additionalProperties: false });
/** GET …/deployments. */
export const ListQuery = Type.Object({ max: Type.Integer({ minimum: 1, maximum: 100, default: 20 }) });
/** GET …/logs. */
export const LogsQuery = Type.Object({
  since: Type.Integer({ minimum: 0, default: 0, description: 'the last seq already seen' }),
  max: Type.Integer({ minimum: 1, maximum: 5000, default: 1000 }),
});

/** A deployment. */
export const Deployment = Type.Object({
  id: Type.String(),
  projectId: Type.String(),
  ref: Nullable(Type.String()),
  commitSha: Nullable(Type.String()),
  kind: Nullable(Type.String({ description: 'static, node or container' })),
  state: Type.String({ description: 'queued, fetching, building, starting, checking, live, failed, cancelled or retired' }),
  progress: Type.Integer(),
  reason: Nullable(Type.String()),
  rollbackOf: Nullable(Type.String()),
  createdAt: Type.String(),
  startedAt: Nullable(Type.String()),
  finishedAt: Nullable(Type.String()),
});

/** A project's app. */
export const App = Type.Object({
  url: Type.String(),
  status: Type.String({ description: 'running, starting, stopped or crashed' }),
  desired: Type.String(),
  restarts: Type.Integer(),
  reason: Nullable(Type.String()),
  liveDeploymentId: Nullable(Type.String()),
  usage: Nullable(
    Type.Object({
      memoryBytes: Type.Integer(),
      cpuPercent: Type.Number({ description: 'percent of one core since the previous sample' }),
      sampledAt: Type.String(),
    }),
  ),
  requests: Type.Integer(),
  responses5xx: Type.Integer(),
});

/** The app, its deployments and the kept releases. */
export const DeploymentList = Type.Object({
  app: Nullable(App),
  data: Type.Array(Deployment),
  kept: Type.Array(Type.String(), {
    description: 'ids of the kept successful releases, newest first (AULA_DEPLOY_KEEP_RELEASES): those a rollback may go back to',
  }),
});

/** Stored log lines. */
export const Logs = Type.Object({
  deployment: Deployment,
  data: Type.Array(Type.Object({ seq: Type.Integer(), stream: Type.String(), line: Type.String(), at: Type.String() })),
});
