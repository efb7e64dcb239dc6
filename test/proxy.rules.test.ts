// The Service proxy's rendered table (src/proxy/serviceRules.ts): its shape for 0, 1 and 3 endpoints,
// ClientIP affinity and UDP, and that nft itself accepts it (`nft -c`: check only, nothing installed).
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseCidr } from '../src/runtime/network/cidr.js';
import type { ProxyService } from '../src/proxy/serviceModel.js';
import { serviceRules, serviceTableName } from '../src/proxy/serviceRules.js';

const bridge = 'tlt-rules.0';
const render = (services: ProxyService[]) =>
  serviceRules({ table: serviceTableName(bridge), bridge, podCIDR: parseCidr('10.250.7.0/24'), serviceCIDR: parseCidr('10.251.7.0/24'), services });
const ep = (n: number, port = 8080) => ({ ip: `10.250.7.${n}`, port });
const web = (endpoints: { ip: string; port: number }[], extra: Partial<ProxyService> = {}): ProxyService => ({
  namespace: 'default',
  name: 'web',
  clusterIP: '10.251.7.10',
  ports: [{ name: 'http', protocol: 'TCP', port: 80, nodePort: 30080, endpoints }],
  ...extra,
});
/** The lines of one chain (or set, map) of the rendered table. */
function section(text: string, head: string): string[] {
  const lines = text.split('\n').map((l) => l.trim());
  const start = lines.findIndex((l) => l === `${head} {`);
  if (start < 0) return [];
  return lines.slice(start + 1, lines.indexOf('}', start));
}
const chainsNamed = (text: string, prefix: string) => [...text.matchAll(new RegExp(`^\\s*chain (${prefix}-\\S+) \\{`, 'gm'))].map((m) => m[1]);
/** nft's check mode parses and validates against the kernel without committing anything. */
const nftCheck = (text: string) => execFileSync('nft', ['-c', '-f', '-'], { input: text, encoding: 'utf8' });

