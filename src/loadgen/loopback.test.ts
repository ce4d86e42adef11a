import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertLoopbackUrl, isLoopbackHost } from './loopback.js';

describe('loopback', () => {
  it('accepts localhost, 127.0.0.0/8 and ::1', () => {
    for (const url of [
      'http://localhost:8080',
      'http://127.0.0.1',
      'http://127.9.8.7:1',
      'http://[::1]:8080',
      'http://[::ffff:127.0.0.1]',
    ]) {
      assert.equal(assertLoopbackUrl(url).href.startsWith('http'), true, url);
    }
  });

  it('refuses any other host, saying load only goes to this machine', () => {
    for (const url of [
      'http://10.0.0.1:8080',
      'http://example.com',
      'http://128.0.0.1',
      'http://[::2]',
      'http://localhost.example.com',
    ]) {
      assert.throws(
        () => assertLoopbackUrl(url),
        /is not on this machine: load is only sent to loopback/,
        url,
      );
    }
  });

  it('refuses what is not an http URL', () => {
    assert.throws(() => assertLoopbackUrl('127.0.0.1:8080'), /is not a URL|must be http/);
    assert.throws(() => assertLoopbackUrl('ftp://127.0.0.1'), /must be http or https, not ftp/);
  });

  it('reads hosts as URL writes them', () => {
    assert.equal(isLoopbackHost(new URL('http://127.1').hostname), true);
    assert.equal(isLoopbackHost(new URL('http://LOCALHOST').hostname), true);
    assert.equal(isLoopbackHost('10.127.0.1'), false);
  });
});
