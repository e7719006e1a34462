import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../../pipeline/errors.js';

/** Weights of one NAB scoring profile (NAB's "cost matrix"). */
export interface CostMatrix {
  tpWeight: number;
  fpWeight: number;
  fnWeight: number;
  tnWeight: number;
}

export const PROFILE_NAMES = ['standard', 'reward_low_FP_rate', 'reward_low_FN_rate'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];
export type Profiles = Record<ProfileName, CostMatrix>;

/** NAB's three published application profiles; used when no profiles.json is found. */
export const DEFAULT_PROFILES: Profiles = {
  standard: { tpWeight: 1.0, fpWeight: 0.11, fnWeight: 1.0, tnWeight: 1.0 },
  reward_low_FP_rate: { tpWeight: 1.0, fpWeight: 0.22, fnWeight: 1.0, tnWeight: 1.0 },
  reward_low_FN_rate: { tpWeight: 1.0, fpWeight: 0.11, fnWeight: 2.0, tnWeight: 1.0 },
};

const costMatrixSchema = z.object({
  tpWeight: z.number(),
  fpWeight: z.number(),
  fnWeight: z.number(),
  tnWeight: z.number().default(1),
});
const profilesFileSchema = z.object(
  Object.fromEntries(PROFILE_NAMES.map((n) => [n, z.object({ CostMatrix: costMatrixSchema })])) as Record<
    ProfileName,
    z.ZodObject<{ CostMatrix: typeof costMatrixSchema }>
  >,
);

/** Reads NAB's `config/profiles.json` (`{ standard: { CostMatrix: {...} }, ... }`). */
export function loadProfiles(file: string): Profiles {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError([`${file}: cannot read NAB profiles: ${(err as Error).message}`]);
  }
  const parsed = profilesFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${file}: ${i.path.join('.')}: ${i.message}`));
  }
  const out = {} as Profiles;
  for (const n of PROFILE_NAMES) out[n] = parsed.data[n].CostMatrix;
  return out;
}

/**
 * Profiles for a NAB-layout data directory: `<data>/../config/profiles.json` when it exists (the
 * corpus ships its own), NAB's published defaults otherwise.
 */
export function profilesForDataDir(dataDir: string, join: (...p: string[]) => string): { profiles: Profiles; source: string } {
  const candidate = join(dataDir, '..', 'config', 'profiles.json');
  if (existsSync(candidate)) return { profiles: loadProfiles(candidate), source: candidate };
  return { profiles: DEFAULT_PROFILES, source: 'built-in NAB defaults' };
}
