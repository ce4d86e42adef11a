/** `scheme://user:password@` or `scheme://token@`: the userinfo of a URL, up to the last `@` before the host. */
const USERINFO = /([a-z][a-z0-9+.-]*:\/\/)([^/?#\s'"<>]*)@/gi;
/** A query or form parameter whose name says it carries a secret: `?token=`, `&password=`, `access_token=`… */
const SECRET_PARAMETER =
  /([?&;][^=&#\s'"<>]*(?:token|passw|pwd|secret|key|auth|sig|credential|session)[^=&#\s'"<>]*=)[^&#;\s'"<>]*/gi;

/**
 * The text with the credentials of every URL in it masked: a password (`user:***@`), a user that is a token by
 * itself (`***@`, as NATS takes one), and secret-named query parameters (`?token=***`). For /info, log lines and
 * error messages that name NATS_URL, AMQP_URL, DATABASE_URL or OTEL_EXPORTER_OTLP_ENDPOINT.
 */
export function redactSecrets(text: string): string {
  if (!text.includes('@') && !text.includes('=')) return text;
  return text
    .replace(USERINFO, (_match, scheme: string, userinfo: string) => {
      const colon = userinfo.indexOf(':');
      return `${scheme}${colon === -1 ? '***' : `${userinfo.slice(0, colon)}:***`}@`;
    })
    .replace(SECRET_PARAMETER, '$1***');
}
