import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readClusterState, type ClusterState, type InstanceState } from '../src/modules/cluster/state.ts';
import { findHaproxy } from '../src/modules/cluster/supervisor/haproxy.ts';
import { isAlive } from '../src/platform/ids.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';
import { call } from './http.ts';
import { freePort, spawnAula, waitForOk, type AulaProcess } from './process.ts';
import { waitUntil } from './wait.ts';

const PASSWORD = 'Fail0verPass';
const MAX_REQUESTS_PER_LOOP = 20_000;
const LOAD_DEADLINE_MS = 150_000;

/** Steady load through HAProxy: GET loops and sign-up POST loops that retry with their Idempotency-Key. */
class Load {
  getOk = 0;
  getFailed: string[] = [];
  postAcknowledged: string[] = [];
  /** First attempts that failed (in flight when an instance died); each was retried with its key. */
  postFirstAttemptFailed = 0;
  /** POSTs still failing after every retry: must stay 0. */
  postGaveUp = 0;
  private stopped = false;
  private loops: Promise<void>[] = [];
  private seq = 0;

  constructor(
    private readonly base: string,
    private readonly token: string,
    private readonly tag: string,
  ) {}

  start(getLoops: number, postLoops: number): void {
    const deadline = Date.now() + LOAD_DEADLINE_MS;
    const running = () => !this.stopped && Date.now() < deadline;
    for (let l = 0; l < getLoops; l++) {
      this.loops.push(
        (async () => {
          for (let n = 0; n < MAX_REQUESTS_PER_LOOP && running(); n++) {
            try {
              const res = await call(this.base, 'GET', '/api/auth/me', { token: this.token });
              if (res.status === 200) this.getOk++;
              else this.getFailed.push(`status ${res.status}`);
            } catch (error) {
              this.getFailed.push((error as Error).message);
            }
          }
        })(),
      );
    }
    for (let l = 0; l < postLoops; l++) {
      this.loops.push(
        (async () => {
          for (let n = 0; n < MAX_REQUESTS_PER_LOOP && running(); n++) {
            const username = `${this.tag}${l}x${this.seq++}`;
            const key = `key-${username}`;
            const body = { username, email: `${username}@uni.example`, password: PASSWORD, password2: PASSWORD };
            for (let attempt = 0; ; attempt++) {
              let status = 0;
              try {
                status = (await call(this.base, 'POST', '/api/auth/signup', { body, headers: { 'idempotency-key': key } })).status;
              } catch {
                status = 0;
              }
              if (status === 201) {
                this.postAcknowledged.push(username);
                break;
              }
              if (attempt === 0) this.postFirstAttemptFailed++;
              if (attempt >= 30) {
                this.postGaveUp++;
                break;
              }
              await new Promise((resolve) => setTimeout(resolve, 200));
            }
          }
        })(),
      );
    }
  }

