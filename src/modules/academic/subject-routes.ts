import type { FastifyInstance } from 'fastify';
import { errorResponses, HttpError } from '../../platform/http/errors.ts';
import type { ModuleContext } from '../../platform/module.ts';
import type { AcademicRepository } from './repository.ts';

const subject = {
  type: 'object',
  required: ['code', 'name'],
  additionalProperties: false,
  properties: { code: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,32}$' }, name: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;
const bearer = [{ bearer: [] }];

/** Subjects: create (one or a list), list, rename, delete — teachers and admins (listing: anyone signed in). */
export function registerSubjectRoutes(app: FastifyInstance, ctx: ModuleContext, repo: AcademicRepository): void {
  const staff = ctx.auth.requireRole('teacher', 'admin');

  app.post<{ Body: { code: string; name: string } | Array<{ code: string; name: string }> }>('/api/subjects', {
    onRequest: staff,
    schema: {
      tags: ['academic'],
      summary: 'Create a subject, or a list of them (all or none)',
      security: bearer,
      body: { oneOf: [subject, { type: 'array', minItems: 1, maxItems: 500, items: subject }] },
      response: { 201: { type: 'object', properties: { created: { type: 'array', items: subject } } }, ...errorResponses(400, 401, 403, 409) },
    },
  }, async (request, reply) => {
    const list = Array.isArray(request.body) ? request.body : [request.body];
    const codes = list.map((s) => s.code.toLowerCase());
    const repeated = codes.filter((c, i) => codes.indexOf(c) !== i);
    if (repeated.length > 0) throw new HttpError(400, 'validation_failed', 'a code appears twice', repeated.map((c) => ({ field: 'code', message: `${c} is repeated` })));
    const client = await repo.pool.connect();
    try {
      await client.query('BEGIN');
      const taken = await client.query<{ code: string }>('SELECT code FROM academic.subjects WHERE lower(code) = ANY($1) FOR UPDATE', [codes]);
      if (taken.rowCount) {
        await client.query('ROLLBACK');
        throw new HttpError(409, 'conflict', 'some subject codes already exist', taken.rows.map((r) => ({ field: 'code', message: `${r.code} already exists` })));
      }
      await client.query('INSERT INTO academic.subjects (code, name) SELECT * FROM unnest($1::text[], $2::text[])', [list.map((s) => s.code), list.map((s) => s.name)]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      if ((error as { code?: string }).code === '23505') throw new HttpError(409, 'conflict', 'a subject code already exists');
      throw error;
    } finally {
      client.release();
    }
    return reply.status(201).send({ created: list });
  });

  app.get('/api/subjects', {
    onRequest: ctx.auth.authenticate,
    schema: { tags: ['academic'], summary: 'All subjects', security: bearer, response: { 200: { type: 'object', properties: { data: { type: 'array', items: subject } } }, ...errorResponses(401) } },
  }, async () => ({ data: await repo.subjects() }));

  app.patch<{ Params: { code: string }; Body: { name: string } }>('/api/subjects/:code', {
    onRequest: staff,
    schema: {
      tags: ['academic'],
      summary: 'Rename a subject',
      security: bearer,
      params: { type: 'object', properties: { code: { type: 'string', maxLength: 32 } } },
      body: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: subject.properties.name } },
      response: { 200: subject, ...errorResponses(400, 401, 403, 404) },
    },
  }, async (request) => {
    const row = await repo.pool.query('UPDATE academic.subjects SET name = $2 WHERE lower(code) = lower($1) RETURNING code, name', [request.params.code, request.body.name]);
    if (!row.rows[0]) throw new HttpError(404, 'not_found', 'no such subject');
    return row.rows[0];
  });

  app.delete<{ Params: { code: string } }>('/api/subjects/:code', {
    onRequest: staff,
    schema: { tags: ['academic'], summary: 'Delete a subject that no course uses', security: bearer, params: { type: 'object', properties: { code: { type: 'string', maxLength: 32 } } }, response: { 204: { type: 'null' }, ...errorResponses(401, 403, 404, 409) } },
  }, async (request, reply) => {
    try {
      const deleted = await repo.pool.query('DELETE FROM academic.subjects WHERE lower(code) = lower($1)', [request.params.code]);
      if (!deleted.rowCount) throw new HttpError(404, 'not_found', 'no such subject');
    } catch (error) {
      if (['23503', '23001'].includes((error as { code?: string }).code ?? '')) throw new HttpError(409, 'subject_in_use', 'course groups still use this subject');
      throw error;
    }
    return reply.status(204).send();
  });
}
