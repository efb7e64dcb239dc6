import { imageStoreDir, loadConfig, type AgentConfig } from '../../kubelet/config.js';
import { ImageStore } from '../../runtime/images/imageStore.js';

/** The store the agent and `tinylet run` use with this config (default /var/lib/tinylet/images/store). */
export function imageStoreOf(opts: { config?: string }): { store: ImageStore; config: AgentConfig } {
  const config = loadConfig(opts.config);
  return { store: new ImageStore(imageStoreDir(config)), config };
}