  /** Resolves once `count` more GETs have succeeded than when called (the load is really flowing). */
  async progressed(count: number): Promise<void> {
    const target = this.getOk + count;
    await waitUntil(() => this.getOk >= target, 60_000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
    process.stdout.write(
      `cluster load [${this.tag}]: GET ok ${this.getOk}, GET failed ${this.getFailed.length}; POST acknowledged ${this.postAcknowledged.length}, ` +
        `first attempts failed ${this.postFirstAttemptFailed}, failed after retries ${this.postGaveUp}\n`,
    );
  }
}

describe.skipIf(!findHaproxy())('aula cluster under failures (real HAProxy, real processes)', { timeout: 180_000 }, () => {
  let db: TestDatabase;
  let client: pg.Client;
  let cluster: AulaProcess;
  let dataDir: string;
  let base: string;
  let token: string;
  const seenPids = new Set<number>();

  const state = (): ClusterState => {
    const s = readClusterState(dataDir);
    if (!s) throw new Error(`no cluster state\n${cluster.output().slice(-3000)}`);
    for (const i of s.instances) if (i.pid) seenPids.add(i.pid);
    if (s.haproxyPid) seenPids.add(s.haproxyPid);
    return s;
  };
  const instance = (name: string): InstanceState => state().instances.find((i) => i.name === name)!;
  const storedUsers = async (names: string[]) => {
    const rows = await client.query<{ username: string; n: number }>(
      'SELECT username, count(*)::int AS n FROM identity.users WHERE username = ANY($1) GROUP BY username',
      [names],
    );
    return rows.rows;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aula-cluster-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    cluster = spawnAula(['cluster', '--api', '2', '--workers', '1'], {
      DATABASE_URL: db.url,
      PORT: String(port),
      HOST: '127.0.0.1',
      AULA_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      AULA_SIGNUP_RATE_LIMIT: '1000000',
      AULA_LOGIN_RATE_LIMIT: '1000000',
      AULA_ADMIN_EMAIL: 'admin@uni.example',
      AULA_ADMIN_PASSWORD: 'Adm1nPassword',
    });
    await waitForOk(`${base}/ready`, 120_000, cluster);
    await waitUntil(() => readClusterState(dataDir)?.instances.every((i) => i.state === 'ready') ?? false, 60_000);
    const account = { username: 'steady', email: 'steady@uni.example', password: PASSWORD, password2: PASSWORD };
    expect((await call(base, 'POST', '/api/auth/signup', { body: account })).status).toBe(201);
    token = (await call(base, 'POST', '/api/auth/login', { body: { username: 'steady', password: PASSWORD } })).body.token;
  });

  afterAll(async () => {
    cluster?.child.kill('SIGKILL');
    await cluster?.exited;
    for (const pid of seenPids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await client?.end();
    await db?.drop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('SIGKILL of an API instance under GET and POST load: no GET fails, no acknowledged write is lost, retried POSTs all succeed', async () => {
    const load = new Load(base, token, 'kill');
    load.start(3, 2);
    try {
      await load.progressed(50);
      const victim = instance('api-1');
      process.kill(victim.pid!, 'SIGKILL');
      await waitUntil(() => {
        const now = instance('api-1');
        return now.pid !== victim.pid && now.state === 'ready';
      }, 90_000);
      await load.progressed(50);
    } finally {
      await load.stop();
    }
    expect(load.getFailed).toEqual([]);
    expect(load.postGaveUp).toBe(0);
    // Only POSTs in flight on the killed instance may fail, at most one per POST loop; their retries succeed.
    expect(load.postFirstAttemptFailed).toBeLessThanOrEqual(2);
    const rows = await storedUsers(load.postAcknowledged);
    expect(rows).toHaveLength(load.postAcknowledged.length);
    expect(rows.every((r) => r.n === 1)).toBe(true);
    const after = instance('api-1');
    expect(after.detections).toBeGreaterThanOrEqual(1);
    expect(after.restarts).toBeGreaterThanOrEqual(1);
  });

  it('SIGSTOP of an API instance: the monitor detects the hang and replaces it while GETs keep succeeding', async () => {
    const load = new Load(base, token, 'stop');
    load.start(3, 0);
    const victim = instance('api-2');
    try {
      await load.progressed(50);
      process.kill(victim.pid!, 'SIGSTOP');
      await waitUntil(() => {
        const now = instance('api-2');
        return now.pid !== victim.pid && now.state === 'ready';
      }, 90_000);
      await load.progressed(50);
    } finally {
      await load.stop();
      if (isAlive(victim.pid!)) process.kill(victim.pid!, 'SIGKILL');
    }
    expect(load.getFailed).toEqual([]);
    await waitUntil(() => !isAlive(victim.pid!), 10_000); // the monitor killed the hung process
    expect(instance('api-2').detections).toBeGreaterThanOrEqual(1);
    expect(cluster.output()).toMatch(/"instance":"api-2".*"reason":"hung".*instance failed: replacing it/);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/aula_cluster_detections_total\{instance="api-2",role="api"\} [1-9]/);
    expect(metrics).toMatch(/aula_cluster_last_detection_seconds\{instance="api-2",role="api"\} \d/);
  });

  it('SIGHUP replaces every API instance one at a time with no failed request', async () => {
    const before = state().instances.filter((i) => i.role === 'api');
    const load = new Load(base, token, 'hup');
    load.start(3, 2);
    try {
      await load.progressed(50);
      process.kill(cluster.child.pid!, 'SIGHUP');
      const restartsBefore = new Map(state().instances.map((i) => [i.name, i.restarts]));
      await waitUntil(() => state().instances.every((i) => i.restarts > restartsBefore.get(i.name)! && i.state === 'ready'), 120_000);
      await load.progressed(50);
    } finally {
      await load.stop();
    }
    expect(load.getFailed).toEqual([]);
    expect(load.postFirstAttemptFailed).toBe(0);
    expect(load.postGaveUp).toBe(0);
    const after = state().instances.filter((i) => i.role === 'api');
    for (const old of before) {
      const now = after.find((i) => i.name === old.name)!;
      expect(now.pid).not.toBe(old.pid);
      expect(now.port).not.toBe(old.port);
      expect(isAlive(old.pid!)).toBe(false);
    }
    const rows = await storedUsers(load.postAcknowledged);
    expect(rows).toHaveLength(load.postAcknowledged.length);
  });

  it('HAProxy SIGKILLed: the supervisor starts it again with the servers in use now, and requests flow again', async () => {
    const old = state().haproxyPid!;
    process.kill(old, 'SIGKILL');
    await waitUntil(() => {
      const now = readClusterState(dataDir)?.haproxyPid;
      return now !== undefined && now !== old;
    }, 30_000);
    const me = async () => {
      try {
        return (await call(base, 'GET', '/api/auth/me', { token })).status;
      } catch {
        return 0;
      }
    };
    await waitUntil(async () => (await me()) === 200, 30_000);
    // After the rolling restart the processes listen on each slot's second port: the new config must route there.
    const statuses = [];
    for (let i = 0; i < 20; i++) statuses.push(await me());
    expect(statuses).toEqual(Array(20).fill(200));
    expect(cluster.output()).toContain('HAProxy exited: starting it again');
  });

  it('admins see the instances; others do not; SIGTERM stops every process', async () => {
    const admin = await call(base, 'POST', '/api/auth/login', { body: { email: 'admin@uni.example', password: 'Adm1nPassword' } });
    const view = await call(base, 'GET', '/api/admin/cluster', { token: admin.body.token });
    expect(view.status).toBe(200);
    expect(view.body.cluster).toBe(true);
    expect(view.body.instances.map((i: InstanceState) => i.name)).toEqual(['api-1', 'api-2', 'worker-1']);
    expect(view.body.instances.every((i: InstanceState) => i.state === 'ready')).toBe(true);
    expect(view.body.instances.filter((i: InstanceState) => i.role === 'api').every((i: InstanceState) => typeof i.lastPingAt === 'string')).toBe(true);
    expect((await call(base, 'GET', '/api/admin/cluster', { token })).status).toBe(403);
    const stats = await fetch(state().statsUrl);
    expect(stats.status).toBe(200);

    const pids = [...state().instances.map((i) => i.pid!), state().haproxyPid!];
    process.kill(cluster.child.pid!, 'SIGTERM');
    expect(await cluster.exited).toBe(0);
    expect(pids.filter(isAlive)).toEqual([]);
  });
});
