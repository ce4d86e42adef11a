/**
 * Poka-yoke on structure: how deep a JSON value nests and how many members it has, measured before anything
 * copies or serialises it. `JSON.stringify` and every copy built on it recurse once per level, so a value nested
 * a few thousand deep throws `RangeError` from whoever touches it next; this walk keeps its own stack and
 * cannot. (ajv checks a schema's shape, not the depth of the parts the schema leaves open, such as a payload.)
 */

export interface ShapeLimits {
  /** Levels of objects and arrays: `{}` is 1 deep, `{"a":[1]}` 2. */
  maxDepth: number;
  /** Object keys and array items, counted at every level. */
  maxMembers: number;
}

export type ShapeProblem = 'too_deep' | 'too_many_members' | 'not_json';

export type PayloadShape =
  | {
      ok: true;
      depth: number;
      members: number;
      /** About the length of the value as JSON text (escapes and number digits are not counted exactly). */
      bytes: number;
    }
  | { ok: false; problem: ShapeProblem; message: string };

interface Pending {
  readonly value: unknown;
  readonly depth: number;
}

/** Bytes counted for a number, whatever its digits: exact would need a string per number. */
const NUMBER_BYTES = 8;

const isPlainObject = (value: object): boolean => {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
};

/**
 * Measures `value` without recursion and stops at the first limit it passes. Only JSON data passes: strings,
 * numbers, booleans, null, arrays and plain objects (`undefined` members are allowed: JSON leaves them out).
 * Never throws: a getter that throws while it is read makes the value `not_json`.
 */
export function inspectPayload(value: unknown, limits: ShapeLimits): PayloadShape {
  try {
    return walk(value, limits);
  } catch (error) {
    return {
      ok: false,
      problem: 'not_json',
      message: `cannot be read as JSON data: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

function walk(root: unknown, limits: ShapeLimits): PayloadShape {
  const stack: Pending[] = [{ value: root, depth: 0 }];
  let deepest = 0;
  let members = 0;
  let bytes = 0;
  while (stack.length > 0) {
    const { value, depth } = stack.pop() as Pending;
    switch (typeof value) {
      case 'string':
        bytes += value.length + 2;
        continue;
      case 'number':
        bytes += NUMBER_BYTES;
        continue;
      case 'boolean':
        bytes += 5;
        continue;
      case 'undefined':
        continue;
      case 'object':
        break;
      default:
        return notJson(`holds a ${typeof value}, which JSON cannot carry`);
    }
    if (value === null) {
      bytes += 4;
      continue;
    }
    const level = depth + 1;
    if (level > limits.maxDepth) {
      return {
        ok: false,
        problem: 'too_deep',
        message: `nests deeper than ${limits.maxDepth} levels of objects and arrays`,
      };
    }
    deepest = Math.max(deepest, level);
    bytes += 2;
    if (Array.isArray(value)) {
      members += value.length;
      if (members > limits.maxMembers) return tooManyMembers(limits);
      for (const item of value as unknown[]) stack.push({ value: item, depth: level });
      bytes += value.length;
      continue;
    }
    if (!isPlainObject(value))
      return notJson('holds an object that is not plain JSON data (a class instance)');
    const keys = Object.keys(value);
    members += keys.length;
    if (members > limits.maxMembers) return tooManyMembers(limits);
    for (const key of keys) {
      bytes += key.length + 4;
      stack.push({ value: (value as Record<string, unknown>)[key], depth: level });
    }
  }
  return { ok: true, depth: deepest, members, bytes };
}

const notJson = (reason: string): PayloadShape => ({ ok: false, problem: 'not_json', message: reason });

const tooManyMembers = (limits: ShapeLimits): PayloadShape => ({
  ok: false,
  problem: 'too_many_members',
  message: `has more than ${limits.maxMembers} members (object keys and array items, all levels)`,
});

/**
 * A request body is an envelope: its own top level does not count, so that `POST /signal`'s payload may itself
 * be `maxDepth` deep and hold `maxMembers` members.
 */
export function inspectBody(body: unknown, limits: ShapeLimits): PayloadShape {
  if (typeof body !== 'object' || body === null) return inspectPayload(body, limits);
  const own = Array.isArray(body) ? body.length : Object.keys(body).length;
  const shape = inspectPayload(body, { maxDepth: limits.maxDepth + 1, maxMembers: limits.maxMembers + own });
  if (shape.ok || shape.problem === 'not_json') return shape;
  const message =
    shape.problem === 'too_deep'
      ? `nests deeper than ${limits.maxDepth} levels of objects and arrays below its top level`
      : `has more than ${limits.maxMembers} members (object keys and array items) below its top level`;
  return { ...shape, message };
}
