/**
 * Every setting, once: its environment variable, type, default, bounds and what it means.
 * The JSON schema that validates the environment, the `Config` type and the README's table all come from here.
 */
interface Base {
  doc: string;
}
interface IntSpec extends Base {
  type: 'integer';
  default?: number;
  minimum?: number;
  maximum?: number;
  enum?: readonly number[];
}
interface NumberSpec extends Base {
  type: 'number';
  default?: number;
  minimum?: number;
  maximum?: number;
}
interface StringSpec extends Base {
  type: 'string';
  default?: string;
  pattern?: string;
  enum?: readonly string[];
  secret?: boolean;
}
interface BooleanSpec extends Base {
  type: 'boolean';
  default?: boolean;
}
type SettingSpec = IntSpec | NumberSpec | StringSpec | BooleanSpec;

const int = (doc: string, d: number, minimum = 0, maximum?: number): IntSpec => ({
  type: 'integer',
  doc,
  default: d,
  minimum,
  ...(maximum === undefined ? {} : { maximum }),
});

/** A share for SLO targets: at least 0.5, and below 1 so an error budget is left. */
const share = (doc: string, d: number): NumberSpec => ({
  type: 'number',
  doc,
  default: d,
  minimum: 0.5,
  maximum: 0.99999,
});

export const SETTINGS = {
  PORT: int('HTTP port of the API (0 picks a free one)', 8080, 0, 65535),
  HOST: { type: 'string', doc: 'Address the API listens on', default: 'localhost' },
  ALLOWED_HOSTS: {
    type: 'string',
    doc: 'Host names (comma list, `name` or `name:port`) answered besides loopback and IPs; others get 421. Needed with HOST=0.0.0.0',
    default: '',
    pattern: '^\\s*([A-Za-z0-9.-]+(:[0-9]{1,5})?\\s*(,\\s*|$))*$',
  },
  QUEUE_BACKEND: {
    type: 'string',
    doc: 'Where lanes live: memory (embedded); nats, rabbitmq or nats+rabbitmq (NATS, RabbitMQ when NATS is down) for the distributed mode',
    default: 'memory',
    enum: ['memory', 'nats', 'rabbitmq', 'nats+rabbitmq'],
  },
  NATS_URL: {
    type: 'string',
    // A comma list without empty entries; nats.js checks each server when it connects.
    pattern: '^[^\\s,]+(,\\s*[^\\s,]+)*$',
    doc: 'NATS server, or a comma list of the servers of one cluster (distributed mode)',
    default: 'nats://127.0.0.1:4222',
  },
  NATS_REPLICAS: {
    type: 'integer',
    doc: 'Copies of each JetStream stream and consumer: 1 on one server, 3 or 5 on a cluster of as many (docs/high-availability.md)',
    default: 1,
    // JetStream takes 1 to 5; an even count survives no more lost servers than the odd count below it.
    enum: [1, 3, 5],
  },
  AMQP_URL: {
    type: 'string',
    doc: 'RabbitMQ server (distributed mode)',
    default: 'amqp://guest:guest@127.0.0.1:5672',
    secret: true,
  },
  DATABASE_URL: {
    type: 'string',
    doc: 'PostgreSQL status store, which the distributed mode needs (e.g. postgres://postgres@127.0.0.1:5432/postgres)',
    default: '',
    secret: true,
  },
  DATABASE_SCHEMA: {
    type: 'string',
    pattern: '^[a-z_][a-z0-9_]{0,62}$',
    doc: 'PostgreSQL schema of the status store (created by the migration at start-up)',
    default: 'tps',
  },
  QUEUE_PREFIX: {
    type: 'string',
    pattern: '^[A-Za-z0-9_-]{1,64}$',
    doc: 'Prefix of the streams, queues and consumers the distributed mode creates',
    default: 'tps',
  },
  WORKER_PORT: int(
    'Port of a `tps worker` process for /health, /metrics and /status (0 picks a free one)',
    8081,
    0,
    65535,
  ),
  DOWNSTREAM_HOST: {
    type: 'string',
    doc: 'Host of `tps downstream` as workers and the API reach it',
    default: '127.0.0.1',
  },
  DOWNSTREAM_PORT: int(
    'First of the three ports of `tps downstream`: service A, then B, then C',
    8091,
    0,
    65533,
  ),
  SUPERVISOR_URL: {
    type: 'string',
    doc: 'Admin address of the `tps run-local` that started this API (it sets this): distributed crash-worker and queue-down go there',
    default: '',
  },
  API_URL: {
    type: 'string',
    pattern: '^(https?://[^\\s]+)?$',
    doc: 'The API whose andon cords a `tps worker` follows, and where workers and `tps downstream` send spans (empty: none; run-local sets it)',
    default: '',
  },
  ANDON_SYNC_MS: int('How often a `tps worker` reads the andon cords of API_URL', 500, 50, 60_000),
  SIGNAL_ROUTES: {
    type: 'string',
    doc: 'Overrides of which lane a signal type goes to, e.g. "report=fast,notify=slow"',
    default: '',
  },
  WORKER_COUNT: int('Starting size of each worker pool', 10, 1, 1000),
  FAST_POOL_SIZE: int('Starting size of the fast pool (0 = WORKER_COUNT)', 0, 0, 1000),
  SLOW_POOL_SIZE: int('Starting size of the slow pool (0 = WORKER_COUNT)', 0, 0, 1000),
  POOL_MIN: int('Fewest workers a pool shrinks to when idle (0 = its starting size)', 0, 0, 1000),
  POOL_MAX: int('Most workers a pool grows to (0 = 4 × its starting size)', 0, 0, 4000),
  WORKER_BUDGET: int(
    'Workers all pools of one process share (0 = no sharing: each pool up to POOL_MAX); a flooded lane borrows what the other is not using',
    0,
    0,
    8000,
  ),
  AUTOSCALE: { type: 'boolean', doc: 'Grow pools under backlog and shrink them when idle', default: true },
  AUTOSCALE_INTERVAL_MS: int('How often pools look at their backlog', 1000, 50, 60_000),
  SCALE_UP_BACKLOG_PER_WORKER: int('Waiting signals per worker that make a pool grow', 2, 1, 10_000),
  SCALE_STEP: int('Workers added per scale-up', 2, 1, 1000),
  SCALE_COOLDOWN_MS: int('Least time between two scaling changes of a pool', 2000, 0, 600_000),
  SCALE_IDLE_MS: int('How long spare workers sit idle before the pool shrinks', 10_000, 0, 3_600_000),
  MAX_QUEUE_DEPTH: int('Signals waiting per lane before intake answers 429', 1000, 1, 10_000_000),
  WIP_LIMIT: int('Un-acked signals per lane at once (0 = the pool maximum)', 0, 0, 100_000),
  LEASE_MS: int('How long a worker may hold a signal before it is redelivered', 30_000, 100, 3_600_000),
  MAX_DELIVER: int('Deliveries before a signal is dead-lettered', 5, 1, 100),
  RETRY_BACKOFF_MS: int('Delay before a failed signal is tried again (doubles per attempt)', 500, 0, 600_000),
  FAST_WORK_MS: int('Simulated work per fast signal', 5, 0, 600_000),
  SLOW_WORK_MS: int('Simulated work per slow signal', 200, 0, 600_000),
  MAX_WORK_MS: int('Largest work_ms a payload may ask for', 10_000, 0, 3_600_000),
  MAX_PAYLOAD_BYTES: int('Largest request body accepted by POST /signal', 64 * 1024, 256, 16 * 1024 * 1024),
  MAX_PAYLOAD_DEPTH: int(
    'Deepest nesting of objects and arrays a JSON body may have (deeper: 400 PAYLOAD_TOO_DEEP)',
    32,
    1,
    1000,
  ),
  MAX_PAYLOAD_KEYS: int(
    'Most members (object keys and array items, all levels) a JSON body may have (more: 400 PAYLOAD_TOO_MANY_KEYS)',
    10_000,
    1,
    1_000_000,
  ),
  DOWNSTREAM_LATENCY_MS: int(
    'Latency of service A, "the database", at the end of the chain C → B → A',
    50,
    0,
    600_000,
  ),
  DOWNSTREAM_HOP_LATENCY_MS: int('Latency of services C and B themselves', 2, 0, 600_000),
  DOWNSTREAM_TIMEOUT_MS: int(
    'Timeout of one downstream call; a timeout counts against the breaker',
    2000,
    10,
    600_000,
  ),
  SLOW_CALL_MS: int(
    'A downstream call slower than this counts as a failure even if it succeeds',
    1500,
    1,
    600_000,
  ),
  CIRCUIT_BREAKER_THRESHOLD: int('Consecutive failures that open a breaker', 10, 1, 10_000),
  CIRCUIT_BREAKER_RESET_MS: int('How long a breaker stays open before it probes', 30_000, 10, 3_600_000),
  BREAKER_PROBES: int('Successful half-open probes needed to close a breaker', 3, 1, 1000),
  PROBE_TIMEOUT_MS: int('Timeout of a half-open probe call', 2000, 10, 600_000),
  STATUS_RETENTION_MS: int(
    'How long finished signals stay queryable by id',
    15 * 60_000,
    1000,
    7 * 24 * 3_600_000,
  ),
  STATUS_MAX_RECORDS: int(
    'Most finished signal statuses kept (in memory or in PostgreSQL)',
    100_000,
    100,
    100_000_000,
  ),
  STATUS_PAYLOAD_BUDGET_BYTES: int(
    'Payload bytes the in-memory status store keeps for retries; over it the oldest are dropped (their retry: 409)',
    64 * 1024 * 1024,
    0,
    16 * 1024 * 1024 * 1024,
  ),
  SHUTDOWN_TIMEOUT_MS: int(
    'How long SIGTERM waits for in-flight work before releasing it',
    10_000,
    0,
    600_000,
  ),
  TRACE_SAMPLE_RATIO: {
    type: 'number',
    doc: 'Share of new traces recorded (0 to 1); a trace started elsewhere keeps its own decision',
    default: 1,
    minimum: 0,
    maximum: 1,
  },
  TRACE_BUFFER: int(
    'Recent traces kept in process for GET /traces (0 keeps none); under load a sample: at most a tenth of this many new ones a second',
    1000,
    0,
    100_000,
  ),
  MAX_EVENT_CLIENTS: int(
    'Most clients GET /events streams to at once (one more: 503 with Retry-After)',
    100,
    1,
    100_000,
  ),
  OTEL_EXPORTER_OTLP_ENDPOINT: {
    type: 'string',
    doc: 'OTLP/HTTP collector (e.g. http://localhost:4318 for Jaeger); traces are exported when set',
    default: '',
  },
  SLO_AVAILABILITY_TARGET: share(
    "SLO: share of POST /signal answered without a 5xx (4xx are the client's or back-pressure and do not count)",
    0.999,
  ),
  SLO_FAST_LEAD_MS: int(
    'SLO: lead time a completed fast-lane signal must stay within (the Prometheus rules use the 1 s bucket)',
    1000,
    1,
    3_600_000,
  ),
  SLO_FAST_TARGET: share('SLO: share of completed fast-lane signals within SLO_FAST_LEAD_MS', 0.99),
  SLO_SLOW_LEAD_MS: int(
    'SLO: lead time a completed slow-lane signal must stay within (the Prometheus rules use the 10 s bucket)',
    10_000,
    1,
    3_600_000,
  ),
  SLO_SLOW_TARGET: share('SLO: share of completed slow-lane signals within SLO_SLOW_LEAD_MS', 0.99),
  LOG_LEVEL: {
    type: 'string',
    doc: 'pino log level',
    default: 'info',
    enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
  },
  TPS_ADMIN_TOKEN: {
    type: 'string',
    doc: 'Bearer token that admin routes accept from non-loopback callers',
    default: '',
    secret: true,
  },
} as const satisfies Record<string, SettingSpec>;

export type SettingName = keyof typeof SETTINGS;
