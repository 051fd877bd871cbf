import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CRASH_WINDOW_MS, RestartPolicy } from './backoff.ts';
import { edgeBackends, edgeFiles, edgeMap } from '../../deploy/edge.ts';
import { SLOT_BLOCK } from './app-routes.ts';
import { securityHeaderValues } from '../../../platform/http/security-headers.ts';
import { haproxyConfig } from './haproxy-config.ts';
import { findHaproxy } from './haproxy.ts';

describe('RestartPolicy', () => {
  it('restarts at once, then backs off exponentially, and declares crash-loop at the 5th failure within 5 minutes', () => {
    let now = 0;
    const policy = new RestartPolicy(() => now);
    const delays = [0, 1, 2, 3].map(() => {
      now += 1000;
      return policy.fail();
    });
    expect(delays).toEqual([0, 500, 1000, 2000]);
    now += 1000;
    expect(policy.fail()).toBe('crash-loop');
  });

  it('forgets failures older than the window', () => {
    let now = 0;
    const policy = new RestartPolicy(() => now);
    for (let i = 0; i < 4; i++) policy.fail();
    now += CRASH_WINDOW_MS;
    expect(policy.fail()).toBe(0);
  });
});

describe('generated HAProxy configuration', () => {
  const edge = edgeFiles('/tmp/aula-test-data');
  const config = haproxyConfig({
    host: '127.0.0.1',
    port: 18080,
    statsPort: 18099,
    socketPath: '/tmp/aula-test-haproxy.sock',
    appsMap: '/tmp/aula-test-apps.map',
    appsBackends: edgeBackends(2, edge, { 'x-content-type-options': 'nosniff' }),
    slots: [
      { name: 'api-1', ports: [18081, 18082] },
      { name: 'api-2', ports: [18083, 18084] },
    ],
  });

  it('keeps the availability rules: active /ready checks, passive layer-4 observation, safe retries, stats on loopback', () => {
    expect(config).toContain('option httpchk GET /ready');
    expect(config).toMatch(/default-server check inter 200ms .*fall 2 rise 2 observe layer4 .*on-error mark-down/);
    expect(config).toMatch(/timeout check \d+ms/);
    expect(config).toContain('retry-on conn-failure empty-response response-timeout');
    expect(config).toContain('option redispatch');
    expect(config).toContain('http-request disable-l7-retry if !METH_GET !METH_HEAD !METH_OPTIONS');
    const stream = config.slice(config.indexOf('backend be_stream'), config.indexOf('listen stats'));
    expect(stream).toContain('retry-on none');
    expect(stream).toContain('timeout tunnel 1h');
    expect(config).toMatch(/listen stats\n {2}bind 127\.0\.0\.1:18099/);
    expect(config).toContain('server api-1a 127.0.0.1:18081\n');
    expect(config).toContain('server api-1b 127.0.0.1:18082 disabled');
    expect(config).toContain('server api-2a 127.0.0.1:18083 track be_api/api-2a');
  });

  it('enables the side a slot uses now (after a rolling restart, side b)', () => {
    const flipped = haproxyConfig({
      host: '127.0.0.1',
      port: 1,
      statsPort: 2,
      socketPath: '/tmp/s',
      appsMap: '/tmp/m',
      appsBackends: '',
      slots: [{ name: 'api-1', ports: [3, 4], enabled: 1 }],
    });
    expect(flipped).toContain('server api-1a 127.0.0.1:3 disabled');
    expect(flipped).toContain('server api-1b 127.0.0.1:4\n');
  });

  it("sends a running app's /apps/<slug>/ paths to the slot backend deploy's map names, before the stream rules", () => {
    expect(config).toContain('http-request set-var(txn.app) path,field(3,/),map(/tmp/aula-test-apps.map) if { path_reg ^/apps/[a-z0-9-]+/ }');
    expect(config.indexOf('use_backend %[var(txn.app)]')).toBeLessThan(config.indexOf('use_backend be_stream'));
    expect(config).toContain(`backend app_1\n`);
    expect(config).toContain(`server live unix@${edge.sockets}/1.sock`);
    expect(config).not.toContain('backend app_2\n');
  });

  it.skipIf(!findHaproxy())("is accepted by the installed HAProxy, with deploy's slot backends and map", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aula-haproxy-cfg-'));
    try {
      const edgeHere = edgeFiles(dir);
      fs.mkdirSync(edgeHere.dir, { recursive: true });
      fs.writeFileSync(edgeHere.map, edgeMap([{ slug: 'team-one', slot: 1 }]));
      const full = haproxyConfig({
        host: '127.0.0.1',
        port: 18080,
        statsPort: 18099,
        socketPath: path.join(dir, 'haproxy.sock'),
        appsMap: edgeHere.map,
        appsBackends: edgeBackends(SLOT_BLOCK, edgeHere, await securityHeaderValues()),
        slots: [{ name: 'api-1', ports: [18081, 18082] }],
      });
      fs.writeFileSync(path.join(dir, 'haproxy.cfg'), full);
      const check = spawnSync(findHaproxy()!, ['-c', '-f', path.join(dir, 'haproxy.cfg')], { encoding: 'utf8' });
      expect(check.stderr + check.stdout).toContain('Configuration file is valid');
      expect(check.status).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
