import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactSecrets } from './redactSecrets.js';

describe('redactSecrets', () => {
  it('masks the password of a URL and keeps the user, host, port and path', () => {
    assert.equal(redactSecrets('amqp://guest:guest@rabbitmq:5672'), 'amqp://guest:***@rabbitmq:5672');
    assert.equal(
      redactSecrets('postgres://postgres:s3cr%40t@db.internal:5432/tps?sslmode=require'),
      'postgres://postgres:***@db.internal:5432/tps?sslmode=require',
    );
  });

  it('masks a user that is a token by itself, and a password with an unencoded @', () => {
    assert.equal(redactSecrets('nats://s3cr3t-token@nats:4222'), 'nats://***@nats:4222');
    assert.equal(redactSecrets('nats://u:p@ss@nats:4222'), 'nats://u:***@nats:4222');
  });

  it('masks secret-named query parameters and keeps the others', () => {
    assert.equal(
      redactSecrets('https://otel.example/v1?token=abc&region=eu&access_token=def;api_key=ghi'),
      'https://otel.example/v1?token=***&region=eu&access_token=***;api_key=***',
    );
    assert.equal(redactSecrets('postgres://db/x?password=pw'), 'postgres://db/x?password=***');
  });

  it('masks every URL inside a longer text: a NATS server list, an error message', () => {
    assert.equal(
      redactSecrets('NATS is not reachable at nats://a:one@h1:4222,nats://b:two@h2:4222: refused'),
      'NATS is not reachable at nats://a:***@h1:4222,nats://b:***@h2:4222: refused',
    );
  });

  it('leaves text without credentials as it is', () => {
    for (const text of [
      'http://127.0.0.1:8080/status',
      'nats://nats:4222',
      'an e-mail like ops@example.com',
      '',
    ])
      assert.equal(redactSecrets(text), text);
  });
});
