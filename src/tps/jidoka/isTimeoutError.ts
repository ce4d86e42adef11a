import { TaskCancelledError } from 'cockatiel';

/** Whether a call ran out of time under a cockatiel timeout. */
// cockatiel 3.2.1's own isTaskCancelledError tests the wrong property and is always false.
export const isTimeoutError = (error: unknown): error is TaskCancelledError =>
  error instanceof TaskCancelledError;