describe('service proxy rules', () => {
  it('names one ip table per bridge and refuses names nft cannot hold', () => {
    expect(render([])).toMatch(/^table ip tinylet-svc-tlt-rules\.0 \{/);
    expect(() => serviceTableName('bad name')).toThrow(/cannot name/);
  });

  it('with no Services: the hooks, empty maps, and the rejection of the service CIDR', () => {
    const t = render([]);
    expect(section(t, 'chain nat-prerouting')).toContain(`iifname "${bridge}" ip saddr 10.250.7.0/24 jump services`);
    expect(section(t, 'chain nat-output')).toContain('jump services');
    expect(section(t, 'chain nat-postrouting')).toContain(`oifname "${bridge}" ct status dnat masquerade`);
    expect(section(t, 'chain services')).toEqual(['ip daddr . meta l4proto . th dport vmap @service-ips', 'fib daddr type local meta l4proto . th dport vmap @service-nodeports']);
    expect(section(t, 'map service-ips')).toEqual(['type ipv4_addr . inet_proto . inet_service : verdict']);
    expect(section(t, 'chain service-checks')).toContain('ip daddr 10.251.7.0/24 drop');
    nftCheck(t);
  });

  it('0 endpoints: no DNAT, the ClusterIP is in the reject set, no NodePort', () => {
    const t = render([web([])]);
    expect(section(t, 'map service-ips')).toHaveLength(1);
    expect(section(t, 'map service-nodeports')).toHaveLength(1);
    expect(section(t, 'set cluster-ips')).toContain('elements = { 10.251.7.10 }');
    expect(section(t, 'chain service-checks').slice(0, 2)).toEqual([
      'ip daddr @cluster-ips meta l4proto tcp reject with tcp reset',
      'ip daddr @cluster-ips reject with icmp type port-unreachable',
    ]);
    expect(chainsNamed(t, 'svc')).toEqual([]);
    expect(t).not.toContain('dnat to');
    nftCheck(t);
  });

  it('1 endpoint: ClusterIP and NodePort go to the Service chain, which DNATs', () => {
    const t = render([web([ep(2)])]);
    const [svc] = chainsNamed(t, 'svc');
    const [endpoint] = chainsNamed(t, 'ep');
    expect(svc).toMatch(/^svc-[0-9a-f]{8}-default\/web\/tcp\/80$/);
    expect(section(t, 'map service-ips')[1]).toBe(`elements = { 10.251.7.10 . tcp . 80 : goto ${svc} }`);
    expect(section(t, 'map service-nodeports')[1]).toBe(`elements = { tcp . 30080 : goto ${svc} }`);
    expect(section(t, `chain ${svc}`)).toEqual([`numgen random mod 1 vmap { 0 : goto ${endpoint} }`]);
    expect(section(t, `chain ${endpoint}`)).toEqual(['meta l4proto tcp dnat to 10.250.7.2:8080']);
    nftCheck(t);
  });

  it('3 endpoints: one random pick among three endpoint chains; duplicates and non-IPv4 dropped', () => {
    const t = render([web([ep(2), ep(3), ep(4), ep(4), { ip: 'fd00::1', port: 80 }])]);
    const [svc] = chainsNamed(t, 'svc');
    const eps = chainsNamed(t, 'ep');
    expect(eps).toHaveLength(3);
    expect(section(t, `chain ${svc}`)).toEqual([`numgen random mod 3 vmap { ${eps.map((e, i) => `${i} : goto ${e}`).join(', ')} }`]);
    expect(eps.map((e) => section(t, `chain ${e}`)[0])).toEqual([2, 3, 4].map((n) => `meta l4proto tcp dnat to 10.250.7.${n}:8080`));
    nftCheck(t);
  });

  it('ClientIP affinity: a timed dynamic set per endpoint, checked before the random pick', () => {
    const t = render([web([ep(2), ep(3)], { affinityTimeoutSeconds: 600 })]);
    const [svc] = chainsNamed(t, 'svc');
    const eps = chainsNamed(t, 'ep');
    const sets = [...t.matchAll(/^\s*set (aff-\S+) \{/gm)].map((m) => m[1]);
    expect(sets).toHaveLength(2);
    for (const s of sets) expect(section(t, `set ${s}`)).toEqual(['type ipv4_addr', 'flags dynamic,timeout', 'timeout 600s']);
    expect(section(t, `chain ${svc}`)).toEqual([`ip saddr @${sets[0]} goto ${eps[0]}`, `ip saddr @${sets[1]} goto ${eps[1]}`, `numgen random mod 2 vmap { 0 : goto ${eps[0]}, 1 : goto ${eps[1]} }`]);
    expect(section(t, `chain ${eps[0]}`)).toEqual([`update @${sets[0]} { ip saddr }`, 'meta l4proto tcp dnat to 10.250.7.2:8080']);
    nftCheck(t);
  });

  it('affinity entries of the installed table are carried into the new one, capped at the timeout', () => {
    const model = [web([ep(2), ep(3)], { affinityTimeoutSeconds: 600 })];
    const sets = [...render(model).matchAll(/^\s*set (aff-\S+) \{/gm)].map((m) => m[1]);
    const t = serviceRules({
      table: serviceTableName(bridge),
      bridge,
      podCIDR: parseCidr('10.250.7.0/24'),
      serviceCIDR: parseCidr('10.251.7.0/24'),
      services: model,
      affinity: { [sets[0]]: [{ ip: '10.250.7.9', expiresSeconds: 42.7 }, { ip: '10.250.7.8', expiresSeconds: 9999 }, { ip: 'junk', expiresSeconds: 5 }], 'aff-gone': [{ ip: '10.250.7.7', expiresSeconds: 5 }] },
    });
    expect(section(t, `set ${sets[0]}`)).toContain('elements = { 10.250.7.9 expires 42s, 10.250.7.8 expires 600s }');
    expect(section(t, `set ${sets[1]}`)).toHaveLength(3);
    expect(t).not.toContain('aff-gone');
    nftCheck(t);
  });

  it('UDP ports map by protocol; TCP and UDP on one port are separate entries', () => {
    const dns: ProxyService = {
      namespace: 'kube-system',
      name: 'kube-dns',
      clusterIP: '10.251.7.10',
      ports: [
        { name: 'dns', protocol: 'UDP', port: 53, endpoints: [ep(5, 5353)] },
        { name: 'dns-tcp', protocol: 'TCP', port: 53, endpoints: [ep(5, 5353)] },
      ],
    };
    const t = render([dns]);
    const map = section(t, 'map service-ips')[1];
    expect(map).toMatch(/10\.251\.7\.10 \. udp \. 53 : goto svc-\S+\/udp\/53/);
    expect(map).toMatch(/10\.251\.7\.10 \. tcp \. 53 : goto svc-\S+\/tcp\/53/);
    expect(t).toContain('meta l4proto udp dnat to 10.250.7.5:5353');
    nftCheck(t);
  });

  it('headless Services get nothing; several Services check as one table', () => {
    const headless: ProxyService = { namespace: 'default', name: 'db', ports: [{ protocol: 'TCP', port: 5432, endpoints: [ep(9, 5432)] }] };
    expect(render([headless])).toBe(render([]));
    const other: ProxyService = { namespace: 'ns2', name: 'api', clusterIP: '10.251.7.11', ports: [{ protocol: 'TCP', port: 443, nodePort: 30443, endpoints: [ep(6, 8443)] }] };
    const t = render([web([ep(2), ep(3)], { affinityTimeoutSeconds: 10800 }), other, headless]);
    expect(section(t, 'set cluster-ips')).toContain('elements = { 10.251.7.10, 10.251.7.11 }');
    nftCheck(t);
  });
});
