import { z } from 'zod';

/**
 * A strict object schema (unknown keys are errors) whose error names the keys that are allowed.
 * Every configuration section is built with this.
 */
export function strictObject<T extends z.core.$ZodLooseShape>(shape: T) {
  const allowed = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown key; allowed keys: ${allowed}` : undefined),
  });
}
