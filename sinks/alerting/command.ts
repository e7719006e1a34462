// Placeholder until these commands are implemented.
export async function alertsTestCommand(_opts: unknown): Promise<number> {
  throw new Error('alerts test is not implemented yet');
}
export async function alertsFailedCommand(_opts: unknown): Promise<number> {
  throw new Error('alerts failed is not implemented yet');
}
export async function alertsRetryCommand(_opts: unknown): Promise<number> {
  throw new Error('alerts retry is not implemented yet');
}
