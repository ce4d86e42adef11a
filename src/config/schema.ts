import { SETTINGS, type SettingName } from './spec.js';

/** The JSON schema env-schema validates the environment against. */
export function environmentSchema(): object {
  const properties: Record<string, object> = {};
  for (const [name, spec] of Object.entries(SETTINGS)) {
    const { doc: _doc, secret: _secret, ...schema } = spec as typeof spec & { secret?: boolean };
    properties[name] = schema;
  }
  return { type: 'object', properties, required: [] };
}

/** What a variable accepts, in words, for error messages and the README. */
export function describeAccepted(name: SettingName): string {
  const spec = SETTINGS[name] as {
    type: string;
    enum?: readonly string[];
    pattern?: string;
    minimum?: number;
    maximum?: number;
    default?: unknown;
  };
  const parts: string[] = [];
  if (spec.enum) parts.push(`one of ${spec.enum.join(', ')}`);
  else if (spec.type === 'integer' || spec.type === 'number') {
    const range =
      spec.maximum === undefined ? `≥ ${spec.minimum ?? 0}` : `from ${spec.minimum ?? 0} to ${spec.maximum}`;
    parts.push(`${spec.type === 'integer' ? 'a whole number' : 'a number'} ${range}`);
  } else if (spec.type === 'boolean') parts.push('true or false');
  else parts.push(spec.pattern ? `text matching ${spec.pattern}` : 'text');
  if (spec.default !== undefined && spec.default !== '')
    parts.push(`default ${JSON.stringify(spec.default)}`);
  return parts.join(', ');
}
