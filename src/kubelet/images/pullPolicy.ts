/**
 * The kubelet's shouldPullImage: Never never pulls, IfNotPresent pulls what is missing, Always
 * always asks the registry (a present image is only re-downloaded if its digest changed).
 */
export function shouldPull(policy: string | undefined, present: boolean): boolean {
  if (policy === 'Never') return false;
  if (policy === 'Always') return true;
  return !present;
}
