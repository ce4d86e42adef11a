/** Shows that something is being waited for: a spinner on a terminal, a dot a second otherwise (logs, CI). */
export interface Progress {
  /** Call on every poll. */
  tick(): void;
  /** Ends the line with the outcome; later calls do nothing. */
  done(outcome?: string): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const DOT_EVERY_MS = 1_000;

export function createProgress(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  const tty = stream.isTTY === true;
  let started = false;
  let finished = false;
  let frame = 0;
  let lastDot = Date.now();
  return {
    tick() {
      if (finished) return;
      if (tty) {
        stream.write(`\r${FRAMES[frame++ % FRAMES.length]} ${label}`);
      } else if (!started) {
        stream.write(label);
        lastDot = Date.now();
      } else if (Date.now() - lastDot >= DOT_EVERY_MS) {
        stream.write('.');
        lastDot = Date.now();
      }
      started = true;
    },
    done(outcome) {
      if (finished) return;
      finished = true;
      if (!started) {
        if (outcome) stream.write(`${label}: ${outcome}\n`);
        return;
      }
      stream.write(tty ? `\r\x1b[K${label}: ${outcome ?? 'stopped'}\n` : ` ${outcome ?? 'stopped'}\n`);
    },
  };
}
