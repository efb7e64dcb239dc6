import { ApiStatusError, ConnectionError } from './apiClient.js';

/** Errors worded as kubectl words them. */
export function formatCliError(err: unknown): string {
  if (err instanceof ApiStatusError) {
    const s = err.status;
    if (s.code === 401) return 'error: You must be logged in to the server (Unauthorized)';
    if (s.reason === 'Invalid') {
      const d = s.details ?? {};
      const head = d.kind && d.name ? `The ${d.kind} "${d.name}" is invalid` : 'The request is invalid';
      const causes = (d.causes ?? []).map((c) => (c.field ? `${c.field}: ${c.message}` : c.message ?? ''));
      if (causes.length === 0) return head;
      return causes.length === 1 ? `${head}: ${causes[0]}` : `${head}: \n${causes.map((c) => `* ${c}`).join('\n')}`;
    }
    return `Error from server (${s.reason || 'Unknown'}): ${s.message ?? ''}`;
  }
  if (err instanceof ConnectionError) return err.message;
  const msg = (err as Error)?.message ?? String(err);
  return msg.startsWith('error: ') ? msg : `error: ${msg}`;
}
