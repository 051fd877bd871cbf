import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../../../test/http.ts';
import { waitUntil } from '../../../test/wait.ts';
import { startProjectsWorld, type ProjectsWorld } from './test-helpers.ts';

let w: ProjectsWorld;
beforeAll(async () => {
  w = await startProjectsWorld();
});
afterAll(async () => w?.stop());

const newProject = (courseId: string, slug: string, extra: Record<string, unknown> = {}) => ({ name: `Project ${slug}`, slug, courseId, ...extra });

describe('creating a project', () => {
  it('an enrolled student creates one and owns it; tags are normalised', async () => {
    const res = await w.api(
      'POST',
      '/api/projects',
      w.alice.token,
      newProject(w.courseA, 'todo-app', { description: '# Todo\nan app', tags: ['  Web ', 'web', 'REACT'] }),
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      slug: 'todo-app',
      courseId: w.courseA,
      tags: ['react', 'web'],
      viewer: 'owner',
      repoUrl: '',
      demoTaskId: null,
      rating: { average: null, count: 0, mine: null },
    });
    expect(res.body.team).toEqual([{ userId: w.alice.id, username: w.alice.username, role: 'owner' }]);
    expect((await w.api('GET', '/api/projects/by-slug/todo-app', w.alice.token)).body.id).toBe(res.body.id);
  });

  it('the course teacher may create one; a student of another course group, an outsider or another teacher gets 404', async () => {
    expect((await w.api('POST', '/api/projects', w.teacher.token, newProject(w.courseA, 'teacher-demo'))).status).toBe(201);
    for (const token of [w.dave.token, w.outsider.token, w.otherTeacher.token]) {
      expect((await w.api('POST', '/api/projects', token, newProject(w.courseA, 'not-mine'))).status).toBe(404);
    }
    expect((await w.api('POST', '/api/projects', w.admin, newProject(w.courseA, 'admin-made'))).status).toBe(403);
    expect((await w.api('GET', '/api/projects/by-slug/not-mine', w.admin)).status).toBe(404);
  });

  it('slug rules: 3–30 characters, lowercase, digits and inner hyphens, reserved words refused, unique', async () => {
    const bad = ['ab', 'a'.repeat(31), 'Upper', '-start', 'end-', 'under_score', 'sp ace', 'api', 'apps', 'admin', 'static'];
    for (const slug of bad) {
      const res = await w.api('POST', '/api/projects', w.bob.token, newProject(w.courseA, slug));
      expect(res.status, slug).toBe(400);
      expect(res.body.error.details[0].field).toBe('slug');
    }
    expect((await w.api('POST', '/api/projects', w.bob.token, newProject(w.courseA, 'a'.repeat(30)))).status).toBe(201);
    const dup = await w.api('POST', '/api/projects', w.bob.token, newProject(w.courseA, 'todo-app'));
    expect(dup.status).toBe(409);
    expect(dup.body.error.details).toEqual([{ field: 'slug', message: 'is already taken' }]);
  });

  it('50 concurrent creates of one slug: exactly one 201, the rest 409', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, () => w.api('POST', '/api/projects', w.carol.token, newProject(w.courseA, 'race-slug'))));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
  });

  it('a retry with the same Idempotency-Key gets the same project and creates nothing; the key with another body is 422', async () => {
    const body = newProject(w.courseA, 'retry-safe');
    const send = (b: unknown) =>
      call(w.app.baseUrl, 'POST', '/api/projects', { token: w.bob.token, body: b, headers: { 'idempotency-key': 'create-retry-safe-1' } });
    const [first, second] = await Promise.all([send(body), send(body)]);
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.body.id).toBe(first.body.id);
    expect((await send(body)).body.id).toBe(first.body.id);
    expect((await send({ ...body, name: 'Another name' })).status).toBe(422);
    const listed = await w.api('GET', `/api/projects?courseId=${w.courseA}&q=retry-safe`, w.bob.token);
    expect(listed.body.data.filter((p: { slug: string }) => p.slug === 'retry-safe')).toHaveLength(1);
  });

  it('bad input is a 4xx and changes nothing', async () => {
    const before = (await w.api('GET', `/api/projects?courseId=${w.courseA}&max=100`, w.teacher.token)).body.data.length;
    const cases: Array<[Record<string, unknown>, number]> = [
      [newProject(w.courseA, 'big-desc', { description: 'x'.repeat(1_000_000) }), 400],
      [newProject(w.courseA, 'long-desc', { description: 'x'.repeat(10_001) }), 400],
      [newProject(w.courseA, 'bad-repo', { repoUrl: 'http://example.org/repo.git' }), 400],
      [newProject(w.courseA, 'cred-repo', { repoUrl: 'https://user:pw@example.org/repo.git' }), 400],
      [newProject(w.courseA, 'local-repo', { repoUrl: '/nonexistent/repo.git' }), 400],
      [newProject(w.courseA, 'many-tags', { tags: Array.from({ length: 11 }, (_, i) => `t${i}`) }), 400],
      [newProject(w.courseA, 'long-tag', { tags: ['x'.repeat(31)] }), 400],
      [{ ...newProject(w.courseA, 'extra-field'), owner: 'me' }, 400],
      [newProject('not-a-uuid', 'bad-course'), 400],
    ];
    for (const [body, status] of cases) {
      const res = await w.api('POST', '/api/projects', w.bob.token, body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(status);
      expect(res.body.error.code).toBeTypeOf('string');
    }
    expect((await w.api('GET', `/api/projects?courseId=${w.courseA}&max=100`, w.teacher.token)).body.data.length).toBe(before);
  });

  it("a demo video must be a processed task of the team: someone else's is 404, an unprocessed one 409", async () => {
    const mine = await w.addTask(w.bob.id, 'processed');
    const notReady = await w.addTask(w.bob.id, 'queued');
    const theirs = await w.addTask(w.dave.id, 'processed');
    expect((await w.api('POST', '/api/projects', w.bob.token, newProject(w.courseA, 'demo-theirs', { demoTaskId: theirs }))).status).toBe(404);
    expect(
      (await w.api('POST', '/api/projects', w.bob.token, newProject(w.courseA, 'demo-unknown', { demoTaskId: '00000000-0000-4000-8000-000000000000' }))).status,
    ).toBe(404);
    expect((await w.api('POST', '/api/projects', w.bob.token, newProject(w.courseA, 'demo-queued', { demoTaskId: notReady }))).status).toBe(409);
    const ok = await w.api('POST', '/api/projects', w.bob.token, newProject(w.courseA, 'demo-mine', { demoTaskId: mine }));
    expect(ok.status).toBe(201);
    expect(ok.body.demoTaskId).toBe(mine);
    expect((await w.api('PATCH', `/api/projects/${ok.body.id}`, w.bob.token, { demoTaskId: theirs })).status).toBe(404);
    expect((await w.api('GET', `/api/projects/${ok.body.id}`, w.bob.token)).body.demoTaskId).toBe(mine);
    // Everyone who sees the project gets signed links to play the demo (a classmate cannot read the task itself).
    const seen = await w.api('GET', `/api/projects/${ok.body.id}`, w.alice.token);
    expect(seen.body.viewer).toBe('classmate');
    expect(seen.body.demo.processed).toMatch(new RegExp(`^/api/tasks/${mine}/processed\\?expires=\\d+&sig=[\\w-]+$`));
    expect(seen.body.demo.thumbnail).toMatch(new RegExp(`^/api/tasks/${mine}/thumbnail\\?expires=`));
    const cleared = await w.api('PATCH', `/api/projects/${ok.body.id}`, w.bob.token, { demoTaskId: null });
    expect(cleared.status).toBe(200);
    expect(cleared.body.demoTaskId).toBeNull();
    expect(cleared.body.demo).toBeNull();
  });
});

