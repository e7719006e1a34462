/**
 * Vitest global setup for the integration project: makes sure the local stack is up, starting it
 * (`scripts/stack up`, which installs what is missing) when it is not, so that
 * `npx vitest run --project integration` works on its own. A stack started here is left running
 * for the next run; `scripts/stack down` stops it.
 *
 * SEISMO_STACK=external skips the check (endpoints provided elsewhere, see test/integration/stack.ts).
 */
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoDir = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const stackScript = resolve(repoDir, 'scripts/stack');

function stack(command: 'status' | 'up', quiet: boolean): number {
  const result = spawnSync('bash', [stackScript, command], {
    cwd: repoDir,
    stdio: quiet ? 'ignore' : ['ignore', 'inherit', 'inherit'],
    timeout: 20 * 60_000,
  });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

export default function setup(): void {
  if (process.env.SEISMO_STACK === 'external') return;
  if (stack('status', true) === 0) return;
  console.log('[integration] local stack not up; running scripts/stack up');
  const code = stack('up', false);
  if (code !== 0) {
    throw new Error(`scripts/stack up failed (exit ${code}); see .stack/logs/ or run 'bash scripts/stack status'`);
  }
}
