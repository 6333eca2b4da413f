/** An error as it may be logged: no driver `detail` (PostgreSQL puts row values there) and no payload. */
export function safeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const code = (error as { code?: unknown }).code;
  return { type: error.name, message: error.message, ...(code !== undefined && { code }), stack: error.stack };
}
