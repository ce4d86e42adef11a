/** Where the reader is in the current answer: its header block, a sized body, or a chunked body's parts. */
type Phase = 'head' | 'body' | 'chunk-size' | 'chunk-data' | 'trailers';

/** A header block, or a chunk-size line, longer than this is not one a target sends. */
const MAX_LINE_BYTES = 64 * 1024;
const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = /\r\ncontent-length:[ \t]*(\d+)/i;
const CHUNKED = /\r\ntransfer-encoding:[^\r]*chunked/i;
const CLOSE = /\r\nconnection:[ \t]*close/i;

/**
 * Finds where each HTTP/1.1 answer on a connection ends, in whatever pieces the bytes arrive, and reads just its
 * status and whether the server will close the connection after it. It reads `content-length` and chunked
 * bodies, and answers without either as having no body (204, 304). Anything else, such as a 1xx answer or a body
 * that runs until the connection closes, is an error: `read` answers its code and the connection is to be dropped.
 */
export class Http1ResponseReader {
  private pending: Buffer | undefined;
  private phase: Phase = 'head';
  /** Bytes still to come of the sized body, or of the current chunk and the CRLF after it. */
  private left = 0;
  private status = 0;
  private closeAfter = false;
  private failure: string | undefined;

  constructor(private readonly onAnswer: (status: number, closeAfter: boolean) => void) {}

  /** Reads the next bytes; answers an error code once they are not an answer this reader understands. */
  read(chunk: Buffer): string | undefined {
    let data = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    while (data.length > 0 && this.failure === undefined) {
      const rest = this.step(data);
      if (rest === undefined) {
        if (data.length > MAX_LINE_BYTES) this.failure = 'RESPONSE_LINE_TOO_LONG';
        else this.pending = data;
        break;
      }
      data = rest;
    }
    return this.failure;
  }

  /** Reads one part of the answer from `data`; answers what is left after it, or undefined to wait for more. */
  private step(data: Buffer): Buffer | undefined {
    switch (this.phase) {
      case 'head': {
        const end = data.indexOf(HEAD_END);
        if (end < 0) return undefined;
        this.readHead(data.toString('latin1', 0, end));
        return data.subarray(end + HEAD_END.length);
      }
      case 'body':
      case 'chunk-data': {
        const taken = Math.min(this.left, data.length);
        this.left -= taken;
        if (this.left === 0) {
          if (this.phase === 'body') this.answered();
          else this.phase = 'chunk-size';
        }
        return data.subarray(taken);
      }
      case 'chunk-size': {
        const end = data.indexOf(CRLF);
        if (end < 0) return undefined;
        // A chunk-size line may carry extensions after a ';', which parseInt stops at.
        const size = parseInt(data.toString('latin1', 0, end), 16);
        if (!(size >= 0)) this.failure = 'BAD_CHUNK_SIZE';
        else if (size === 0) this.phase = 'trailers';
        else {
          this.phase = 'chunk-data';
          this.left = size + CRLF.length;
        }
        return data.subarray(end + CRLF.length);
      }
      case 'trailers': {
        // The last chunk ends with an empty line, after trailer fields if there are any.
        if (data.length < CRLF.length) return undefined;
        const end = data.indexOf(CRLF) === 0 ? 0 : data.indexOf(HEAD_END);
        if (end < 0) return undefined;
        this.answered();
        return data.subarray(end === 0 ? CRLF.length : end + HEAD_END.length);
      }
    }
  }

  private readHead(head: string): void {
    const status = Number(head.slice(9, 12));
    if (!head.startsWith('HTTP/1.') || !(status >= 200 && status < 600)) {
      this.failure = 'BAD_RESPONSE';
      return;
    }
    this.status = status;
    this.closeAfter = CLOSE.test(head);
    const length = CONTENT_LENGTH.exec(head)?.[1];
    if (length === undefined && CHUNKED.test(head)) this.phase = 'chunk-size';
    else {
      this.phase = 'body';
      this.left = length === undefined ? 0 : Number(length);
      if (this.left === 0) this.answered();
    }
  }

  private answered(): void {
    this.phase = 'head';
    this.onAnswer(this.status, this.closeAfter);
  }
}
