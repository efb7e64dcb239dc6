/** An image archive that cannot be loaded; the message names the archive's file and field at fault. */
export class ImageLoadError extends Error {
  constructor(message: string) {
    super(`image load: ${message}`);
  }
}
