// With --lenient, a gap is a warning, and telling the user to "use --lenient to ignore it" is
// telling them to do what they just did. Validation words its findings for the strict case (the
// API server sends the same text in Warning headers); the CLI rewords the warnings it prints.
import { NOT_IMPLEMENTED_MESSAGE } from '../api/fieldErrors.js';

// Not "ignored": what becomes of an accepted gap depends on the field (a volume source still fails the sandbox).
const IGNORED = 'not implemented by tinylet (accepted with --lenient)';

export function lenientWording(warning: string): string {
  return warning.split(NOT_IMPLEMENTED_MESSAGE).join(IGNORED).replace(/ \(use --lenient to ignore it\)/g, '');
}
