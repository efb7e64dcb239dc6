// `tinylet agent [--config FILE]`: the node agent in the foreground (agent/tinylet.service runs it).
import { Agent } from '../agent/agent.js';
import { installCrashGuards } from '../agent/crashGuards.js';
import { loadConfig } from '../kubelet/config.js';
import { requireHost } from './preflight.js';

export async function agentCommand(opts: { config?: string }): Promise<void> {
  installCrashGuards();
  requireHost();
  const config = loadConfig(opts.config);
  let agent: Agent;
  try {
    agent = await Agent.start(config);
  } catch (err) {
    // Another agent on the state dir, a listen failure: nothing runs, and the service manager must see it.
    console.error(`tinylet agent: ${(err as Error)?.message ?? String(err)}`);
    process.exit(1);
  }
  const where = [config.socketPath && `unix://${config.socketPath}`, agent.server.tcpAddress && `https://${agent.server.tcpAddress.host}:${agent.server.tcpAddress.port} (bearer token)`].filter(Boolean);
  console.log(`tinylet agent: node ${config.nodeName}, state in ${config.stateDir}, API on ${where.join(' and ')}`);
  const r = agent.recovery;
  if (r.leftovers.length) console.log(`tinylet agent: cleaned up after the previous run: ${r.leftovers.join(', ')}`);
  if (r.collected.length) console.log(`tinylet agent: collected stray files of the previous run: ${r.collected.join(', ')}`);
  if (r.migrated.length) console.log(`tinylet agent: moved to the current on-disk layout: ${r.migrated.join(', ')}`);
  if (r.quarantined.length) console.log(`tinylet agent: ${r.quarantined.length} unreadable store file(s) moved aside, the agent starts without them: ${r.quarantined.join('; ')}`);
  if (r.recreated.length + r.restored.length + r.dropped.length) {
    console.log(`tinylet agent: recovered pods: ${r.recreated.length} recreated, ${r.restored.length} finished ones kept, ${r.dropped.length} whose deletion was under way removed`);
  }
  if (config.staticPodPath) console.log(`tinylet agent: static pods from ${config.staticPodPath}`);
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      console.log(`tinylet agent: ${sig} again, exiting now`);
      process.exit(1);
    }
    console.log(`tinylet agent: ${sig}: stopping the pods gracefully (they come back at the next start)`);
    void agent.stop({ keepPods: true }).then(() => process.exit(0));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  await new Promise(() => undefined);
}
