import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { FastifyReply } from 'fastify';

/** The pages' scripts: `src/web/<name>/main.ts`, bundled by `scripts/buildWeb.js` into `dist/web/<name>.js`. */
export type WebScriptName = 'board' | 'traces';

/** The project root, the same four levels up from `src/services/api` and `dist/services/api`. */
const ROOT = new URL('../../../', import.meta.url);
/** Running from the TypeScript sources (tsx: tests, `npm run dev`): bundle them, so a page is never stale. */
const FROM_SOURCE = import.meta.url.endsWith('.ts');

const bundles = new Map<WebScriptName, Promise<string>>();

/** Bundles a page's script with esbuild's API (a dev dependency, so imported only when needed). */
async function bundleFromSource(name: WebScriptName): Promise<string> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [fileURLToPath(new URL(`src/web/${name}/main.ts`, ROOT))],
    bundle: true,
    format: 'esm',
    target: 'es2020',
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error(`esbuild produced no output for ${name}`);
  return output.text;
}

/** The built file (`npm run build`), or a bundle made on the fly when running from source or when it is missing. */
export function webScript(name: WebScriptName): Promise<string> {
  let bundle = bundles.get(name);
  if (!bundle) {
    const built = fileURLToPath(new URL(`dist/web/${name}.js`, ROOT));
    bundle = (
      FROM_SOURCE ? bundleFromSource(name) : readFile(built, 'utf8').catch(() => bundleFromSource(name))
    ).catch((error: unknown) => {
      bundles.delete(name);
      throw error;
    });
    bundles.set(name, bundle);
  }
  return bundle;
}

/** Answers a page or its script, never cached stale. */
export const sendPage = (reply: FastifyReply, type: 'html' | 'javascript', body: string): FastifyReply =>
  reply
    .type(type === 'html' ? 'text/html; charset=utf-8' : 'text/javascript; charset=utf-8')
    .header('cache-control', 'no-cache')
    .send(body);
