import { randomUUID } from 'node:crypto';

/*
 * Node builds the string randomUUID() answers by concatenating its hex bytes, so V8 holds it as a rope of some
 * twenty heap objects: about 480 bytes for an id that is kept (the status store, the queue), against 56 for a
 * flat string. toLowerCase() changes nothing in a UUID or a hex id, and answers it flat.
 */

/** A fresh signal id: a version 4 UUID, as one flat string. */
export const newSignalId = (): string => randomUUID().toLowerCase();

/** A fresh W3C trace id (32 hex digits) from Node's pooled UUID entropy: cheaper than a randomBytes call. */
export const newTraceId = (): string => randomUUID().replaceAll('-', '').toLowerCase();
