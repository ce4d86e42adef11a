import { createApiClient, describeErrorAnswer } from '../ApiClient.js';
import type { Command } from '../Command.js';
import { baseUrl, parseFlags, URL_FLAG } from '../parseFlags.js';

export const metricsCommand: Command = {
  name: 'metrics',
  summary: 'the Prometheus exposition (GET /metrics), optionally only lines containing some text',
  usage: `tps metrics [--grep TEXT] [--url URL]

  --grep TEXT   only lines containing TEXT (e.g. --grep queue_depth; # HELP and # TYPE lines name the metric too)
  --url URL     the API (default http://localhost:$PORT, PORT defaulting to 8080)`,

  async run(args, { env }) {
    const { values } = parseFlags('metrics', args, { ...URL_FLAG, grep: { type: 'string' } });
    const api = createApiClient(baseUrl('metrics', values.url, env), env);
    const answer = await api.get('/metrics');
    if (!answer.ok) {
      console.error(describeErrorAnswer(answer));
      return 1;
    }
    const grep = values.grep;
    const lines = answer.text.split('\n').filter((line) => line !== '');
    const shown = grep === undefined ? lines : lines.filter((line) => line.includes(grep));
    if (shown.length === 0) {
      console.error(`no metric line contains '${grep}'`);
      return 1;
    }
    console.log(shown.join('\n'));
    return 0;
  },
};
