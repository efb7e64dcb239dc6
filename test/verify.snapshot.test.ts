// The stop-time snapshot's /proc readers, on real processes: signal dispositions, the process tree,
// and TCP sockets.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { maskHas, parseProcNetTcp, takeStopSnapshot } from '../src/verify/snapshot.js';
import { waitUntil } from './helpers/testKubelet.js';

describe('stop snapshot', () => {
  it('reads the SIGTERM bit of SigCgt / SigIgn masks', () => {
    expect(maskHas('0000000000004000', 15)).toBe(true);
    expect(maskHas('0000000000000002', 15)).toBe(false);
    expect(maskHas('0000000000000002', 2)).toBe(true);
    expect(maskHas('zz', 15)).toBe(false);
    expect(maskHas(undefined, 15)).toBe(false);
  });

  it('parses /proc/net/tcp and tcp6 lines', () => {
    const text = 'sl local rem st\n 0: 0100007F:1F90 0200007F:D431 01 x\n 1: 00000000000000000000000000000000:0050 00000000000000000000000000000000:0000 0A x\n';
    expect(parseProcNetTcp(text)).toEqual([
      { local: '127.0.0.1:8080', remote: '127.0.0.2:54321', state: 'ESTABLISHED' },
      { local: '[::]:80', remote: '[::]:0', state: 'LISTEN' },
    ]);
  });

  it('snapshots a shell, its child and their dispositions, and the sockets of its netns', async () => {
    const server = createServer().listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as { port: number }).port;
    // sh catches TERM (trap), its child sleep ignores INT (inherited trap '' INT: ignored survives exec).
    const sh = spawn('sh', ['-c', "trap 'exit 0' TERM; trap '' INT; sleep 30 & wait"], { stdio: 'ignore' });
    let child: number | undefined;
    try {
      await waitUntil(() => takeStopSnapshot(sh.pid!, 15).processes.length === 2, 5000);
      const s = takeStopSnapshot(sh.pid!, 15);
      child = s.processes[1]!.pid;
      expect(s.processes[0]).toMatchObject({ pid: sh.pid, argv: ['sh', '-c', "trap 'exit 0' TERM; trap '' INT; sleep 30 & wait"], catches: true, ignores: false });
      expect(s.processes[1]).toMatchObject({ ppid: sh.pid, argv: ['sleep', '30'], catches: false, ignores: false });
      expect(takeStopSnapshot(sh.pid!, 2).processes[1]!.ignores).toBe(true);
      expect(s.tcp).toContainEqual({ local: `127.0.0.1:${port}`, remote: '0.0.0.0:0', state: 'LISTEN' });
    } finally {
      // The orphaned sleep would outlive the test: kill it too.
      if (child) process.kill(child, 'SIGKILL');
      sh.kill('SIGKILL');
      await once(sh, 'exit');
      server.close();
    }
    // A vanished process gives an empty snapshot, not an error.
    expect(takeStopSnapshot(sh.pid!, 15).processes).toEqual([]);
  });
});
