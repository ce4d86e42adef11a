// Writes .env.example, every setting of src/config/spec.ts with its default and what it does: `npm run env:example`.
// test/deploy/envExample.test.ts fails when the committed file differs from what this writes, so a setting added
// to the spec without running this is caught.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describeAccepted, SETTINGS, type SettingName } from '../src/config/index.js';

export const ENV_EXAMPLE_FILE = fileURLToPath(new URL('../.env.example', import.meta.url));
const WIDTH = 110;

const HEADER = `# Every setting of the TPS Reference System with its default and what it does. Generated from
# src/config/spec.ts by \`npm run env:example\`: do not edit by hand (test/deploy/envExample.test.ts checks it).
#
# With Docker Compose: copy this file to .env next to docker-compose.yml and uncomment what you change. Compose
# gives .env to the four TPS roles (env_file); a variable that docker-compose.yml sets itself under environment
# wins over .env (the brokers' addresses, ports, HOST, ALLOWED_HOSTS). Restart with \`docker compose up -d\`.
# Anywhere else: set them in the environment (\`tps\` does not read this file), or in deploy/k8s/10-config.yaml.
# docs/deployment.md says which settings matter in production.
`;

/** Wraps a comment at WIDTH columns, each line starting with `# `. */
function comment(text: string): string[] {
  const lines: string[] = [];
  let line = '#';
  for (const word of text.split(/\s+/)) {
    if (line.length + 1 + word.length > WIDTH && line !== '#') {
      lines.push(line);
      line = '#';
    }
    line += ` ${word}`;
  }
  return [...lines, line];
}

/** A dotenv value: bare when it is one plain word, single-quoted otherwise. */
const dotenvValue = (value: string | number | boolean | undefined): string => {
  const text = value === undefined ? '' : String(value);
  return /^[\w.:/@,+=-]*$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`;
};

export function envExampleText(): string {
  const blocks = Object.entries(SETTINGS).map(([name, spec]) => {
    const accepts = describeAccepted(name as SettingName).replace(/, default .*$/, '');
    const secret = 'secret' in spec && spec.secret ? ' Secret: /info shows only whether it is set.' : '';
    const fallback = 'default' in spec ? spec.default : undefined;
    return [
      ...comment(`${spec.doc}. Accepts ${accepts}.${secret}`),
      `# ${name}=${dotenvValue(fallback)}`,
    ].join('\n');
  });
  return `${HEADER}\n${blocks.join('\n\n')}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(ENV_EXAMPLE_FILE, envExampleText());
  console.log(`wrote ${ENV_EXAMPLE_FILE} (${Object.keys(SETTINGS).length} settings)`);
}