describe('team', () => {
  let id: string;
  beforeAll(async () => {
    id = (await w.api('POST', '/api/projects', w.alice.token, newProject(w.courseA, 'team-app'))).body.id;
  });

  it('adds members by id and e-mail, reporting unknown ones; a member of another course group refuses the whole request', async () => {
    const outside = await w.api('POST', `/api/projects/${id}/members`, w.alice.token, { userIds: [w.bob.id, w.dave.id] });
    expect(outside.status).toBe(422);
    expect((await w.api('GET', `/api/projects/${id}/members`, w.alice.token)).body.data).toHaveLength(1);
    const res = await w.api('POST', `/api/projects/${id}/members`, w.alice.token, {
      userIds: [w.bob.id, '00000000-0000-4000-8000-000000000001'],
      emails: ['nobody@uni.example', w.bob.email.toUpperCase()],
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      added: [{ userId: w.bob.id, username: w.bob.username, role: 'member' }],
      unknownEmails: ['nobody@uni.example'],
      unknownUserIds: ['00000000-0000-4000-8000-000000000001'],
    });
  });

  it('members edit; only the owner removes members, transfers ownership and deletes', async () => {
    expect((await w.api('PATCH', `/api/projects/${id}`, w.bob.token, { name: 'Team App', tags: ['Go'] })).body).toMatchObject({
      name: 'Team App',
      tags: ['go'],
      viewer: 'member',
    });
    expect((await w.api('POST', `/api/projects/${id}/members`, w.bob.token, { userIds: [w.carol.id] })).body.added).toHaveLength(1);
    expect((await w.api('DELETE', `/api/projects/${id}/members/${w.carol.id}`, w.bob.token)).status).toBe(403);
    expect((await w.api('PATCH', `/api/projects/${id}/members/${w.bob.id}`, w.bob.token, { role: 'owner' })).status).toBe(403);
    expect((await w.api('DELETE', `/api/projects/${id}`, w.bob.token)).status).toBe(403);
    expect((await w.api('DELETE', `/api/projects/${id}/members/${w.alice.id}`, w.alice.token)).status).toBe(409);
    expect((await w.api('DELETE', `/api/projects/${id}/members/${w.carol.id}`, w.alice.token)).status).toBe(204);
    expect((await w.api('DELETE', `/api/projects/${id}/members/${w.carol.id}`, w.alice.token)).status).toBe(404);
    const team = await w.api('PATCH', `/api/projects/${id}/members/${w.bob.id}`, w.alice.token, { role: 'owner' });
    expect(team.body.data).toEqual([
      { userId: w.bob.id, username: w.bob.username, role: 'owner' },
      { userId: w.alice.id, username: w.alice.username, role: 'member' },
    ]);
    expect((await w.api('DELETE', `/api/projects/${id}`, w.alice.token)).status).toBe(403);
  });

  it('classmates cannot change a project (403); outsiders do not see it (404)', async () => {
    expect((await w.api('PATCH', `/api/projects/${id}`, w.carol.token, { name: 'x' })).status).toBe(403);
    expect((await w.api('PATCH', `/api/projects/${id}`, w.dave.token, { name: 'x' })).status).toBe(404);
    expect((await w.api('POST', `/api/projects/${id}/members`, w.dave.token, { userIds: [w.dave.id] })).status).toBe(404);
  });
});

