import { z } from 'zod';

/**
 * A secret value: a literal string (discouraged outside tests), `{ env: NAME }` read from the
 * environment, or `{ file: PATH }` read from a file (trailing newline trimmed). Resolved once, at
 * load time, by {@link resolveSecrets}; never logged.
 */
export const secretSchema = z.union([
  z.string(),
  z.strictObject({ env: z.string().min(1) }),
  z.strictObject({ file: z.string().min(1) }),
]);
export type SecretInput = z.infer<typeof secretSchema>;
