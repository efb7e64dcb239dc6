// The Kubernetes version the API reports (/version, the OpenAPI documents' info, the Node's
// kubeletVersion). tinylet follows the 1.34 API, but reports 1.33: the Google Cloud SDK's kubectl
// dispatcher (/usr/bin/kubectl on hosts with the SDK) runs the kubectl.1.<minor> matching the
// server's minor and ships none past 1.33. Told 1.34 it falls back to its default 1.32, which is
// outside kubectl's supported skew of one minor (`kubectl version` warns so); told 1.33 it runs
// kubectl 1.33, one minor from the API tinylet follows.
import { KUBELET_VERSION } from '../kubelet/node/nodeInfo.js';

export const KUBERNETES_VERSION = KUBELET_VERSION;

/** major and minor of the version: ['1', '33']. */
export function versionParts(version: string = KUBERNETES_VERSION): { major: string; minor: string } {
  const m = /^v(\d+)\.(\d+)\./.exec(version);
  return { major: m?.[1] ?? '1', minor: m?.[2] ?? '0' };
}
