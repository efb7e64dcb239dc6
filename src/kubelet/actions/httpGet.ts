import http from 'node:http';
import https from 'node:https';

/** One GET for an httpGet lifecycle hook: success is a 2xx/3xx answer; the body is drained and dropped. */
export function httpGetOnce(url: string, headers: { name: string; value: string }[], timeoutMs: number): Promise<{ ok: boolean; error: string }> {
  return new Promise((resolve) => {
    const mod = url.startsWith('https:') ? https : http;
    const hdrs: Record<string, string> = { 'User-Agent': 'kube-lifecycle/1.30', Accept: '*/*' };
    for (const h of headers) hdrs[h.name] = h.value;
    const req = mod.get(url, { headers: hdrs, timeout: timeoutMs, agent: false, rejectUnauthorized: false }, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      resolve(status >= 200 && status < 400 ? { ok: true, error: '' } : { ok: false, error: `Get "${url}": HTTP status ${status}` });
    });
    req.on('timeout', () => req.destroy(new Error('context deadline exceeded')));
    req.on('error', (err) => resolve({ ok: false, error: `Get "${url}": ${err.message}` }));
  });
}
