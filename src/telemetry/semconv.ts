/**
 * The OpenTelemetry semantic conventions the spans follow, so Jaeger, Tempo and any OTLP backend read them as
 * HTTP, messaging and database spans. The stable attributes come from the package's root export.
 */
export {
  ATTR_DB_COLLECTION_NAME,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_SYSTEM_NAME,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_SERVICE_NAME,
  ATTR_SERVICE_VERSION,
  ATTR_URL_FULL,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
  DB_SYSTEM_NAME_VALUE_POSTGRESQL,
} from '@opentelemetry/semantic-conventions';

/*
 * The messaging conventions are still incubating. Their constants live in
 * `@opentelemetry/semantic-conventions/incubating`, whose entry point loads about 0.8 MB of JavaScript (every
 * incubating attribute of every domain) to name these few strings, so they are copied here, as the
 * conventions (semantic-conventions 1.45, "Messaging spans") spell them.
 */
export const ATTR_MESSAGING_SYSTEM = 'messaging.system';
export const ATTR_MESSAGING_OPERATION_TYPE = 'messaging.operation.type';
export const ATTR_MESSAGING_OPERATION_NAME = 'messaging.operation.name';
export const ATTR_MESSAGING_DESTINATION_NAME = 'messaging.destination.name';
export const ATTR_MESSAGING_MESSAGE_ID = 'messaging.message.id';
/** `send` is what a producer span does (the older `publish` type is deprecated); `process` a consumer's. */
export const MESSAGING_OPERATION_TYPE_VALUE_SEND = 'send';
export const MESSAGING_OPERATION_TYPE_VALUE_PROCESS = 'process';
