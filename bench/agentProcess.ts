// The agent as the bench runs it: its own Node process (started with --expose-gc), so its CPU and
// memory are its own, measured from /proc/<pid>; driven over the API like any client. The parent
// (agentChild.ts) sends IPC messages only for what a client cannot ask: a full GC before a memory
// reading, and a clean stop.
import { Agent } from '../src/agent/agent.js';
import { installCrashGuards } from '../src/agent/crashGuards.js';
import { defaultConfig, type AgentConfig } from '../src/kubelet/config.js';

type Request = { op: 'memory' } | { op: 'stop' };

let stopping = false;

async function main(): Promise<void> {
  installCrashGuards('tinylet bench agent');
  const overrides = JSON.parse(process.argv[2] ?? '{}') as Partial<AgentConfig>;
  const agent = await Agent.start({ ...defaultConfig(), ...overrides });
  process.on('message', (msg: Request) => {
    void handle(agent, msg).then(
      (reply) => process.connected && process.send!({ ok: true, ...reply }),
      (err: Error) => process.connected && process.send!({ ok: false, error: err.message }),
    );
  });
  // The bench gone (killed, interrupted): nobody will ask for a stop, so stop now, pods and network
  // removed, rather than leave them behind.
  process.on('disconnect', () => void handle(agent, { op: 'stop' }).catch(() => process.exit(1)));
  process.send!({ ok: true, ready: true });
}

async function handle(agent: Agent, msg: Request): Promise<Record<string, unknown>> {
  if (msg.op === 'memory') {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (!gc) throw new Error('the agent was not started with --expose-gc');
    // Twice, a tick apart: weak references and finalizers the first one queues are freed by the second.
    gc();
    await new Promise((r) => setImmediate(r));
    gc();
    const m = process.memoryUsage();
    return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers };
  }
  if (!stopping) {
    stopping = true;
    await agent.stop({ keepPods: false, gracePeriodSeconds: 0 });
    await agent.kubelet.network.destroy();
    setImmediate(() => process.exit(0));
  }
  return { stopped: true };
}

main().catch((err) => {
  console.error(`bench agent: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
