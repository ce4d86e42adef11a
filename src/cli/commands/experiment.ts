import { writeFile } from 'node:fs/promises';
import {
  EXPERIMENTS,
  findExperiment,
  formatExperiment,
  renderTimelineSvg,
  resolveParams,
} from '../../experiments/index.js';
import type { Command } from '../Command.js';
import { baseUrl, parseFlags, URL_FLAG } from '../parseFlags.js';
import { UsageError } from '../UsageError.js';

const names = () => EXPERIMENTS.map((experiment) => experiment.name).join(', ');

export const experimentCommand: Command = {
  name: 'experiment',
  summary: 'a scripted run: baseline load, a fault, recovery — with a timeline, figures and a by-id check',
  usage: `tps experiment <name> [--url URL] [--json FILE] [--svg FILE] [--short] [--set NAME=VALUE ...]

  <name>         ${names()}
  --url URL      the running system (default http://localhost:$PORT, PORT defaulting to 8080); loopback only
  --json FILE    also write the result (figures, timeline, samples) as JSON
  --svg FILE     where the timeline picture goes (default experiment-<name>.svg)
  --short        the seconds-long profile the tests use, instead of the 1–2 minute one
  --set N=V      override one parameter (repeatable); \`tps experiment <name> --help\` lists them`,

  async run(args, { env }) {
    const [name, ...rest] = args;
    const experiment = name === undefined ? undefined : findExperiment(name);
    if (!experiment) {
      console.error(
        `${name === undefined ? 'say which experiment' : `unknown experiment '${name}'`}: ${names()}`,
      );
      return 2;
    }
    const { values } = parseFlags('experiment', rest, {
      ...URL_FLAG,
      json: { type: 'string' },
      svg: { type: 'string' },
      short: { type: 'boolean' },
      set: { type: 'string', multiple: true },
      help: { type: 'boolean' },
    });
    if (values.help) {
      console.log(
        `tps experiment ${experiment.name}: ${experiment.summary}\n\nparameters (default / --short):`,
      );
      for (const [param, spec] of Object.entries(experiment.params)) {
        console.log(
          `  ${param.padEnd(20)} ${String(spec.default).padStart(7)} / ${String(spec.short).padEnd(7)} ${spec.doc}`,
        );
      }
      return 0;
    }
    const given: Record<string, number> = {};
    for (const pair of values.set ?? []) {
      const [key = '', raw = ''] = pair.split('=', 2);
      const value = Number(raw);
      if (!(key in experiment.params) || raw.trim() === '' || !Number.isFinite(value) || value < 0) {
        throw new UsageError(
          `--set ${pair}: expected NAME=NUMBER with NAME one of ${Object.keys(experiment.params).join(', ')}`,
          'experiment',
        );
      }
      given[key] = value;
    }
    const url = baseUrl('experiment', values.url, env);
    const short = values.short ?? false;
    const params = resolveParams(experiment, short, given);
    const result = await experiment.run({ url, short, log: (line) => console.log(line) }, params);
    console.log(`\n${formatExperiment(result)}`);
    const svg = values.svg ?? `experiment-${experiment.name}.svg`;
    await writeFile(svg, renderTimelineSvg(result));
    console.log(`\ntimeline picture: ${svg}`);
    if (values.json) {
      await writeFile(values.json, `${JSON.stringify(result, null, 2)}\n`);
      console.log(`result: ${values.json}`);
    }
    return result.invariants.every((invariant) => invariant.ok) ? 0 : 1;
  },
};
