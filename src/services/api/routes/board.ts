import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync } from 'fastify';
import { boardPage } from '../../../web/boardPage.js';
import type { ApiDeps } from '../ApiDeps.js';

/** The project root, the same four levels up from `src/services/api/routes` and `dist/services/api/routes`. */
const ROOT = new URL('../../../../', import.meta.url);
const BUILT = new URL('dist/web/board.js', ROOT);
const SOURCE = new URL('src/web/board/main.ts', ROOT);
/** Running from the TypeScript sources (tsx: tests, `npm run dev`): bundle them, so the page is never stale. */
const FROM_SOURCE = import.meta.url.endsWith('.ts');

let bundle: Promise<string> | undefined;

/** Bundles the board's script with esbuild's API (a dev dependency, so imported only when needed). */
async function bundleFromSource(): Promise<string> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [fileURLToPath(SOURCE)],
    bundle: true,
    format: 'esm',
    target: 'es2020',
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error('esbuild produced no output for the board');
  return output.text;
}

/** The built file (`npm run build`), or a bundle made on the fly when running from source or when it is missing. */
function boardScript(): Promise<string> {
  bundle ??= (
    FROM_SOURCE ? bundleFromSource() : readFile(BUILT, 'utf8').catch(() => bundleFromSource())
  ).catch((error: unknown) => {
    bundle = undefined;
    throw error;
  });
  return bundle;
}

/** `GET /board`: the andon board in the browser, with its one script at `/board.js`. */
export const boardRoutes: FastifyPluginAsync<ApiDeps> = async (app) => {
  const page = boardPage();
  app.get('/board', async (_request, reply) =>
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(page),
  );
  app.get('/board.js', async (_request, reply) =>
    reply
      .type('text/javascript; charset=utf-8')
      .header('cache-control', 'no-cache')
      .send(await boardScript()),
  );
};
