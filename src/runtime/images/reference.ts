/** Splits an image reference the way container runtimes normalise Docker Hub names. */
export interface ImageReference {
  /** docker.io, localhost:5000, [::1]:5000 */
  registry: string;
  /** library/busybox */
  repository: string;
  /** busybox (Docker Hub's library/ dropped) */
  name: string;
  /** '' when the reference has only a digest */
  tag: string;
  /** sha256:... or '' */
  digest: string;
  /** docker.io/library/busybox:1.28 */
  normalized: string;
}

export function parseImageReference(ref: string): ImageReference {
  let rest = ref.trim();
  let digest = '';
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at);
    rest = rest.slice(0, at);
  }
  let tag = '';
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const parts = rest.split('/');
  const hasRegistry = parts.length > 1 && (parts[0].includes('.') || parts[0].includes(':') || parts[0] === 'localhost');
  const registry = hasRegistry ? parts.shift()! : 'docker.io';
  if (registry === 'docker.io' && parts.length === 1) parts.unshift('library');
  const repository = parts.join('/');
  const name = repository.startsWith('library/') ? repository.slice('library/'.length) : repository;
  if (!tag && !digest) tag = 'latest';
  const normalized = `${registry}/${repository}${tag ? `:${tag}` : ''}${digest}`;
  return { registry, repository, name, tag, digest: digest.slice(1), normalized };
}
