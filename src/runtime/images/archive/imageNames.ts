import { normalizedNameError } from '../distributionReference.js';
import { parseImageReference } from '../reference.js';
import { ImageLoadError } from './loadError.js';

/** The name an image of the archive is stored under: its normalised reference and repository. */
export interface ImageName {
  reference: string;
  /** '' for an image stored under its config digest. */
  repository: string;
}

/** containerd's annotation: the image's full name (docker.io/library/app:v1). */
export const ANNOTATION_IMAGE_NAME = 'io.containerd.image.name';
/** The OCI layout's: a tag (v1) as the spec says, or a full reference as some tools write it. */
export const ANNOTATION_REF_NAME = 'org.opencontainers.image.ref.name';

const TAG_ONLY = /^[\w][\w.-]{0,127}$/;

/** A reference from the archive (or the user), checked as the kubelet would, then normalised. */
export function imageName(ref: string, where: string): ImageName {
  const err = normalizedNameError(ref);
  if (err !== undefined) throw new ImageLoadError(`${where}: ${JSON.stringify(ref)} is not a valid image reference: ${err}`);
  const r = parseImageReference(ref);
  return { reference: r.normalized, repository: `${r.registry}/${r.repository}` };
}

/** `--name`: a repository (docker.io/library/app, localhost:5000/x), with no tag and no digest. */
export function repositoryName(name: string): string {
  const err = normalizedNameError(name);
  if (err !== undefined) throw new ImageLoadError(`--name ${JSON.stringify(name)}: not a valid repository name: ${err}`);
  const r = parseImageReference(name);
  if (r.digest || name.slice(name.lastIndexOf('/') + 1).includes(':')) throw new ImageLoadError(`--name ${JSON.stringify(name)}: must be a repository, without a tag or a digest`);
  return `${r.registry}/${r.repository}`;
}

/** docker save's RepoTags entry (app:v1, localhost:5000/x:y): a name and a tag, no digest. */
export function repoTagName(tag: string, where: string): ImageName {
  if (tag.includes('@')) throw new ImageLoadError(`${where}: ${JSON.stringify(tag)}: a RepoTags entry cannot have a digest`);
  return imageName(tag, where);
}

/**
 * The name of an index.json entry: io.containerd.image.name, else org.opencontainers.image.ref.name
 * (a tag, completed with `--name`, or a full reference); without either, `<name>@<manifest digest>`
 * when a name was given, else undefined (the image is stored under its config digest).
 */
export function indexEntryName(annotations: Record<string, string> | undefined, where: string, name: string | undefined, manifestDigest: string): ImageName | undefined {
  const full = annotations?.[ANNOTATION_IMAGE_NAME];
  const refName = annotations?.[ANNOTATION_REF_NAME];
  let found: ImageName;
  if (full) {
    found = imageName(full, `${where}.annotations["${ANNOTATION_IMAGE_NAME}"]`);
  } else if (refName && TAG_ONLY.test(refName)) {
    if (name === undefined) {
      throw new ImageLoadError(
        `${where}.annotations["${ANNOTATION_REF_NAME}"]: ${JSON.stringify(refName)} is only a tag: pass --name REPO to say which repository it is a tag of (--name myapp stores it as docker.io/library/myapp:${refName})`,
      );
    }
    found = imageName(`${name}:${refName}`, `${where}.annotations["${ANNOTATION_REF_NAME}"] (with --name ${name})`);
  } else if (refName) {
    found = imageName(refName, `${where}.annotations["${ANNOTATION_REF_NAME}"]`);
  } else {
    return name === undefined ? undefined : imageName(`${name}@${manifestDigest}`, `${where} (with --name ${name})`);
  }
  const at = found.reference.indexOf('@');
  if (at >= 0 && found.reference.slice(at + 1) !== manifestDigest) {
    throw new ImageLoadError(`${where}.annotations: the name ${found.reference} says the manifest is ${found.reference.slice(at + 1)}, but the entry's digest is ${manifestDigest}`);
  }
  return found;
}
