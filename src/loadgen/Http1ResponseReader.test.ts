import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Http1ResponseReader } from './Http1ResponseReader.js';

const ANSWERS = [
  'HTTP/1.1 202 Accepted\r\ncontent-type: application/json\r\nContent-Length: 15\r\n\r\n{"id":"abc-12"}',
  'HTTP/1.1 429 Too Many Requests\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\n\r\n',
  'HTTP/1.1 204 No Content\r\ndate: Mon, 30 Nov 2026 11:00:00 GMT\r\n\r\n',
  'HTTP/1.1 503 Service Unavailable\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nx-trailer: yes\r\n\r\n',
  'HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 2\r\n\r\nok',
];
const EXPECTED = [
  [202, false],
  [429, false],
  [204, false],
  [503, false],
  [200, true],
];
const stream = Buffer.from(ANSWERS.join(''));

function readAll(pieces: Buffer[]): { answers: [number, boolean][]; failure: string | undefined } {
  const answers: [number, boolean][] = [];
  const reader = new Http1ResponseReader((status, closeAfter) => answers.push([status, closeAfter]));
  let failure: string | undefined;
  for (const piece of pieces) failure ??= reader.read(piece);
  return { answers, failure };
}

describe('Http1ResponseReader', () => {
  it('reads sized, chunked and body-less answers in one piece', () => {
    assert.deepEqual(readAll([stream]), { answers: EXPECTED, failure: undefined });
  });

  it('reads the same answers split at every byte', () => {
    for (let at = 1; at < stream.length; at++) {
      const split = readAll([stream.subarray(0, at), stream.subarray(at)]);
      assert.deepEqual(split, { answers: EXPECTED, failure: undefined }, `split at byte ${at}`);
    }
  });

  it('reads them one byte at a time', () => {
    const bytes = [...stream].map((byte) => Buffer.from([byte]));
    assert.deepEqual(readAll(bytes), { answers: EXPECTED, failure: undefined });
  });

  it('answers an error code for what it does not read', () => {
    const cases: [string, string][] = [
      ['HTTP/1.1 100 Continue\r\n\r\n', 'BAD_RESPONSE'],
      ['SSH-2.0-OpenSSH_9.2\r\n\r\n', 'BAD_RESPONSE'],
      ['HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n', 'BAD_CHUNK_SIZE'],
      [`HTTP/1.1 200 OK\r\nx-big: ${'a'.repeat(70_000)}`, 'RESPONSE_LINE_TOO_LONG'],
    ];
    for (const [bytes, code] of cases) {
      assert.deepEqual(readAll([Buffer.from(bytes)]), { answers: [], failure: code }, bytes.slice(0, 30));
    }
  });
});
