import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig, publicConfig } from './index.js';

const refusal = (env: NodeJS.ProcessEnv): string => {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.message;
  }
  assert.fail('the configuration was accepted');
};

describe('loadConfig', () => {
  it('takes the defaults of the contract when the environment is empty', () => {
    const config = loadConfig({});
    assert.equal(config.port, 8080);
    assert.equal(config.queueBackend, 'memory');
    assert.equal(config.workerCount, 10);
    assert.equal(config.circuitBreakerThreshold, 10);
    assert.equal(config.circuitBreakerResetMs, 30_000);
    assert.equal(config.maxQueueDepth, 1000);
    assert.equal(config.downstreamLatencyMs, 50);
    assert.deepEqual(config.pools.fast, { size: 10, min: 10, max: 40, wipLimit: 40 });
    assert.ok(Object.isFrozen(config));
  });

  it('reads typed values from the environment, and overrides win over it', () => {
    const config = loadConfig(
      { PORT: '9000', AUTOSCALE: 'false', WORKER_COUNT: '4', POOL_MIN: '2', SLOW_POOL_SIZE: '6' },
      { port: 0 },
    );
    assert.equal(config.port, 0);
    assert.equal(config.autoscale, false);
    assert.deepEqual(config.pools.fast, { size: 4, min: 2, max: 16, wipLimit: 16 });
    assert.deepEqual(config.pools.slow, { size: 6, min: 2, max: 24, wipLimit: 24 });
  });

  it('stops on a bad value, naming the variable and what it accepts', () => {
    assert.equal(
      refusal({ PORT: 'abc' }),
      'Invalid configuration: PORT="abc" is not valid: it accepts a whole number from 0 to 65535, default 8080',
    );
    assert.match(
      refusal({ QUEUE_BACKEND: 'kafka' }),
      /QUEUE_BACKEND="kafka" .* one of memory, nats, rabbitmq/,
    );
    assert.match(refusal({ MAX_DELIVER: '0', LOG_LEVEL: 'loud' }), /MAX_DELIVER="0".*; LOG_LEVEL="loud"/);
    assert.match(refusal({ AUTOSCALE: 'maybe' }), /AUTOSCALE="maybe" is not valid: it accepts true or false/);
    assert.match(
      refusal({ API_URL: 'api:8080' }),
      /API_URL="api:8080" is not valid: it accepts text matching/,
    );
  });

  it('takes a NATS cluster as a comma list and an odd replica count up to 5', () => {
    const config = loadConfig({
      NATS_URL: 'nats://n1:4222,nats://n2:4222, nats://n3:4222',
      NATS_REPLICAS: '3',
    });
    assert.equal(config.natsReplicas, 3);
    assert.equal(loadConfig({}).natsReplicas, 1);
    assert.equal(
      refusal({ NATS_REPLICAS: '2' }),
      'Invalid configuration: NATS_REPLICAS="2" is not valid: it accepts one of 1, 3, 5, default 1',
    );
    assert.match(refusal({ NATS_REPLICAS: '7' }), /NATS_REPLICAS="7"/);
    assert.match(refusal({ NATS_URL: 'nats://n1:4222,,nats://n2:4222' }), /NATS_URL=".*" is not valid/);
  });

  it('takes ALLOWED_HOSTS as host names with an optional port, and nothing else', () => {
    assert.equal(
      loadConfig({ ALLOWED_HOSTS: 'api, worker-fast:8081' }).allowedHosts,
      'api, worker-fast:8081',
    );
    assert.match(
      refusal({ ALLOWED_HOSTS: 'api@evil.example' }),
      /ALLOWED_HOSTS="api@evil.example" is not valid/,
    );
    assert.match(refusal({ ALLOWED_HOSTS: 'api:http' }), /ALLOWED_HOSTS/);
  });

  it('stops on settings that contradict each other', () => {
    assert.match(refusal({ POOL_MAX: '3' }), /POOL_MAX \(3\) is below the fast pool's starting size \(10\)/);
  });

  it('stops on routes that name an unknown signal type or lane', () => {
    assert.match(
      refusal({ SIGNAL_ROUTES: 'report=medium' }),
      /^Invalid configuration: SIGNAL_ROUTES="report=medium"/,
    );
    assert.deepEqual(loadConfig({ SIGNAL_ROUTES: 'report=fast' }).routes, { report: 'fast' });
  });
});

describe('publicConfig', () => {
  it('shows every setting by its variable name, and no secret', () => {
    const shown = publicConfig(loadConfig({ TPS_ADMIN_TOKEN: 'hunter2', AMQP_URL: 'amqp://u:p@host' }));
    assert.equal(shown.MAX_QUEUE_DEPTH, 1000);
    assert.equal(shown.TPS_ADMIN_TOKEN, '(set)');
    assert.equal(shown.AMQP_URL, '(set)');
    assert.equal(publicConfig(loadConfig({})).TPS_ADMIN_TOKEN, '(not set)');
    assert.equal(publicConfig(loadConfig({})).AMQP_URL, '(default)');
    assert.doesNotMatch(JSON.stringify(shown), /hunter2|u:p@/);
  });
});
