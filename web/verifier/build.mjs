// Builds the verifier page into resources/verifier-page/ (committed: pip install and `verifier export` need
// no Node). Deterministic: the same sources and lock file give the same bytes (tests/web checks it).
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2] || join(here, '..', '..', 'resources', 'verifier-page');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const common = { bundle: true, minify: true, legalComments: 'none', charset: 'utf8', target: ['es2020'], logLevel: 'warning' };
await build({
  ...common,
  entryPoints: [join(here, 'src', 'main.js')],
  outfile: join(out, 'app.js'),
  format: 'esm',
  platform: 'browser',
  // zxing-wasm's Node-only branches import these; the browser build never reaches them
  external: ['module', 'node:*', 'fs', 'path', 'url', 'crypto', 'worker_threads'],
});
await build({ ...common, entryPoints: [join(here, 'src', 'app.css')], outfile: join(out, 'app.css') });
for (const f of ['index.html', 'manifest.webmanifest', 'icon.svg']) copyFileSync(join(here, 'src', f), join(out, f));
copyFileSync(join(here, 'node_modules', 'zxing-wasm', 'dist', 'reader', 'zxing_reader.wasm'), join(out, 'zxing_reader.wasm'));

const licences = [
  ['@noble/curves', 'node_modules/@noble/curves/LICENSE'],
  ['@noble/hashes', 'node_modules/@noble/hashes/LICENSE'],
  ['zxing-wasm', 'node_modules/zxing-wasm/LICENSE'],
];
let text = 'Third-party software in this page (bundled into app.js and zxing_reader.wasm)\n';
for (const [name, path] of licences) text += `\n==== ${name}\n\n${readFileSync(join(here, path), 'utf8').trim()}\n`;
text += '\n==== zxing-cpp (compiled into zxing_reader.wasm): Apache License 2.0, https://github.com/zxing-cpp/zxing-cpp\n';
writeFileSync(join(out, 'THIRD-PARTY-LICENSES.txt'), text);

// The service worker precaches the shell; its cache name changes whenever any shell file changes.
const shell = ['./', 'index.html', 'app.js', 'app.css', 'manifest.webmanifest', 'icon.svg', 'zxing_reader.wasm'];
const hash = createHash('sha256');
for (const f of shell.slice(1)) hash.update(f).update(readFileSync(join(out, f)));
const version = hash.digest('hex').slice(0, 16);
await build({
  ...common,
  entryPoints: [join(here, 'src', 'sw.js')],
  outfile: join(out, 'sw.js'),
  format: 'iife',
  define: { 'self.BUILD_VERSION': JSON.stringify(version), 'self.BUILD_FILES': JSON.stringify(shell) },
});
console.log(`verifier page ${version} -> ${out}`);
