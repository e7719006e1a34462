// Placeholder until this command is implemented.
export async function replayCommand(_opts: unknown): Promise<number> {
  throw new Error('replayCommand is not implemented yet');
}
