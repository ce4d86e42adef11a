import {
  DEFAULT_BREAK,
  describeBreak,
  judgeStep,
  predictCapacity,
  type StepVerdict,
} from '../../loadgen/capacity.js';
import type { LoadReport } from '../../loadgen/LoadReport.js';
import { MIX_NAMES, mixBody, mixShares, type MixName } from '../../loadgen/mix.js';
import { runOpenModelLoad } from '../../loadgen/runOpenModelLoad.js';
import { stressSteps } from '../../loadgen/ramp.js';
import { createApiClient } from '../ApiClient.js';
import type { Command } from '../Command.js';
import { formatDuration } from '../formatTime.js';
import { describeLine, loopbackTarget, readStatus, writeReportJson } from '../loadRun.js';
import { baseUrl, choiceFlag, integerFlag, parseFlags, URL_FLAG } from '../parseFlags.js';
import { createStyle } from '../Style.js';

interface StepResult {
  rate: number;
  report: LoadReport;
  verdict: StepVerdict;
}

export const stressCommand: Command = {
  name: 'stress',
  summary: 'ramp the rate until it breaks, and report the capacity (and what Little’s law predicts)',
  usage: `tps stress [--from R] [--step R] [--every S] [--slo-ms MS] [--max-rate R] [--max-s S] [--mix MIX]
           [--json FILE] [--url URL]

  Open-model load from --from req/s, --step more every --every seconds, until a step breaks: its p99 over
  --slo-ms, or over 1 % of its requests not accepted. Then: the capacity (the last step that held), how it
  broke (graceful 429/503 or timeouts/errors), and the capacity the pool sizes predict (Little's law).

  --from R          first step, req/s (default 100)
  --step R          added each step, req/s (default 50)
  --every S         seconds per step (default 30)
  --slo-ms MS       the p99 latency SLO (default ${DEFAULT_BREAK.sloMs})
  --max-rate R      never above this rate (default 5000)
  --max-s S         never longer than this in all (default 1800)
  --mix MIX         fast-heavy (default), even or slow-heavy
  --json FILE       write every step and the outcome as JSON
  --url URL         the API (default http://localhost:$PORT); load is only ever sent to loopback`,

  async run(args, { env }) {
    const { values } = parseFlags('stress', args, {
      ...URL_FLAG,
      from: { type: 'string' },
      step: { type: 'string' },
      every: { type: 'string' },
      'slo-ms': { type: 'string' },
      'max-rate': { type: 'string' },
      'max-s': { type: 'string' },
      mix: { type: 'string' },
      json: { type: 'string' },
    });
    const from = integerFlag('stress', 'from', values.from, { min: 1, max: 20_000 }) ?? 100;
    const step = integerFlag('stress', 'step', values.step, { min: 1, max: 20_000 }) ?? 50;
    const every = integerFlag('stress', 'every', values.every, { min: 1, max: 3600 }) ?? 30;
    const sloMs =
      integerFlag('stress', 'slo-ms', values['slo-ms'], { min: 1, max: 600_000 }) ?? DEFAULT_BREAK.sloMs;
    const maxRate = integerFlag('stress', 'max-rate', values['max-rate'], { min: 1, max: 20_000 }) ?? 5000;
    const maxS = integerFlag('stress', 'max-s', values['max-s'], { min: 1, max: 86_400 }) ?? 1800;
    const mix: MixName = choiceFlag('stress', 'mix', values.mix, MIX_NAMES) ?? 'fast-heavy';
    const url = baseUrl('stress', values.url, env);
    loopbackTarget('stress', url);
    const api = createApiClient(url, env);
    const style = createStyle();
    await readStatus(api, true);

    const condition = { sloMs, maxRejectedShare: DEFAULT_BREAK.maxRejectedShare };
    const rates = stressSteps({ from, step, everyMs: every * 1000, maxRate, maxTotalMs: maxS * 1000 });
    console.log(
      `stress: from ${from} req/s, +${step} every ${every} s, up to ${maxRate} req/s and ${formatDuration(maxS * 1000)}; ` +
        `breaks at p99 > ${sloMs} ms or > ${100 * condition.maxRejectedShare} % not accepted; mix ${mix}; ${url}`,
    );
    const stopper = new AbortController();
    const onInterrupt = (): void => stopper.abort();
    process.once('SIGINT', onInterrupt);
    const results: StepResult[] = [];
    let broken: StepResult | undefined;
    const body = mixBody(mix);
    let offset = 0;
    try {
      for (const rate of rates) {
        const start = offset;
        const report = await runOpenModelLoad({
          url,
          ratePerSecond: rate,
          durationMs: every * 1000,
          body: (i) => body(start + i),
          timeoutMs: Math.max(2000, 5 * sloMs),
          connections: Math.min(1024, Math.max(64, Math.ceil(rate * 2))),
          signal: stopper.signal,
        });
        offset += report.sent;
        const verdict = judgeStep(report, condition);
        const result = { rate, report, verdict };
        results.push(result);
        const status = await readStatus(api);
        const { rejected } = report;
        console.log(
          `  ${String(rate).padStart(5)} req/s  sent ${report.sent}  accepted ${report.accepted}  ` +
            `429 ${rejected['429']}  503 ${rejected['503']}  errors ${verdict.failed}  ` +
            `p50 ${report.latencyMs.p50.toFixed(1)} ms p99 ${report.latencyMs.p99.toFixed(1)} ms  ` +
            `${verdict.held ? style.tone('good', 'held') : style.tone('bad', 'BROKE')}  ${describeLine(status, style)}`,
        );
        if (!verdict.held) {
          broken = result;
          break;
        }
        if (report.aborted) break;
      }
    } finally {
      process.removeListener('SIGINT', onInterrupt);
    }

    const held = results.filter((result) => result.verdict.held);
    const capacity = broken ? held.at(-1)?.rate : undefined;
    const status = await readStatus(api);
    const shares = mixShares(mix);
    const predicted = status ? predictCapacity(status, shares) : undefined;
    console.log('');
    if (broken) {
      console.log(
        capacity === undefined
          ? style.tone('bad', `capacity: below ${broken.rate} req/s — the first step already broke`)
          : style.tone(
              'bold',
              `capacity: ${capacity} req/s (the last step that held); broke at ${broken.rate} req/s`,
            ),
      );
      console.log(`why: ${broken.verdict.reasons.join('; ')}`);
      console.log(`how it broke: ${describeBreak(broken.verdict.kind!)}`);
    } else {
      const last = held.at(-1)?.rate;
      console.log(
        style.tone(
          'good',
          `did not break: held up to ${last ?? '—'} req/s` +
            (results.at(-1)?.report.aborted ? ' (stopped early)' : ` (the --max-rate / --max-s bound)`),
        ),
      );
    }
    if (predicted && predicted.lanes.length > 0) {
      console.log(`Little's law (capacity ≈ workers / mean service time, from GET /status after the run):`);
      for (const lane of predicted.lanes) {
        console.log(
          `  ${lane.lane}: ${lane.workers} workers (pool max) / ${lane.serviceMs.toFixed(1)} ms mean ` +
            `${lane.source === 'processing' ? 'processing' : 'lead time (no processing figures yet)'} ` +
            `≈ ${Math.round(lane.perSecond)} signals/s`,
        );
      }
      if (predicted.mixRate !== undefined) {
        console.log(
          `  with the ${mix} mix (${Math.round(100 * shares.fast)} % fast, ${Math.round(100 * shares.slow)} % slow) ` +
            `the first lane saturates at ≈ ${Math.round(predicted.mixRate)} req/s` +
            (capacity !== undefined ? ` (measured: ${capacity} req/s held)` : ''),
        );
      }
    } else {
      console.log(`Little's law: no prediction (GET /status had no service times)`);
    }
    if (values.json) {
      await writeReportJson(values.json, results.at(-1)?.report ?? ({} as LoadReport), {
        command: 'stress',
        mix,
        url,
        condition,
        capacity: capacity ?? null,
        brokeAt: broken?.rate ?? null,
        breakKind: broken?.verdict.kind ?? null,
        predicted: predicted ?? null,
        steps: results.map(({ rate, report, verdict }) => ({ rate, report, verdict })),
      });
      console.log(`report written to ${values.json}`);
    }
    return 0;
  },
};
