/** The container's config could not be generated (Kubernetes' CreateContainerConfigError/CreateContainerError). */
export class CreateContainerError extends Error {
  constructor(
    readonly reason: 'CreateContainerConfigError' | 'CreateContainerError',
    message: string,
  ) {
    super(message);
  }
}
