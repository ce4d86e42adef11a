import { isIPv4 } from 'node:net';

/** True for localhost, 127.0.0.0/8 and ::1 (also IPv4-mapped), as `URL.hostname` writes them. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (host === 'localhost' || host === '::1') return true;
  if (isIPv4(host)) return host.startsWith('127.');
  return /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(host);
}

/** Load only ever targets this machine: anything else is refused before a request leaves. */
export function assertLoopbackUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch (error) {
    throw new Error(`Load target "${text}" is not a URL (expected e.g. http://127.0.0.1:8080)`, {
      cause: error,
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`Load target "${text}" must be http or https, not ${url.protocol.replace(/:$/, '')}`);
  }
  if (!isLoopbackHost(url.hostname)) {
    throw new Error(
      `Load target "${text}" is not on this machine: load is only sent to loopback (localhost, 127.0.0.0/8, ::1)`,
    );
  }
  return url;
}
