// Placeholder until this command is implemented.
export async function collectCommand(_opts: unknown): Promise<number> {
  throw new Error('collectCommand is not implemented yet');
}
