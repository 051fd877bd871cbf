import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { CONFIG_VARIABLES } from '../src/platform/config.ts';
import { declaredModuleSettings } from '../src/platform/module-settings.ts';
import { startTestApp, type TestApp } from './app.ts';

/** Variables of modules being built at the same time, not merged yet: AULA_SECRETS_KEY comes with `projects`. */
// Every module's own settings count too (modules declare them when imported).
await import('../src/app.ts'); // modules declare their settings when imported
const MODULE_VARIABLES = declaredModuleSettings().flatMap((s) => s.variables);

const deploy = path.resolve('deploy');
const read = (file: string) => fs.readFileSync(path.join(deploy, file), 'utf8');
const envFileKeys = (file: string) =>
  read(file)
    .split('\n')
    .filter((l) => /^[A-Z_][A-Z0-9_]*=/.test(l))
    .map((l) => l.slice(0, l.indexOf('=')));

type Container = { image?: string; args?: string[]; command?: string[]; env?: Array<{ name: string }>; [probe: string]: unknown };

/** Everything the deployment files ask of Aula: variables, probe paths, command lines. */
function collect() {
  const variables = new Set<string>();
  const probes = new Set<string>();
  const commands: string[][] = [];

  const containerfile = read('Containerfile').replace(/\\\n/g, ' ');
  for (const line of containerfile.split('\n').filter((l) => l.startsWith('ENV '))) {
    for (const match of line.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=/g)) variables.add(match[1]!);
  }
  expect(containerfile).toMatch(/^ENTRYPOINT \["aula"\]$/m);
  commands.push(JSON.parse(/^CMD (\[.*\])$/m.exec(containerfile)![1]!) as string[]);

  const compose = parse(read('compose/compose.yaml'), { merge: true }) as {
    services: Record<
      string,
      { image?: string; command?: string[]; environment?: Record<string, string>; env_file?: string[]; healthcheck?: { test: string[] } }
    >;
  };
  const aulaServices = Object.values(compose.services).filter((s) => s.image?.includes('aula'));
  expect(aulaServices.length).toBeGreaterThanOrEqual(3);
  for (const service of aulaServices) {
    for (const name of Object.keys(service.environment ?? {})) variables.add(name);
    for (const file of service.env_file ?? []) for (const name of envFileKeys(`compose/${file}.example`)) variables.add(name);
    if (service.command) commands.push(service.command);
    for (const url of (service.healthcheck?.test ?? []).join(' ').matchAll(/http:\/\/127\.0\.0\.1:8080(\/[a-z]*)/g)) probes.add(url[1]!);
  }
  for (const match of read('compose/haproxy.cfg').matchAll(/option httpchk GET (\S+)/g)) probes.add(match[1]!);

  const manifests = fs.readdirSync(path.join(deploy, 'kubernetes')).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
  for (const file of manifests) {
    for (const doc of parseAllDocuments(read(`kubernetes/${file}`))) {
      const object = doc.toJS() as { kind: string; data?: Record<string, string>; spec?: { template?: { spec?: { containers?: Container[] } } } };
      if (object.kind === 'ConfigMap') for (const name of Object.keys(object.data ?? {})) variables.add(name);
      for (const container of object.spec?.template?.spec?.containers ?? []) {
        if (container.image !== 'aula') continue;
        expect(container.command).toBeUndefined(); // the image's entrypoint is `aula`; only args change
        commands.push(container.args ?? []);
        for (const { name } of container.env ?? []) variables.add(name);
        for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
          const http = (container[probe] as { httpGet?: { path: string } } | undefined)?.httpGet;
          if (http) probes.add(http.path);
        }
      }
    }
  }
  for (const name of envFileKeys('kubernetes/secrets.env.example')) variables.add(name);
  return { variables, probes, commands };
}

/** Runs `aula <args>` with a bad PORT: a known command gets as far as the configuration (exit 2 naming PORT, no usage). */
function reachesConfig(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/aula.js', ...args], { env: { ...process.env, PORT: 'not-a-port' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('deploy/ files name only what Aula has', () => {
  const found = collect();
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => app?.stop());

  it('every environment variable is one config knows (or of a module not merged yet)', () => {
    const known = new Set([...CONFIG_VARIABLES, ...MODULE_VARIABLES]);
    expect([...found.variables].filter((name) => !known.has(name))).toEqual([]);
    expect(found.variables).toContain('AULA_JWT_SECRET');
    expect(found.variables).toContain('DATABASE_URL');
  });

  it('every probe path is a GET route of the app', () => {
    expect([...found.probes].sort()).toEqual(['/health', '/ready']);
    for (const url of found.probes) expect(app.runtime.app!.hasRoute({ method: 'GET', url })).toBe(true);
  });

  it('every command line is one `aula` accepts', { timeout: 180_000 }, async () => {
    const distinct = [...new Map(found.commands.map((c) => [c.join(' '), c])).values()];
    expect(distinct.map((c) => c[0]).sort()).toEqual(expect.arrayContaining(['migrate', 'start', 'worker']));
    const results = await Promise.all(distinct.map(async (args) => ({ args: args.join(' '), ...(await reachesConfig(args)) })));
    for (const result of results) {
      expect({ args: result.args, code: result.code }).toEqual({ args: result.args, code: 2 });
      expect(result.output).toContain('PORT="not-a-port"');
      expect(result.output).not.toContain('usage:');
    }
    // The check can fail: a command aula lacks is refused before the configuration is read.
    const wrong = await reachesConfig(['serve']);
    expect(wrong.output).toContain('unknown command: serve');
  });

  it.skipIf(spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status !== 0)('kustomize renders every kind the cluster needs', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aula-kustomize-'));
    try {
      fs.cpSync(path.join(deploy, 'kubernetes'), dir, { recursive: true });
      fs.copyFileSync(path.join(dir, 'secrets.env.example'), path.join(dir, 'secrets.env'));
      const rendered = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
      expect(rendered.stderr).toBe('');
      const kinds = parseAllDocuments(rendered.stdout).map((d) => (d.toJS() as { kind: string }).kind);
      expect(new Set(kinds)).toEqual(
        new Set([
          'Namespace',
          'ConfigMap',
          'Secret',
          'PersistentVolumeClaim',
          'Job',
          'Deployment',
          'Service',
          'PodDisruptionBudget',
          'HorizontalPodAutoscaler',
          'Ingress',
        ]),
      );
      expect(kinds.filter((k) => k === 'Deployment')).toHaveLength(3);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
