import { Type } from 'typebox';

// Route schemas: Fastify validates and documents them, and the TypeBox type provider derives the handlers' types from them.

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
// Enums, not unions of literals: query strings are coerced by `type`, which a bare const does not have.
const Status = Type.Unsafe<'queued' | 'processing' | 'processed' | 'failed' | 'cancelled'>({
  type: 'string',
  enum: ['queued', 'processing', 'processed', 'failed', 'cancelled'],
});
const Order = Type.Unsafe<0 | 1>({ type: 'integer', enum: [0, 1], default: 1, description: '1: newest first, 0: oldest first' });
const Facts = Nullable(Type.Object({ durationSec: Type.Number(), width: Type.Integer(), height: Type.Integer(), sizeBytes: Type.Integer() }));
const DateTime = Type.String({ format: 'date-time' });

/** A task as the API returns it. */
export const Task = Type.Object({
  id: Type.String({ format: 'uuid' }),
  title: Type.String(),
  status: Status,
  progress: Type.Integer({ minimum: 0, maximum: 100 }),
  error: Nullable(Type.String()),
  createdAt: DateTime,
  startedAt: Nullable(DateTime),
  finishedAt: Nullable(DateTime),
  input: Facts,
  output: Facts,
  links: Type.Object(
    { original: Type.String(), processed: Nullable(Type.String()), thumbnail: Nullable(Type.String()) },
    { description: 'signed URLs, usable without a token (e.g. in a <video> tag) until they expire' },
  ),
});
/** A page of tasks. */
export const TaskPage = Type.Object({ data: Type.Array(Task), nextCursor: Nullable(Type.String()) });

/** `:id` of a task. */
export const IdParams = Type.Object({ id: Type.String() });
/** `:id` and which of its files. */
export const FileParams = Type.Object({
  id: Type.String(),
  kind: Type.Unsafe<'original' | 'processed' | 'thumbnail'>({ type: 'string', enum: ['original', 'processed', 'thumbnail'] }),
});
/** A signed link's expiry and signature. */
export const FileQuery = Type.Object({ expires: Type.Optional(Type.String({ maxLength: 20 })), sig: Type.Optional(Type.String({ maxLength: 100 })) });
/** Paging of the task list. */
export const ListQuery = Type.Object(
  {
    max: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    order: Order,
    status: Type.Optional(Status),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
/** Headers of a create. */
export const CreateHeaders = Type.Object({ 'idempotency-key': Type.Optional(Type.String({ maxLength: 200 })) });
/** The token of an EventSource, which cannot send headers. */
export const EventsQuery = Type.Object({ access_token: Type.Optional(Type.String({ maxLength: 2000 })) });
