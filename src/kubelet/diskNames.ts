// File and directory names made from API names. A pod name may have 253 characters and a namespace
// 63, but a path component has at most 255 bytes (NAME_MAX), and the overlay's mount options
// (lowerdir, upperdir, workdir: three state paths) must fit in one page. So no name goes to disk as
// it came: a name that is short and plain is kept (readable, and what earlier versions wrote); any
// other is cut to a readable prefix and followed by a hash of the whole, which keeps names distinct.
import { createHash } from 'node:crypto';

const HASH_CHARS = 16;
/** What the API's names are made of (DNS labels and subdomains); anything else is hashed. */
const PLAIN = /^[a-z0-9][a-z0-9._-]*$/;

export function shortHash(text: string, chars = HASH_CHARS): string {
  return createHash('sha256').update(text).digest('hex').slice(0, chars);
}

/**
 * `text` as one path component of at most `max` characters: itself when plain and short enough,
 * otherwise `<prefix>~<hash>` ('~' never occurs in a plain name, so the two forms cannot collide).
 */
export function boundedName(text: string, max: number): string {
  if (text.length <= max && PLAIN.test(text)) return text;
  const prefix = text
    .slice(0, max - HASH_CHARS - 1)
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .replace(/^\./, '-');
  return `${prefix}~${shortHash(text)}`;
}
