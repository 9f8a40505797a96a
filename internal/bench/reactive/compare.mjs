// Runs the reactive shapes S1–S7 for sheen/reactive (Go), alien-signals and
// @preact/signals-core, and S1, S2, S3 and S6 for the Go floor (package
// floor: the same semantics with nothing else, to show what the semantics
// cost and what reactive's features cost), interleaved for several rounds in one invocation,
// keeps the fastest time per library and shape, and prints a markdown table
// with the ratios and the targets. Times on a shared VM vary by up to ±50 %
// from run to run, so only the ratios of one invocation mean anything. Go and
// the floor run in one process (gobench -lib both), their samples
// alternating, so that go/floor compares times taken at the same moments.
//
//   node compare.mjs [rounds]        (default 3; run.sh calls this)
//
// The Go side is built once with `go build` into a temporary directory; each
// library then runs in its own process per round.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..', '..');

// Targets from the issue: go/alien ≤ 0.5 on S1–S6 and ≤ 1.0 on S7;
// S6 ≤ 60 ns/update.
const RATIO_TARGET = { S7_create3000: 1.0 };
const DEFAULT_RATIO_TARGET = 0.5;
const NS_TARGET = { S6_stream1to1: 60 };

function usage(msg) {
  console.error(`compare.mjs: ${msg}\nusage: node compare.mjs [rounds]`);
  process.exit(2);
}

const arg = process.argv[2] ?? '3';
if (!/^[1-9][0-9]?$/.test(arg)) usage(`rounds must be a number from 1 to 99, got ${JSON.stringify(arg)}`);
const rounds = Number(arg);

function version(pkg) {
  try {
    return JSON.parse(readFileSync(join(here, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  } catch {
    return '?';
  }
}

// parse turns a bench process's stdout into records of the libraries libs,
// rejecting anything that is not one of our JSON lines.
function parse(name, libs, out) {
  const recs = [];
  for (const line of out.split('\n')) {
    if (line.trim() === '') continue;
    let r;
    try {
      r = JSON.parse(line);
    } catch {
      throw new Error(`${name}: not a JSON line: ${line}`);
    }
    if (!libs.includes(r.lib) || typeof r.shape !== 'string' || !(r.ms >= 0) || !Number.isInteger(r.updates)) {
      throw new Error(`${name}: malformed result: ${line}`);
    }
    recs.push(r);
  }
  if (recs.length === 0) throw new Error(`${name}: printed no results`);
  return recs;
}

const tmp = mkdtempSync(join(tmpdir(), 'sheen-bench-'));
try {
  main();
} catch (err) {
  // A failed build or a failed assertion in a bench process ends here; the
  // process's own stderr has already been passed through.
  console.error(`compare.mjs: ${err.message.split('\n')[0]}`);
  process.exitCode = 1;
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

function main() {
  const gobin = join(tmp, 'gobench');
  execFileSync('go', ['build', '-o', gobin, './internal/bench/reactive/gobench'], {
    cwd: repo,
    stdio: ['ignore', 'inherit', 'inherit'],
  });

  // Each runner is one process per round, printing the libraries named by
  // its key.
  const runners = {
    'go+floor': () => execFileSync(gobin, ['-lib', 'both'], { encoding: 'utf8', maxBuffer: 1 << 20 }),
    alien: () =>
      execFileSync(process.execPath, ['--expose-gc', join(here, 'bench.mjs'), 'alien'], {
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      }),
    preact: () =>
      execFileSync(process.execPath, ['--expose-gc', join(here, 'bench.mjs'), 'preact'], {
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      }),
  };

  // best[shape][lib] = fastest ms over all rounds; updates[shape] from Go.
  const best = new Map();
  const updates = new Map();
  for (let r = 1; r <= rounds; r++) {
    for (const [name, runner] of Object.entries(runners)) {
      process.stderr.write(`round ${r}/${rounds}: ${name}\n`);
      for (const rec of parse(name, name.split('+'), runner())) {
        const lib = rec.lib;
        if (!best.has(rec.shape)) best.set(rec.shape, {});
        const row = best.get(rec.shape);
        row[lib] = Math.min(row[lib] ?? Infinity, rec.ms);
        if (!updates.has(rec.shape)) updates.set(rec.shape, rec.updates);
        else if (updates.get(rec.shape) !== rec.updates) {
          throw new Error(`${rec.shape}: ${lib} counts ${rec.updates} updates, another library ${updates.get(rec.shape)}`);
        }
      }
    }
  }

  const ms = (x) => (x === undefined ? '—' : x.toFixed(3));
  const ratio = (a, b) => (a === undefined || b === undefined ? undefined : a / b);
  const fmtRatio = (x) => (x === undefined ? '—' : x.toFixed(2));

  const goVersion = execFileSync('go', ['env', 'GOVERSION'], { encoding: 'utf8' }).trim();
  console.log(
    `Reactive shapes, fastest of ${rounds} interleaved rounds (ms per iteration; lower is better). ` +
      `${goVersion}, node ${process.version}, alien-signals ${version('alien-signals')}, ` +
      `@preact/signals-core ${version('@preact/signals-core')}.`,
  );
  console.log('');
  console.log(
    '| shape | go ms | alien ms | preact ms | go/alien | go/preact | go ns/update | target | met | floor ms | floor/alien | go/floor |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---|---|---:|---:|---:|');
  let missed = 0;
  for (const [shape, row] of best) {
    const n = updates.get(shape);
    const ga = ratio(row.go, row.alien);
    const ns = row.go !== undefined && n > 0 ? (row.go * 1e6) / n : undefined;
    const rt = RATIO_TARGET[shape] ?? DEFAULT_RATIO_TARGET;
    const targets = [`go/alien ≤ ${rt.toFixed(1)}`];
    let met = ga !== undefined && ga <= rt;
    if (NS_TARGET[shape] !== undefined) {
      targets.push(`≤ ${NS_TARGET[shape]} ns/update`);
      met = met && ns !== undefined && ns <= NS_TARGET[shape];
    }
    if (!met) missed++;
    console.log(
      `| ${shape} | ${ms(row.go)} | ${ms(row.alien)} | ${ms(row.preact)} | ${fmtRatio(ga)} | ` +
        `${fmtRatio(ratio(row.go, row.preact))} | ${ns === undefined ? '—' : Math.round(ns).toLocaleString('en-US')} | ` +
        `${targets.join(', ')} | ${met ? 'yes' : 'NO'} | ${ms(row.floor)} | ` +
        `${fmtRatio(ratio(row.floor, row.alien))} | ${fmtRatio(ratio(row.go, row.floor))} |`,
    );
  }
  console.log('');
  console.log(missed === 0 ? 'All targets met.' : `${missed} shape(s) missed a target.`);
}
