// Runs the shapes of shapes.mjs against one JS library and prints one JSON
// line per shape: {"lib","shape","ms","updates"}, ms being the fastest
// sample. Each library runs in its own process, so the shape closures stay
// monomorphic.
//
//   node --expose-gc bench.mjs alien|preact [shape-name-substring]
//
// Protocol (performance plan §1.3): build the graph, run 3 untimed warm-up
// iterations, collect garbage, then time `samples` iterations and keep the
// fastest. Every iteration checks its own result and throws on a mismatch.
import { performance } from 'node:perf_hooks';
import { shapes, WARMUP } from './shapes.mjs';

const LIBS = ['alien', 'preact'];

const [lib, filter = ''] = process.argv.slice(2);
if (!LIBS.includes(lib)) {
  console.error(`usage: node --expose-gc bench.mjs ${LIBS.join('|')} [shape]`);
  process.exit(2);
}
const gc = globalThis.gc ?? (() => {});
if (globalThis.gc === undefined) {
  console.error('bench.mjs: run node with --expose-gc for a GC between shapes');
}

const adapter = (await import(`./adapters/${lib}.mjs`)).default;

for (const shape of shapes) {
  if (!shape.name.includes(filter)) continue;
  let iter;
  const dispose = adapter.scope(() => {
    iter = shape.build(adapter);
  });
  for (let i = 0; i < WARMUP; i++) iter();
  gc();
  let best = Infinity;
  for (let i = 0; i < shape.samples; i++) {
    const t0 = performance.now();
    iter();
    const ms = performance.now() - t0;
    if (ms < best) best = ms;
  }
  dispose();
  gc();
  console.log(JSON.stringify({ lib, shape: shape.name, ms: best, updates: shape.updates }));
}
