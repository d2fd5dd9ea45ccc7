// Bundles the extension (and the integration-test harness) with esbuild.
// `node esbuild.config.mjs [--production] [--watch] [--harness | --harness-only]`
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: !production,
  minify: production,
  // vscode is provided by the host; ws's optional native speed-ups are not needed.
  external: ['vscode', 'bufferutil', 'utf-8-validate'],
  logLevel: 'info',
};

// The demo model (src/server/demo*) is its own file, dist/demo.js, loaded only when the demo model first answers:
// it stays out of extension.js (and its size budget), and a user with an API key never loads it.
const demoOutOfBundle = {
  name: 'demo-out-of-bundle',
  setup(b) {
    b.onResolve({ filter: /^\.\/demo$/ }, (args) =>
      /modelServer\.ts$/.test(args.importer) ? { path: './demo.js', external: true } : undefined,
    );
  },
};

const builds = [
  { ...common, entryPoints: ['src/vscode/extension.ts'], outfile: 'dist/extension.js', plugins: [demoOutOfBundle] },
  { ...common, entryPoints: ['src/server/demo.ts'], outfile: 'dist/demo.js' },
  // The chat webview: browser code, one file, loaded with the CSP nonce.
  {
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    sourcemap: false,
    minify: production,
    logLevel: 'info',
    entryPoints: ['src/webview/chat.ts'],
    outfile: 'media/dist/chat.js',
  },
];
if (process.argv.includes('--harness-only')) builds.length = 0;
if (process.argv.includes('--harness') || process.argv.includes('--harness-only')) {
  builds.push({
    ...common,
    entryPoints: ['test/harness/main.ts'],
    outfile: 'test/harness/dist/main.js',
    sourcemap: true,
    minify: false,
  });
}

if (watch) {
  for (const b of builds) {
    const ctx = await esbuild.context(b);
    await ctx.watch();
  }
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