describe('stages', () => {
  let id: string;
  let stageId: string;
  beforeAll(async () => {
    id = (await w.api('POST', '/api/projects', w.alice.token, newProject(w.courseA, 'staged'))).body.id;
  });

  it('an ordered list; members submit, the course teacher reviews; classmates see no feedback', async () => {
    const first = await w.api('POST', `/api/projects/${id}/stages`, w.teacher.token, { title: 'Proposal', dueAt: '2026-10-01T00:00:00Z' });
    expect(first.status).toBe(201);
    stageId = first.body.id;
    expect((await w.api('POST', `/api/projects/${id}/stages`, w.alice.token, { title: 'MVP' })).body.position).toBe(2);
    expect((await w.api('POST', `/api/projects/${id}/stages`, w.carol.token, { title: 'x' })).status).toBe(403);
    expect((await w.api('PUT', `/api/projects/${id}/stages/${stageId}/review`, w.teacher.token, { status: 'accepted' })).status).toBe(409);
    expect((await w.api('PUT', `/api/projects/${id}/stages/${stageId}/submission`, w.alice.token, {})).status).toBe(400);
    expect((await w.api('PUT', `/api/projects/${id}/stages/${stageId}/submission`, w.teacher.token, { note: 'x' })).status).toBe(403);
    const submitted = await w.api('PUT', `/api/projects/${id}/stages/${stageId}/submission`, w.alice.token, {
      commitSha: 'abc1234',
      link: 'https://example.org/doc',
      note: 'see doc',
    });
    expect(submitted.body).toMatchObject({ status: 'submitted', submission: { commitSha: 'abc1234', link: 'https://example.org/doc', note: 'see doc' } });
    expect((await w.api('PUT', `/api/projects/${id}/stages/${stageId}/review`, w.alice.token, { status: 'accepted' })).status).toBe(403);
    expect((await w.api('PUT', `/api/projects/${id}/stages/${stageId}/review`, w.otherTeacher.token, { status: 'accepted' })).status).toBe(404);
    const reviewed = await w.api('PUT', `/api/projects/${id}/stages/${stageId}/review`, w.teacher.token, {
      status: 'changes-requested',
      feedback: 'more detail',
    });
    expect(reviewed.body).toMatchObject({ status: 'changes-requested', feedback: 'more detail' });
    const forTeam = (await w.api('GET', `/api/projects/${id}/stages`, w.alice.token)).body.data;
    expect(forTeam.map((s: { title: string }) => s.title)).toEqual(['Proposal', 'MVP']);
    expect(forTeam[0].feedback).toBe('more detail');
    const forClassmate = (await w.api('GET', `/api/projects/${id}`, w.carol.token)).body;
    expect(forClassmate.viewer).toBe('classmate');
    expect(forClassmate.stages[0].status).toBe('changes-requested');
    expect(forClassmate.stages[0]).not.toHaveProperty('feedback');
    expect(forClassmate).not.toHaveProperty('repoUrl');
    expect((await w.api('PUT', `/api/projects/${id}/stages/${stageId}/review`, w.teacher.token, { status: 'rejected' })).status).toBe(400);
    expect((await w.api('PUT', `/api/projects/${id}/stages/00000000-0000-4000-8000-000000000000/submission`, w.alice.token, { note: 'x' })).status).toBe(404);
  });
});

