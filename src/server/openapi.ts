// GET /openapi/v2. kubectl (1.20) validates manifests against this document before create/apply and
// asks for it as protobuf (gnostic's openapi_v2.Document). A document that defines no types makes
// its validator skip every object ("resource is not present, let's just skip validation"): the
// server validates, with field paths. apply then computes its patch from its built-in Pod struct.
import type { RequestContext } from './context.js';

function field(no: number, payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from([(no << 3) | 2]), varint(payload.length), payload]);
}

function varint(n: number): Buffer {
  const bytes: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    bytes.push(b);
  } while (n);
  return Buffer.from(bytes);
}

const TITLE = 'tinylet';
const VERSION = 'v1.30.0-tinylet';

/** Document{swagger: "2.0", info: {title}}: no paths, no definitions. */
export function openApiProtobuf(): Buffer {
  return Buffer.concat([field(1, Buffer.from('2.0')), field(2, field(1, Buffer.from(TITLE)))]);
}

export function serveOpenApi(ctx: RequestContext): void {
  const accept = ctx.req.headers.accept ?? '';
  if (accept.includes('protobuf')) {
    const body = openApiProtobuf();
    ctx.res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length });
    ctx.res.end(body);
    return;
  }
  const body = JSON.stringify({ swagger: '2.0', info: { title: TITLE, version: VERSION }, paths: {} });
  ctx.res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  ctx.res.end(body);
}
