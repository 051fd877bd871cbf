import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EdgeWriter, edgeFiles, ensureEdgeFiles, mapEntries, type EdgeFiles } from './edge.ts';

describe('the edge files deploy writes for a front proxy', () => {
  let dir: string;
  let files: EdgeFiles;
  const map = () => fs.readFileSync(files.map, 'utf8');
  const link = (slot: number) => fs.readlinkSync(path.join(files.sockets, `${slot}.sock`));

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aula-edge-'));
    files = edgeFiles(dir);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a writer with no apps leaves the map the front proxy started with untouched', async () => {
    await ensureEdgeFiles(files);
    const before = fs.statSync(files.map);
    await new EdgeWriter(files).write([]);
    const after = fs.statSync(files.map);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
  });

  it("a switch re-points the slot's link only; a stop, a start or a new app changes the map only", async () => {
    const writer = new EdgeWriter(files);
    await writer.write([{ slug: 'team-one', slot: 7, socket: '/srv/run/a/app.sock', running: true }]);
    expect(map()).toBe('team-one app_7\n');
    expect(link(7)).toBe('/srv/run/a/app.sock');

    const mapBefore = fs.statSync(files.map);
    await writer.write([{ slug: 'team-one', slot: 7, socket: '/srv/run/b/app.sock', running: true }]);
    expect(link(7)).toBe('/srv/run/b/app.sock');
    expect(fs.statSync(files.map).ino).toBe(mapBefore.ino);

    await writer.write([{ slug: 'team-one', slot: 7, socket: '/srv/run/b/app.sock', running: false }]);
    expect(map()).toBe('');
    expect(link(7)).toBe('/srv/run/b/app.sock');

    await writer.write([
      { slug: 'team-one', slot: 7, socket: '/srv/run/b/app.sock', running: true },
      { slug: 'team-two', slot: 130, socket: '/srv/run/c/app.sock', running: true },
    ]);
    expect(mapEntries(map())).toEqual(
      new Map([
        ['team-one', 7],
        ['team-two', 130],
      ]),
    );

    await writer.write([]);
    expect(fs.readdirSync(files.sockets)).toEqual([]);
    expect(map()).toBe('');
  });

  it('refuses a route that could break out of the configuration', async () => {
    const writer = new EdgeWriter(files);
    await expect(writer.write([{ slug: 'x y', slot: 1, socket: '/srv/a.sock', running: true }])).rejects.toThrow('unsafe edge route');
    await expect(writer.write([{ slug: 'team-one', slot: 1, socket: '/srv/a.sock\n  server evil', running: true }])).rejects.toThrow('unsafe edge route');
    await expect(writer.write([{ slug: 'team-one', slot: -1, socket: '/srv/a.sock', running: true }])).rejects.toThrow('unsafe edge route');
  });
});
