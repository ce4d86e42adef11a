/**
 * The Dockerfile, read as text, for what a run of the image does not show: a pinned base, the stages, what each
 * copies and installs, the Node flags. image.test.ts builds the image and runs it (/health, uid, HEALTHCHECK).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SYSTEM_NODE_FLAGS } from '../../src/system/nodeFlags.js';
import { readText, REPO } from './support.js';

const text = readText(join(REPO, 'Dockerfile'));
/** Instructions with their continuation lines joined and comments dropped. */
const instructions = text
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'))
  .map((line) => {
    const [keyword = '', ...rest] = line.split(/\s+/);
    return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
  });
const stages = instructions.filter((i) => i.keyword === 'FROM');
const last = (keyword: string) => instructions.filter((i) => i.keyword === keyword).at(-1);

/** The instructions of the final stage. */
const finalStage = instructions.slice(instructions.lastIndexOf(stages.at(-1)!));

describe('Dockerfile', () => {
  it('is multi-stage, the runtime on a pinned Node 24 (LTS) slim image', () => {
    assert.ok(stages.length >= 2, `expected at least two FROM, got ${stages.length}`);
    assert.match(stages[0]!.args, /\bAS\s+build\b/i);
    const image = /^ARG\s+NODE_IMAGE=(\S+)/m.exec(text)?.[1];
    assert.ok(image, 'ARG NODE_IMAGE=… gives the base image');
    assert.match(image, /^node:24\.\d+\.\d+-bookworm-slim$/);
    for (const stage of stages) assert.match(stage.args, /^\$\{NODE_IMAGE\}/);
  });

  it('builds in the build stage with npm ci and npm run build, with every file the build script runs', () => {
    const build = instructions.slice(0, instructions.indexOf(stages[1]!));
    const runs = build.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    assert.ok(runs.some((r) => /\bnpm ci\b/.test(r)));
    assert.ok(runs.some((r) => /\bnpm run build\b/.test(r)));
    // `npm run build` runs `node scripts/…` files: a build stage without them fails (it once did).
    const copied = build.filter((i) => i.keyword === 'COPY').map((i) => i.args.split(/\s+/)[0]);
    const buildScript = (JSON.parse(readText(join(REPO, 'package.json'))) as { scripts: { build: string } })
      .scripts.build;
    const files = buildScript.match(/\bscripts\/\S+/g) ?? [];
    assert.ok(files.length > 0, buildScript);
    for (const file of files) assert.ok(copied.includes(file), `the build stage copies ${file}`);
  });

  it('installs production dependencies only in the runtime stage and copies dist/ and bin/', () => {
    const runs = finalStage.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    assert.ok(
      runs.some((r) => /\bnpm ci\b/.test(r) && r.includes('--omit=dev') && r.includes('--ignore-scripts')),
      `runtime RUN lines: ${runs.join(' | ')}`,
    );
    const copies = finalStage.filter((i) => i.keyword === 'COPY').map((i) => i.args);
    assert.ok(copies.some((c) => c.startsWith('--from=build') && /\/app\/dist\s+\.\/dist/.test(c)));
    assert.ok(copies.some((c) => /^bin\s/.test(c)));
    assert.ok(!copies.some((c) => /^(src|\.)\s/.test(c)), 'the runtime stage copies no sources');
  });

  it("runs every role with the system's Node flags", () => {
    const env = finalStage
      .filter((i) => i.keyword === 'ENV')
      .map((i) => i.args)
      .join(' ');
    assert.equal(/\bNODE_OPTIONS=(\S+)/.exec(env)?.[1], SYSTEM_NODE_FLAGS.join(' '));
  });

  it('runs as a non-root user', () => {
    const user = finalStage.filter((i) => i.keyword === 'USER').at(-1)?.args;
    assert.ok(user, 'the runtime stage sets USER');
    assert.doesNotMatch(user, /^(root|0)(:|$)/);
  });

  it('checks /health, exposes 8080 and starts the embedded system by default', () => {
    const health = last('HEALTHCHECK')?.args ?? '';
    assert.match(health, /\/health/);
    assert.match(health, /process\.env\.PORT \|\| 8080/);
    assert.equal(last('EXPOSE')?.args, '8080');
    assert.deepEqual(JSON.parse(last('CMD')?.args ?? 'null'), ['node', 'bin/tps.js', 'start']);
    // Without HOST=0.0.0.0 the API listens on localhost only and is unreachable from outside the container.
    assert.match(text, /HOST=0\.0\.0\.0/);
    // Listening on every interface, it names the hosts it answers (421 for others); empty means loopback and IPs.
    assert.match(text, /\bALLOWED_HOSTS=/);
  });

  it('has a .dockerignore that keeps node_modules, dist and .git out of the context', () => {
    const ignored = readText(join(REPO, '.dockerignore'))
      .split('\n')
      .map((l) => l.trim());
    for (const entry of ['node_modules', 'dist', '.git']) assert.ok(ignored.includes(entry), entry);
    for (const needed of ['src', 'bin', 'package.json', 'package-lock.json', 'tsconfig.json'])
      assert.ok(!ignored.includes(needed), `${needed} must reach the build`);
    if (ignored.includes('scripts'))
      assert.ok(ignored.includes('!scripts/buildWeb.js'), 'scripts/buildWeb.js');
  });
});
