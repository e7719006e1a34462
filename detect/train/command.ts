// Placeholder until this command is implemented.
export async function trainCommand(_opts: unknown): Promise<number> {
  throw new Error('trainCommand is not implemented yet');
}
