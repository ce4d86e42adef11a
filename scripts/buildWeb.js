// Bundles the pages' scripts (src/web/board/, src/web/traces/) into dist/web/<name>.js; part of `npm run build`.
import { build } from 'esbuild';
import { statSync } from 'node:fs';
import { stdout } from 'node:process';
import { URL, fileURLToPath } from 'node:url';

const root = new URL('../', import.meta.url);

for (const name of ['board', 'traces']) {
  const outfile = fileURLToPath(new URL(`dist/web/${name}.js`, root));
  await build({
    entryPoints: [fileURLToPath(new URL(`src/web/${name}/main.ts`, root))],
    bundle: true,
    format: 'esm',
    target: 'es2020',
    minify: true,
    outfile,
    logLevel: 'warning',
  });
  stdout.write(`${name}: ${outfile} (${(statSync(outfile).size / 1024).toFixed(1)} KB)\n`);
}
