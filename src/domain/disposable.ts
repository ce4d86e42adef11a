/**
 * Events in this codebase follow cockatiel's shape: `onX(listener)` returns a disposable.
 * We reuse its emitter rather than writing another.
 */
export { EventEmitter, type Event, type IDisposable as Disposable } from 'cockatiel';
