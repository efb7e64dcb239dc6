/** ErrImageNeverPull: the image is missing and the pull policy is Never. */
export class ImageNeverPullError extends Error {}
