// Bundles the andon board's script (src/web/board/) into dist/web/board.js; part of `npm run build`.
import { build } from 'esbuild';
import { statSync } from 'node:fs';
import { stdout } from 'node:process';
import { URL, fileURLToPath } from 'node:url';

const root = new URL('../', import.meta.url);
const outfile = fileURLToPath(new URL('dist/web/board.js', root));

await build({
  entryPoints: [fileURLToPath(new URL('src/web/board/main.ts', root))],
  bundle: true,
  format: 'esm',
  target: 'es2020',
  minify: true,
  outfile,
  logLevel: 'warning',
});
stdout.write(`board: ${outfile} (${(statSync(outfile).size / 1024).toFixed(1)} KB)\n`);
