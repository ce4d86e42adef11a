import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { SETTINGS } from '../../src/config/index.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('the README', () => {
  it('gives the run command and the test command in its first lines', () => {
    const top = readme.split('\n').slice(0, 6).join('\n');
    assert.match(top, /`npm ci && npm start`/);
    assert.match(top, /`npm ci && npm test`/);
  });

  it('documents every setting with its default', () => {
    for (const [name, spec] of Object.entries(SETTINGS)) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${name}\``));
      assert.ok(row, `${name} has a row in the configuration table`);
      if ('default' in spec && spec.default !== '')
        assert.ok(row.includes(`\`${String(spec.default)}\``), `${name}'s default`);
    }
  });
});

describe('make help', () => {
  it('lists every target the contract and the user guide name', () => {
    const help = execFileSync('make', ['--no-print-directory', 'help'], { encoding: 'utf8' });
    const targets = [
      'up',
      'down',
      'restart',
      'clean',
      'build',
      'run-local',
      'test',
      'load',
      'spike',
      'stress',
      'stress-test',
      'health',
      'status',
      'info',
      'metrics',
      'dashboard',
      'traces',
      'logs',
      'logs-system',
      'logs-nats',
      'logs-rabbitmq',
      'chaos-downstream',
      'chaos',
      'chaos-stop',
      'chaos-crash-worker',
      'chaos-queue-down',
      'chaos-queue-recover',
      'chaos-cascade',
      'help',
    ];
    for (const target of targets) assert.match(help, new RegExp(`^  ${target} `, 'm'), `make ${target}`);
  });
});

describe('the exercises', () => {
  it('say where Grafana and Jaeger come from: the compose stack, which has both', () => {
    const exercises = readFileSync(new URL('../../docs/exercises.md', import.meta.url), 'utf8');
    assert.doesNotMatch(exercises, /observability issue/);
    assert.match(
      exercises.replace(/\s+/g, ' '),
      /Grafana .* and Jaeger .* come with the compose stack, `docker-compose\.yml`/,
    );
    const compose = readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8');
    assert.match(compose, /^ {2}grafana:$/m);
    assert.match(compose, /^ {2}jaeger:$/m);
  });
});
