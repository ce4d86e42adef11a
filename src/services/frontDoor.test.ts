import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hostAllowList, splitHost } from './frontDoor.js';

describe('the Host allow-list', () => {
  it('splits a Host into name and port, IPv6 literals included', () => {
    assert.deepEqual(splitHost('API:8080'), { name: 'api', port: '8080' });
    assert.deepEqual(splitHost('api'), { name: 'api', port: undefined });
    assert.deepEqual(splitHost('[::1]:80'), { name: '[::1]', port: '80' });
    assert.deepEqual(splitHost('[::1]'), { name: '[::1]', port: undefined });
  });

  it('always answers loopback names and IP addresses, at any port', () => {
    const allowed = hostAllowList('');
    for (const host of [
      'localhost',
      'localhost:8080',
      '127.0.0.1:1',
      '[::1]:8080',
      '10.1.2.3:8080',
      '[fd00::1]',
    ])
      assert.ok(allowed(host), host);
  });

  it('refuses other names, a missing Host, and names that only look like loopback', () => {
    const allowed = hostAllowList('');
    for (const host of [
      undefined,
      '',
      'attacker.example',
      'localhost.attacker.example',
      '127.0.0.1.nip.io:80',
    ])
      assert.equal(allowed(host), false, String(host));
  });

  it('answers ALLOWED_HOSTS: a name at any port, name:port at that port only', () => {
    const allowed = hostAllowList(' api , worker-fast:8081,');
    assert.ok(allowed('api'));
    assert.ok(allowed('API:8080'));
    assert.ok(allowed('worker-fast:8081'));
    assert.equal(allowed('worker-fast:9999'), false);
    assert.equal(allowed('worker-fast'), false);
    assert.equal(allowed('apix'), false);
  });
});
