// Placeholder until this command is implemented.
export async function validateCommand(_opts: unknown): Promise<number> {
  throw new Error('validateCommand is not implemented yet');
}
