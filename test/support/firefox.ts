import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'undici';
import { skipWithout } from './services.js';

/** Debian's Firefox ESR (`.ci/run` installs it). */
export const FIREFOX = '/usr/bin/firefox-esr';
export const firefoxSkip: false | string = skipWithout(FIREFOX, 'firefox-esr');

type BidiAnswer = { id?: number; type: string; result?: unknown; error?: string; message?: string };

export interface FirefoxPage {
  goto(url: string): Promise<void>;
  /** Evaluates an expression in the page (awaiting a promise) and answers its value, as JSON-able data. */
  evaluate<T>(expression: string): Promise<T>;
  setViewport(width: number, height: number): Promise<void>;
  /** A PNG of the viewport. */
  screenshot(): Promise<Buffer>;
  close(): Promise<void>;
}

/**
 * Headless Firefox driven over WebDriver BiDi, which Firefox serves itself (`--remote-debugging-port`).
 * Written by hand, small on purpose: playwright-core's own BiDi path (`firefox.launch({channel: 'moz-firefox'})`)
 * sends `emulation.setMediaFeaturesOverride`, which Firefox ESR 153 answers "unknown command", Playwright's patched
 * Firefox cannot be downloaded here, and geckodriver (which WebdriverIO and Selenium need) is not packaged in Debian.
 */
export async function launchFirefox(): Promise<FirefoxPage> {
  const profile = mkdtempSync(join(tmpdir(), 'tps-firefox-'));
  const browser: ChildProcess = spawn(
    FIREFOX,
    ['--headless', '--no-remote', '--remote-debugging-port=0', '--profile', profile],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const kill = (): void => {
    browser.kill('SIGKILL');
    rmSync(profile, { recursive: true, force: true });
  };
  try {
    const endpoint = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('Firefox did not offer WebDriver BiDi within 30 s')),
        30_000,
      );
      const read = (chunk: Buffer): void => {
        const found = /WebDriver BiDi listening on (ws:\/\/\S+)/.exec(chunk.toString())?.[1];
        if (found) {
          clearTimeout(timer);
          resolve(found);
        }
      };
      browser.stdout?.on('data', read);
      browser.stderr?.on('data', read);
      browser.once('exit', (code) => reject(new Error(`Firefox exited with ${code} before it started`)));
    });
    const socket = new WebSocket(`${endpoint}/session`);
    await new Promise((resolve, reject) => {
      socket.onopen = resolve;
      socket.onerror = () => reject(new Error(`no WebDriver BiDi session at ${endpoint}`));
    });
    let next = 0;
    const waiting = new Map<number, (answer: BidiAnswer) => void>();
    socket.onmessage = (event) => {
      const answer = JSON.parse(String(event.data)) as BidiAnswer;
      if (answer.id !== undefined) waiting.get(answer.id)?.(answer);
    };
    const send = async <T>(method: string, params: Record<string, unknown>): Promise<T> => {
      const id = ++next;
      const answer = await new Promise<BidiAnswer>((resolve) => {
        waiting.set(id, resolve);
        socket.send(JSON.stringify({ id, method, params }));
      });
      waiting.delete(id);
      if (answer.type !== 'success') throw new Error(`${method}: ${answer.error}: ${answer.message}`);
      return answer.result as T;
    };
    await send('session.new', { capabilities: {} });
    const tree = await send<{ contexts: Array<{ context: string }> }>('browsingContext.getTree', {});
    const context = tree.contexts[0]?.context;
    if (!context) throw new Error('Firefox has no browsing context');
    return {
      goto: async (url) => {
        await send('browsingContext.navigate', { context, url, wait: 'complete' });
      },
      evaluate: async <T>(expression: string) => {
        const result = await send<{
          type: string;
          result?: unknown;
          exceptionDetails?: { text: string };
        }>('script.evaluate', {
          expression: `JSON.stringify(${expression})`,
          target: { context },
          awaitPromise: true,
        });
        if (result.type === 'exception') throw new Error(`in Firefox: ${result.exceptionDetails?.text}`);
        const value = (result.result as { value?: string } | undefined)?.value;
        return (value === undefined ? undefined : JSON.parse(value)) as T;
      },
      setViewport: async (width, height) => {
        await send('browsingContext.setViewport', { context, viewport: { width, height } });
      },
      screenshot: async () =>
        Buffer.from(
          (await send<{ data: string }>('browsingContext.captureScreenshot', { context })).data,
          'base64',
        ),
      close: async () => {
        await send('session.end', {}).catch(() => undefined);
        socket.close();
        kill();
      },
    };
  } catch (error) {
    kill();
    throw error;
  }
}