describe('ratings', () => {
  let id: string;
  beforeAll(async () => {
    id = (await w.api('POST', '/api/projects', w.alice.token, newProject(w.courseA, 'rated'))).body.id;
  });

  it('anyone who sees it and is not on its team rates 1–5 once; re-rating replaces', async () => {
    expect((await w.api('POST', `/api/projects/${id}/ratings`, w.carol.token, { score: 6 })).status).toBe(400);
    expect((await w.api('POST', `/api/projects/${id}/ratings`, w.carol.token, { score: 0 })).status).toBe(400);
    expect((await w.api('POST', `/api/projects/${id}/ratings`, w.alice.token, { score: 5 })).status).toBe(403);
    expect((await w.api('POST', `/api/projects/${id}/ratings`, w.dave.token, { score: 5 })).status).toBe(404);
    expect((await w.api('POST', `/api/projects/${id}/ratings`, w.carol.token, { score: 2 })).body).toEqual({ average: 2, count: 1, mine: 2 });
    expect((await w.api('POST', `/api/projects/${id}/ratings`, w.teacher.token, { score: 5 })).body).toEqual({ average: 3.5, count: 2, mine: 5 });
    expect((await w.api('POST', `/api/projects/${id}/ratings`, w.carol.token, { score: 4 })).body).toEqual({ average: 4.5, count: 2, mine: 4 });
    expect((await w.api('GET', `/api/projects/${id}`, w.carol.token)).body.rating).toEqual({ average: 4.5, count: 2, mine: 4 });
  });

  it('sort=rating lists the best rated first and pages with a cursor', async () => {
    const page1 = await w.api('GET', `/api/projects?courseId=${w.courseA}&sort=rating&max=1`, w.teacher.token);
    expect(page1.body.data[0].slug).toBe('rated');
    const page2 = await w.api('GET', `/api/projects?courseId=${w.courseA}&sort=rating&max=1&cursor=${page1.body.nextCursor}`, w.teacher.token);
    expect(page2.status).toBe(200);
    expect(page2.body.data[0].slug).not.toBe('rated');
  });
});

