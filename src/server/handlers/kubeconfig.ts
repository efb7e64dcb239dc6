// GET /tinylet/v1/kubeconfig, on the Unix socket only: whoever may use the socket (root, group
// tinylet) gets the loopback listener's address and token, which `tinylet kubeconfig` prints.
import type { RequestContext } from '../context.js';
import { sendJson } from '../respond.js';
import { forbidden, routeNotFound } from '../status.js';

export function serveKubeconfig(ctx: RequestContext): void {
  if (ctx.transport !== 'unix') throw forbidden('the kubeconfig is only handed out on the Unix socket');
  const addr = ctx.services.tcpAddress();
  if (!addr) throw routeNotFound();
  const host = addr.host.includes(':') ? `[${addr.host}]` : addr.host;
  sendJson(ctx.res, 200, {
    server: `https://${host}:${addr.port}`,
    token: ctx.services.token,
    certificateAuthorityData: Buffer.from(ctx.services.tls?.cert ?? '').toString('base64'),
    nodeName: ctx.services.config.nodeName,
  });
}
