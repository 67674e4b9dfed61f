import { closestMatch } from '@ilot/domain';
import { z } from 'zod';

/**
 * A schema problem as an operator reads it: the path through the file with each listed item named by its `id`
 * (`buildings[block-a].devices[bat-1].maxSocPct`, not `buildings[0].devices[15]`), and for an unknown field the field
 * most likely meant.
 */
export function describeSiteIssue(issue: z.core.$ZodIssue, raw: unknown, schema: z.ZodType): string {
  const where = namedPath(issue.path, raw) || '(root)';
  if (issue.code === 'unrecognized_keys') {
    const known = objectKeysAt(schema, issue.path, raw);
    return issue.keys.map((key) => `${where}: unknown field "${key}"${closest(key, known)}`).join('\n  - ');
  }
  if (issue.code === 'invalid_type' && valueAt(raw, issue.path) === undefined)
    return `${where}: required (${issue.expected}), missing`;
  return `${where}: ${issue.message}`;
}

function valueAt(raw: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  return path.reduce<unknown>(
    (node, part) => (node as Record<PropertyKey, unknown> | undefined)?.[part as keyof object],
    raw,
  );
}

/** The path with array items named by their `id` where they have one. */
export function namedPath(path: ReadonlyArray<PropertyKey>, raw: unknown): string {
  let node: unknown = raw;
  let text = '';
  for (const part of path) {
    const item = (node as Record<PropertyKey, unknown> | undefined)?.[part as keyof object];
    if (typeof part === 'number') {
      const id = (item as { id?: unknown } | undefined)?.id;
      text += typeof id === 'string' && id ? `[${id}]` : `[${part}]`;
    } else text += text ? `.${String(part)}` : String(part);
    node = item;
  }
  return text;
}

/** The keys the schema allows for the object at `path` (unions resolved by the value's discriminator). */
function objectKeysAt(schema: z.ZodType, path: ReadonlyArray<PropertyKey>, raw: unknown): string[] {
  let node: z.core.$ZodType | undefined = schema;
  let value: unknown = raw;
  for (let i = 0; node && i <= path.length;) {
    const def = node._zod.def as unknown as Record<string, unknown> & { type: string };
    if (['optional', 'default', 'nullable', 'prefault', 'readonly', 'catch'].includes(def.type)) {
      node = def.innerType as z.core.$ZodType;
      continue;
    }
    if (def.type === 'pipe') {
      node = def.in as z.core.$ZodType;
      continue;
    }
    if (def.type === 'union') {
      const options = def.options as z.core.$ZodType[];
      const discriminator = def.discriminator as string | undefined;
      const wanted = (value as Record<string, unknown> | undefined)?.[discriminator ?? ''];
      node = options.find((o) => {
        const shape = (o._zod.def as unknown as { shape?: Record<string, z.core.$ZodType> }).shape;
        const literal = shape?.[discriminator ?? '']?._zod.def as unknown as { values?: unknown[] } | undefined;
        return literal?.values?.includes(wanted);
      });
      continue;
    }
    if (i === path.length) return def.type === 'object' ? Object.keys(def.shape as object) : [];
    const part = path[i++];
    value = (value as Record<PropertyKey, unknown> | undefined)?.[part as keyof object];
    if (def.type === 'object') node = (def.shape as Record<PropertyKey, z.core.$ZodType>)[part];
    else if (def.type === 'array') node = def.element as z.core.$ZodType;
    else return [];
  }
  return [];
}

function closest(key: string, known: readonly string[]): string {
  const best = closestMatch(key, known);
  return best ? ` (did you mean "${best}"?)` : '';
}
