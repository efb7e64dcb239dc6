// Image references as the kubelet parses them before anything else (distribution/reference's
// ParseNormalizedNamed, reached from EnsureImageExists through applyDefaultImageTag).
import { describe, expect, it } from 'vitest';
import { invalidImageNameMessage, normalizedNameError } from '../src/runtime/images/distributionReference.js';
import { ImageCatalog } from '../src/runtime/images/catalog.js';
import { ImageStore } from '../src/runtime/images/imageStore.js';
import { ImageManager } from '../src/kubelet/images/imageManager.js';
import { InvalidImageNameError } from '../src/runtime/images/imageConfig.js';

const HEX64 = 'a'.repeat(64);

describe('ParseNormalizedNamed', () => {
  it.each([
    'busybox',
    'busybox:1.36',
    'BUSYBOX.example.com/app', // an uppercase first part is a domain
    'docker.io/library/busybox:latest',
    'index.docker.io/library/busybox',
    'registry.k8s.io/pause:3.10',
    'k8s.gcr.io/pause:3.1',
    'gcr.io/google_containers/pause-amd64:3.0',
    'localhost/app',
    'localhost:5000/team/app:v1.2_rc-3',
    '[::1]:5000/app',
    'my__app/x.y-z',
    'busybox:LATEST',
    `busybox@sha256:${HEX64}`,
    `busybox:1.36@sha256:${HEX64}`,
    `busybox@sha512:${'b'.repeat(128)}`,
  ])('accepts %s', (ref) => {
    expect(normalizedNameError(ref)).toBeUndefined();
  });

  it.each([
    // The capitals are found before the grammar runs, on the name as normalised (library/ added).
    ['$PRIVATE_IMAGE_NAME', 'invalid reference format: repository name (library/$PRIVATE_IMAGE_NAME) must be lowercase'],
    ['None:None', 'invalid reference format: repository name (library/None) must be lowercase'],
    ['team/App', 'invalid reference format: repository name (team/App) must be lowercase'],
    ['$private_image_name', 'invalid reference format'],
    ['${image}', 'invalid reference format'],
    ['https://harbor.example/release/name:1.1.0', 'invalid reference format'],
    ['/cloudfoundry/app:a28a', 'invalid reference format'],
    ['gcr.io/p/dark:gcr.io/p/dark:8e32', 'invalid reference format'],
    ['busybox:', 'invalid reference format'],
    ['busybox:-x', 'invalid reference format'],
    ['bu--sy..box', 'invalid reference format'],
    [HEX64, `invalid repository name (${HEX64}), cannot specify 64-byte hexadecimal strings`],
    [`${'a'.repeat(254)}/bb`, 'repository name must not be more than 255 characters'],
    [`busybox@sha256:${'a'.repeat(40)}`, 'invalid checksum digest length'],
    [`busybox@md5:${'a'.repeat(32)}`, 'unsupported digest algorithm'],
    [`busybox@sha256:${'A'.repeat(64)}`, 'invalid checksum digest format'],
    ['', 'invalid reference format'],
  ])('refuses %s: %s', (ref, message) => {
    expect(normalizedNameError(ref)).toBe(message);
  });

  it('gives the kubelet\'s InspectFailed / InvalidImageName message', () => {
    expect(invalidImageNameMessage('$PRIVATE_IMAGE_NAME')).toBe(
      'Failed to apply default image tag "$PRIVATE_IMAGE_NAME": couldn\'t parse image name "$PRIVATE_IMAGE_NAME": ' +
        'invalid reference format: repository name (library/$PRIVATE_IMAGE_NAME) must be lowercase',
    );
    expect(invalidImageNameMessage('$private')).toBe('Failed to apply default image tag "$private": couldn\'t parse image name "$private": invalid reference format');
    expect(invalidImageNameMessage('busybox')).toBeUndefined();
  });

  it('is checked by the image manager before any source is looked at (no pull, no catalog hint)', async () => {
    const manager = new ImageManager({ catalog: new ImageCatalog(), store: new ImageStore('/nonexistent/store'), registry: { hosts: {} }, builtinImages: true, serializeImagePulls: true });
    const events: string[] = [];
    await expect(manager.ensureImageExists('$PRIVATE_IMAGE_NAME', 'IfNotPresent', (_t, reason) => events.push(reason))).rejects.toThrow(InvalidImageNameError);
    expect(events).toEqual([]);
    expect(new ImageCatalog().find('no-such-image')).toBeUndefined();
  });
});
