// Prints the README's configuration table from the settings spec: `npx tsx scripts/configTable.ts`.
import { SETTINGS, describeAccepted, type SettingName } from '../src/config/index.js';

console.log('| variable | default | accepts | what it does |');
console.log('| --- | --- | --- | --- |');
for (const [name, spec] of Object.entries(SETTINGS)) {
  const fallback = 'default' in spec && spec.default !== '' ? `\`${String(spec.default)}\`` : '—';
  const accepts = describeAccepted(name as SettingName).replace(/, default .*$/, '');
  console.log(`| \`${name}\` | ${fallback} | ${accepts} | ${spec.doc} |`);
}
