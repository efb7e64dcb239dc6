// Bundles the CLI (src/cli/main.ts and everything it imports) over tsc's dist/src/cli/main.js, so
// `tinylet` starts from one entry file instead of resolving and compiling hundreds of modules
// (measured here: the run path's imports took ~200 ms unbundled). Commands stay lazily loaded:
// each dynamic import() becomes a chunk under dist/src/cli/bundle/. node-pty is native and stays
// a normal import. Run by `npm run build` after tsc; tests import the other dist/ modules directly.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Chunk names carry content hashes: the previous build's would pile up.
rmSync(join(root, 'dist/src/cli/bundle'), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { main: 'src/cli/main.ts' },
  outdir: 'dist/src/cli',
  chunkNames: 'bundle/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['node-pty'],
  // Bundled CommonJS dependencies (commander) call require() for Node's own modules.
  banner: { js: "import { createRequire as __tinyletRequire } from 'node:module'; const require = __tinyletRequire(import.meta.url);" },
  logLevel: 'warning',
});
