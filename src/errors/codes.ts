/**
 * The error registry: every error the system answers with, its stable code and HTTP status.
 * Routes throw `TpsError`s; the API's error handler turns them into `{"error":{"code","message","details"?}}`.
 */
export const ERRORS = {
  VALIDATION_FAILED: { status: 400, message: 'The request is not valid' },
  BAD_REQUEST: { status: 400, message: 'The request is not valid HTTP' },
  INVALID_JSON: { status: 400, message: 'The body is not valid JSON' },
  PAYLOAD_TOO_DEEP: { status: 400, message: 'The body nests objects and arrays too deep' },
  // PAYLOAD_TOO_LARGE is the 413 of a body over its byte limit; this one counts members.
  PAYLOAD_TOO_MANY_KEYS: { status: 400, message: 'The body has too many members' },
  PAYLOAD_NOT_JSON: { status: 400, message: 'The payload is not JSON data' },
  NOT_FOUND: { status: 404, message: 'Not found' },
  SIGNAL_NOT_FOUND: { status: 404, message: 'No signal with this id' },
  TRACE_NOT_FOUND: { status: 404, message: 'No recent trace with this id' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'Method not allowed' },
  FORBIDDEN: { status: 403, message: 'Admin routes need loopback or the admin token' },
  CROSS_SITE: { status: 403, message: 'Admin routes refuse requests another site started' },
  REQUEST_TIMEOUT: { status: 408, message: 'The request did not arrive in time' },
  NOT_RETRYABLE: { status: 409, message: 'Only failed, expired or dead-lettered signals can be retried' },
  ID_CONFLICT: { status: 409, message: 'This id belongs to a different signal' },
  PAYLOAD_DROPPED: {
    status: 409,
    message: 'The payload of this signal is no longer kept, so it cannot be sent again',
  },
  NO_WORKER: { status: 409, message: 'No worker to crash' },
  BROKER_NOT_OWNED: { status: 409, message: 'This broker was not started by us, so we do not stop it' },
  LOAD_RUNNING: { status: 409, message: 'A load run is already going: stop it first (DELETE /load)' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The body is too large' },
  URI_TOO_LONG: { status: 414, message: 'The URL is too long' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Send application/json' },
  MISDIRECTED_REQUEST: { status: 421, message: 'This server does not answer for this Host' },
  LANE_FULL: { status: 429, message: 'The lane is full' },
  HEADERS_TOO_LARGE: { status: 431, message: 'The request headers are too large' },
  LINE_STOPPED: { status: 503, message: 'The line is stopped' },
  QUEUE_UNAVAILABLE: { status: 503, message: 'The queue backend is unavailable' },
  STORE_UNAVAILABLE: { status: 503, message: 'The status store is unavailable' },
  TOO_MANY_EVENT_CLIENTS: { status: 503, message: 'Too many clients are following /events' },
  SHUTTING_DOWN: { status: 503, message: 'The system is shutting down' },
  INTERNAL: { status: 500, message: 'Internal error' },
  NOT_SUPPORTED: { status: 501, message: 'Not supported in this mode' },
  SUPERVISOR_UNREACHABLE: { status: 502, message: 'The run-local supervisor does not answer' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;
