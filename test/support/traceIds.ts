/**
 * A source of trace ids whose low 32 bits (what `TraceAdmission` reads) are spread evenly over their range, by
 * Knuth's multiplicative hash of a counter: with random ids, how many of a burst a share keeps would be luck.
 * Each id is distinct and none is all zeros.
 */
export function spreadTraceIds(): () => string {
  let sequence = 0;
  return () =>
    `${'0'.repeat(24)}${((++sequence * 2654435761) % 0x1_0000_0000).toString(16).padStart(8, '0')}`;
}
