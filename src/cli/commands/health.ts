import { createApiClient, describeErrorAnswer } from '../ApiClient.js';
import type { Command } from '../Command.js';
import { baseUrl, parseFlags, URL_FLAG } from '../parseFlags.js';
import { createStyle } from '../Style.js';

interface HealthAnswer {
  status: 'healthy' | 'unhealthy';
  checks?: Record<string, string>;
  andon?: { overall: string; red: string[]; yellow: string[] };
}

/** The exit code while the andon is red; 1 stays "unhealthy or unreachable", as for every command. */
const RED_ANDON_EXIT = 2;

export const healthCommand: Command = {
  name: 'health',
  summary: 'is it healthy? (GET /health; exit 1 when not, 2 when the andon is red)',
  usage: `tps health [--url URL]

  Prints healthy or unhealthy with the failing checks, and which andon stations are red or yellow.
  Unhealthy means intake cannot take signals now: the queue backend is down, the queue breaker is open, the
  whole line is stopped (andon cord, or every lane's breaker open), or the system is shutting down.
  --url URL   the API (default http://localhost:$PORT, PORT defaulting to 8080)

  Exit codes: 0 healthy (andon green or yellow); 1 unhealthy, or nothing answers; 2 the andon is red (a cord
  pulled, a breaker open, …), whether or not intake still accepts: a person should look.`,

  async run(args, { env }) {
    const { values } = parseFlags('health', args, URL_FLAG);
    const api = createApiClient(baseUrl('health', values.url, env), env);
    const answer = await api.get('/health');
    const health = answer.json as HealthAnswer | undefined;
    if (health?.status !== 'healthy' && health?.status !== 'unhealthy') {
      console.error(`unexpected answer from ${api.url}/health: ${describeErrorAnswer(answer)}`);
      return 1;
    }
    const style = createStyle();
    const word = health.status === 'healthy' ? style.tone('good', 'healthy') : style.tone('bad', 'unhealthy');
    const andon = health.andon;
    console.log(
      `${word} (HTTP ${answer.status}) at ${api.url}${andon ? ` — andon ${style.level(andon.overall)}` : ''}`,
    );
    for (const [check, result] of Object.entries(health.checks ?? {})) {
      if (result !== 'ok') console.log(`  check ${check}: ${result}`);
    }
    for (const station of andon?.red ?? []) console.log(`  ${style.level('red')}     ${station}`);
    for (const station of andon?.yellow ?? []) console.log(`  ${style.level('yellow')}  ${station}`);
    if (andon?.overall === 'red') return RED_ANDON_EXIT;
    return health.status === 'healthy' ? 0 : 1;
  },
};
