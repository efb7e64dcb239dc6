// Whether an image reference is one at all, as the kubelet decides before it looks for the image:
// EnsureImageExists -> applyDefaultImageTag -> parsers.ParseImageName -> ParseNormalizedNamed of
// github.com/distribution/reference (normalize.go, reference.go, regexp.go), with the digest checks
// of github.com/opencontainers/go-digest. An image such as `$PRIVATE_IMAGE_NAME` (a variable nobody
// expanded) fails here, and the container waits with InvalidImageName.
//
//   reference       := name [ ":" tag ] [ "@" digest ]
//   name            := [domain '/'] remote-name
//   domain          := host [':' port-number]
//   remote-name     := path-component ['/' path-component]*
//   path-component  := alpha-numeric [separator alpha-numeric]*
//   alpha-numeric   := /[a-z0-9]+/
//   separator       := /[_.]|__|[-]+/
//   tag             := /[\w][\w.-]{0,127}/
//   digest          := algorithm ":" /[0-9a-fA-F]{32,}/

const alphanumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const remoteName = `${pathComponent}(?:/${pathComponent})*`;
const domainNameComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domainName = `${domainNameComponent}(?:\\.${domainNameComponent})*`;
const ipv6address = '\\[(?:[a-fA-F0-9:]+)\\]';
const domainAndPort = `(?:${domainName}|${ipv6address})(?::[0-9]+)?`;
const tag = '[\\w][\\w.-]{0,127}';
const digestPat = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';
const namePat = `(?:${domainAndPort}/)?${remoteName}`;

const referenceRegexp = new RegExp(`^(${namePat})(?::(${tag}))?(?:@(${digestPat}))?$`);
const anchoredNameRegexp = new RegExp(`^(?:(${domainAndPort})/)?(${remoteName})$`);
const anchoredIdentifierRegexp = /^[a-f0-9]{64}$/;
/** go-digest's DigestRegexpAnchored (its own, looser than the reference grammar's). */
const goDigestAnchored = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_REPO_PREFIX = 'library/';
const REPOSITORY_NAME_TOTAL_LENGTH_MAX = 255;

/** The digest algorithms the kubelet links in (crypto/sha256, crypto/sha512), by hex length. */
const DIGEST_HEX_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

/** splitDockerDomain: "ubuntu" is docker.io/library/ubuntu; a first part with "." or ":" is a registry. */
function splitDockerDomain(name: string): [string, string] {
  const slash = name.indexOf('/');
  if (slash < 0) return [DEFAULT_DOMAIN, OFFICIAL_REPO_PREFIX + name];
  const maybeDomain = name.slice(0, slash);
  const maybeRemote = name.slice(slash + 1);
  let domain: string;
  let remote: string;
  if (maybeDomain === 'localhost') [domain, remote] = [maybeDomain, maybeRemote];
  else if (maybeDomain === LEGACY_DEFAULT_DOMAIN) [domain, remote] = [DEFAULT_DOMAIN, maybeRemote];
  else if (/[.:]/.test(maybeDomain)) [domain, remote] = [maybeDomain, maybeRemote];
  // Uppercase namespaces are not allowed: an uppercase first part can only be a domain.
  else if (maybeDomain.toLowerCase() !== maybeDomain) [domain, remote] = [maybeDomain, maybeRemote];
  else [domain, remote] = [DEFAULT_DOMAIN, name];
  if (domain === DEFAULT_DOMAIN && !remote.includes('/')) remote = OFFICIAL_REPO_PREFIX + remote;
  return [domain, remote];
}

/** go-digest's Digest.Validate. */
function digestError(d: string): string | undefined {
  const i = d.indexOf(':');
  if (i <= 0 || i + 1 === d.length) return 'invalid checksum digest format';
  const algorithm = d.slice(0, i);
  const encoded = d.slice(i + 1);
  const size = DIGEST_HEX_LENGTH[algorithm];
  if (size === undefined) return goDigestAnchored.test(d) ? 'unsupported digest algorithm' : 'invalid checksum digest format';
  if (encoded.length !== size) return 'invalid checksum digest length';
  return /^[a-f0-9]+$/.test(encoded) ? undefined : 'invalid checksum digest format';
}

/** reference.Parse. */
function parseError(s: string): string | undefined {
  if (s === '') return 'repository name must have at least one component';
  const m = referenceRegexp.exec(s);
  if (!m) {
    const lower = s.toLowerCase();
    if (lower !== s && referenceRegexp.test(lower)) return 'repository name must be lowercase';
    return 'invalid reference format';
  }
  const name = anchoredNameRegexp.exec(m[1]!);
  const path = name ? name[2]! : m[1]!;
  if (path.length > REPOSITORY_NAME_TOTAL_LENGTH_MAX) return `repository name must not be more than ${REPOSITORY_NAME_TOTAL_LENGTH_MAX} characters`;
  return m[3] ? digestError(m[3]) : undefined;
}

/** ParseNormalizedNamed: undefined for a valid image reference, else the library's error text. */
export function normalizedNameError(s: string): string | undefined {
  if (anchoredIdentifierRegexp.test(s)) return `invalid repository name (${s}), cannot specify 64-byte hexadecimal strings`;
  const [domain, remainder] = splitDockerDomain(s);
  const tagSep = remainder.indexOf(':');
  const remote = tagSep > -1 ? remainder.slice(0, tagSep) : remainder;
  // Checked before the grammar: `$PRIVATE_IMAGE_NAME` fails here, on its capitals.
  if (remote.toLowerCase() !== remote) return `invalid reference format: repository name (${remote}) must be lowercase`;
  return parseError(`${domain}/${remainder}`);
}

/**
 * The message of the InspectFailed event and of the InvalidImageName waiting state, as
 * EnsureImageExists writes it ("Failed to apply default image tag %q: %v", the error of
 * ParseImageName: "couldn't parse image name %q: %v"); undefined for a valid reference.
 */
export function invalidImageNameMessage(image: string): string | undefined {
  const err = normalizedNameError(image);
  if (err === undefined) return undefined;
  const q = JSON.stringify(image);
  return `Failed to apply default image tag ${q}: couldn't parse image name ${q}: ${err}`;
}