describe('who sees what', () => {
  let id: string;
  beforeAll(async () => {
    id = (
      await w.api(
        'POST',
        '/api/projects',
        w.alice.token,
        newProject(w.courseA, 'seen-app', { repoUrl: 'https://git.example.org/team/seen.git', tags: ['Vision'] }),
      )
    ).body.id;
  });

  it('team, teacher and admins see everything; classmates the public part; others 404', async () => {
    for (const [token, viewer] of [
      [w.alice.token, 'owner'],
      [w.teacher.token, 'staff'],
      [w.admin, 'staff'],
    ] as const) {
      const res = await w.api('GET', `/api/projects/${id}`, token);
      expect(res.body).toMatchObject({ viewer, repoUrl: 'https://git.example.org/team/seen.git' });
    }
    const classmate = await w.api('GET', `/api/projects/${id}`, w.bob.token);
    expect(classmate.body).toMatchObject({ viewer: 'classmate', name: 'Project seen-app', tags: ['vision'] });
    expect(classmate.body).not.toHaveProperty('repoUrl');
    for (const token of [w.dave.token, w.outsider.token, w.otherTeacher.token]) {
      expect((await w.api('GET', `/api/projects/${id}`, token)).status).toBe(404);
      expect((await w.api('GET', '/api/projects/by-slug/seen-app', token)).status).toBe(404);
      expect((await w.api('GET', `/api/projects/${id}/members`, token)).status).toBe(404);
      expect((await w.api('GET', `/api/projects/${id}/env`, token)).status).toBe(404);
    }
    expect((await w.api('GET', `/api/projects/${id}/env`, w.bob.token)).status).toBe(403);
    expect((await w.api('GET', `/api/projects/${id}/env`, w.teacher.token)).status).toBe(200);
    expect((await w.api('GET', '/api/projects/not-a-uuid', w.alice.token)).status).toBe(404);
    expect((await w.api('GET', `/api/projects/${id}`, undefined)).status).toBe(401);
  });

  it("lists: a course group's projects for its people, 404 for others; without courseId, the caller's courses and teams", async () => {
    const slugsFor = async (token: string, query: string) =>
      (await w.api('GET', `/api/projects?${query}&max=100`, token)).body.data?.map((p: { slug: string }) => p.slug);
    expect(await slugsFor(w.bob.token, `courseId=${w.courseA}`)).toContain('seen-app');
    expect((await w.api('GET', `/api/projects?courseId=${w.courseA}`, w.dave.token)).status).toBe(404);
    expect((await w.api('GET', `/api/projects?courseId=${w.courseA}`, w.otherTeacher.token)).status).toBe(404);
    expect(await slugsFor(w.dave.token, 'sort=recent')).toEqual([]);
    expect(await slugsFor(w.outsider.token, 'sort=recent')).toEqual([]);
    expect(await slugsFor(w.admin, 'sort=recent')).toContain('seen-app');
    expect(await slugsFor(w.bob.token, `courseId=${w.courseA}&tag=VISION`)).toEqual(['seen-app']);
    expect(await slugsFor(w.bob.token, `courseId=${w.courseA}&q=seen`)).toEqual(['seen-app']);
    expect(await slugsFor(w.bob.token, `courseId=${w.courseA}&q=%25`)).toEqual([]);
    for (const bad of ['max=0', 'max=101', 'sort=best', 'cursor=nonsense', 'courseId=nope'])
      expect((await w.api('GET', `/api/projects?${bad}`, w.bob.token)).status, bad).toBe(400);
  });

  it('pages newest first with a cursor, each project once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 50; i++) {
      const page: { body: { data: Array<{ id: string }>; nextCursor: string | null } } = await w.api(
        'GET',
        `/api/projects?courseId=${w.courseA}&max=2${cursor ? `&cursor=${cursor}` : ''}`,
        w.teacher.token,
      );
      seen.push(...page.body.data.map((p) => p.id));
      cursor = page.body.nextCursor;
      if (!cursor) break;
    }
    const all = (await w.api('GET', `/api/projects?courseId=${w.courseA}&max=100`, w.teacher.token)).body.data.map((p: { id: string }) => p.id);
    expect(seen).toEqual(all);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("tags with counts for a course group's people", async () => {
    const res = await w.api('GET', `/api/projects/tags?courseId=${w.courseA}`, w.carol.token);
    expect(res.body.data).toEqual(
      expect.arrayContaining([
        { tag: 'vision', count: 1 },
        { tag: 'web', count: 1 },
      ]),
    );
    expect((await w.api('GET', `/api/projects/tags?courseId=${w.courseA}`, w.dave.token)).status).toBe(404);
  });
});

