// Placeholder until this command is implemented.
export async function runService(_opts: unknown): Promise<number> {
  throw new Error('runService is not implemented yet');
}