describe('events', () => {
  it('project.created/updated/env.changed/deleted reach the projects.events stream with ids only, written with the change', async () => {
    const seen: Array<Record<string, unknown>> = [];
    const stop = await w.app.runtime.queues.subscribe('projects.events', (event) => void seen.push(event));
    try {
      const id = (await w.api('POST', '/api/projects', w.alice.token, newProject(w.courseA, 'evented'))).body.id as string;
      await w.api('PATCH', `/api/projects/${id}`, w.alice.token, { name: 'Evented' });
      await w.api('PUT', `/api/projects/${id}/env/API_TOKEN`, w.alice.token, { value: 'event-secret-value-123' });
      expect((await w.api('DELETE', `/api/projects/${id}`, w.alice.token)).status).toBe(204);
      await waitUntil(() => seen.filter((e) => e.projectId === id).length === 4);
      const mine = seen.filter((e) => e.projectId === id);
      expect(mine.map((e) => e.eventName)).toEqual(['project.created', 'project.updated', 'project.env.changed', 'project.deleted']);
      expect(JSON.stringify(mine)).not.toContain('event-secret-value-123');
      for (const e of mine) expect(Object.keys(e).sort()).toEqual(['eventName', 'projectId', 'seq']);
    } finally {
      await stop();
    }
  });

  it('a refused change records no event: one project.created per project, even after the 50-way race', async () => {
    const pool = new pg.Pool({ connectionString: w.app.db.url, max: 1 });
    try {
      // Publishing runs after the reply; wait until nothing is left to publish.
      await waitUntil(async () => (await pool.query(`SELECT 1 FROM projects.outbox WHERE published_at IS NULL`)).rowCount === 0);
      const { rows } = await pool.query<{ events: number; projects: number; pending: number }>(
        `SELECT (SELECT count(*)::int FROM projects.outbox WHERE type = 'project.created') AS events,
                (SELECT count(*)::int FROM projects.projects) + (SELECT count(*)::int FROM projects.outbox WHERE type = 'project.deleted') AS projects,
                (SELECT count(*)::int FROM projects.outbox WHERE published_at IS NULL) AS pending`,
      );
      expect(rows[0]!.events).toBe(rows[0]!.projects);
      expect(rows[0]!.pending).toBe(0);
    } finally {
      await pool.end();
    }
  });
});

describe('OpenAPI', () => {
  it('documents the projects routes from their TypeBox schemas', async () => {
    const doc = await w.api('GET', '/openapi.json', undefined);
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/api/projects', '/api/projects/{id}/env/{key}', '/api/projects/{id}/stages/{stageId}/review']),
    );
    expect(doc.body.paths['/api/projects'].post.requestBody.content['application/json'].schema.required).toEqual(['name', 'slug', 'courseId']);
  });
});
