// The seven reactive-graph shapes S1–S7 of docs/benchmarks (performance plan
// §1.3), written once against a small adapter so that every JS library runs
// exactly the same graphs. The Go twin is ./shapes (package shapes); sizes,
// write sequences and assertions must stay identical in both.
//
// Adapter contract (see adapters/*.mjs):
//
//   signal(v)    -> { read(), write(x) }   a writable source
//   computed(fn) -> { read() }             a lazy, cached derivation
//   effect(fn)                             runs fn now and after every change
//                                          of what it read; fn returns nothing
//   batch(fn)                              runs fn; effects run once at its end
//   scope(fn)    -> dispose()              disposes the effects created in fn
//
// A shape is { name, updates, samples, build(adapter) -> iter }. iter() runs
// one timed iteration and throws if the graph computed a wrong result, so a
// broken graph cannot look fast. updates is the number of updates (one batch
// with one write, then the effects) per iteration; 0 means the shape is not
// made of updates (S7 times building and disposing a graph).

function check(shape, what, got, want) {
  if (got !== want) {
    throw new Error(`${shape}: ${what} = ${got}, want ${want}`);
  }
}

// S1: Value -> chain of 1000 Calcs (+1) -> 1 Effect; 100 updates.
const DEEP = 1000;
function deep(a) {
  const head = a.signal(0);
  let cur = head;
  for (let i = 0; i < DEEP; i++) {
    const prev = cur;
    cur = a.computed(() => prev.read() + 1);
  }
  const tail = cur;
  let seen = -1;
  a.effect(() => {
    seen = tail.read();
  });
  check('S1', 'initial effect value', seen, DEEP);
  let k = 0;
  return () => {
    for (let u = 0; u < 100; u++) {
      k++;
      a.batch(() => head.write(k));
    }
    check('S1', 'effect value', seen, k + DEEP);
  };
}

// S2: Value -> 1000 x (Calc v+i -> Effect); 100 updates = 100,000 effect runs.
const BROAD = 1000;
function broad(a) {
  const head = a.signal(0);
  let runs = 0;
  let last = 0;
  for (let i = 0; i < BROAD; i++) {
    const c = a.computed(() => head.read() + i);
    a.effect(() => {
      last = c.read();
      runs++;
    });
  }
  check('S2', 'initial effect runs', runs, BROAD);
  let k = 0;
  return () => {
    runs = 0;
    for (let u = 0; u < 100; u++) {
      k++;
      a.batch(() => head.write(k));
    }
    check('S2', 'effect runs', runs, 100 * BROAD);
    check('S2', 'last effect value', last, k + BROAD - 1);
  };
}

// S3: Value -> 1000 Calcs (+1) -> 1 sum Calc -> 1 Effect; 100 updates. The
// effect must run exactly once per update (glitch-free).
const DIAMOND = 1000;
function diamond(a) {
  const head = a.signal(0);
  const cs = new Array(DIAMOND);
  for (let i = 0; i < DIAMOND; i++) {
    cs[i] = a.computed(() => head.read() + 1);
  }
  const sum = a.computed(() => {
    let s = 0;
    for (let i = 0; i < cs.length; i++) s += cs[i].read();
    return s;
  });
  let runs = 0;
  let seen = -1;
  a.effect(() => {
    seen = sum.read();
    runs++;
  });
  check('S3', 'initial effect value', seen, DIAMOND);
  let k = 0;
  return () => {
    runs = 0;
    for (let u = 0; u < 100; u++) {
      k++;
      a.batch(() => head.write(k));
    }
    check('S3', 'effect runs', runs, 100);
    check('S3', 'effect value', seen, DIAMOND * (k + 1));
  };
}

// S4: cellx with 1000 layers: 4 Values; each layer has 4 Calcs (b, a-c, b+d,
// c) of the layer above, each with its own Effect. One iteration is one batch
// writing all four Values (alternately 4,3,2,1 and 1,2,3,4), then a read of
// the four ends, which must equal cellx's reference values.
const CELLX = 1000;
const CELLX_FROM = [1, 2, 3, 4];
const CELLX_TO = [4, 3, 2, 1];
const CELLX_ENDS_FROM = [-3, -6, -2, 2];
const CELLX_ENDS_TO = [-2, -4, 2, 3];
const CELLX_END_NAMES = ['end 0', 'end 1', 'end 2', 'end 3'];
function cellx(a) {
  const start = CELLX_FROM.map((v) => a.signal(v));
  let layer = start;
  for (let i = 0; i < CELLX; i++) {
    const m = layer;
    const next = [
      a.computed(() => m[1].read()),
      a.computed(() => m[0].read() - m[2].read()),
      a.computed(() => m[1].read() + m[3].read()),
      a.computed(() => m[2].read()),
    ];
    for (let j = 0; j < 4; j++) {
      const c = next[j];
      a.effect(() => {
        c.read();
      });
    }
    layer = next;
  }
  const end = layer;
  const checkEnds = (want) => {
    for (let j = 0; j < 4; j++) check('S4', CELLX_END_NAMES[j], end[j].read(), want[j]);
  };
  checkEnds(CELLX_ENDS_FROM);
  let flip = false;
  return () => {
    flip = !flip;
    const vals = flip ? CELLX_TO : CELLX_FROM;
    a.batch(() => {
      for (let j = 0; j < 4; j++) start[j].write(vals[j]);
    });
    checkEnds(flip ? CELLX_ENDS_TO : CELLX_ENDS_FROM);
  };
}

// S5: reactively's "4-1000x12 dyn5%": 1000 Values (initially 0..999), 11 rows
// of 1000 Calcs; node j of a row sums nodes j..j+3 (mod 1000) of the row
// above; 5 % of the nodes (chosen by the LCG below) are dynamic: they read
// their first source and, when it is odd, skip tail[first % 3]. One Effect
// sums all 1000 leaves. One iteration is 700 updates, the k-th writing k to
// source k mod 1000 (k counts on across iterations and starts at 1000, so
// every write changes a value); the effect's sum must equal a plain
// evaluation of the same graph.
const DYN_WIDTH = 1000;
const DYN_ROWS = 11; // rows of Calcs; 12 layers counting the sources
const DYN_SOURCES = 4;
const DYN_STATIC = 0.95;
const DYN_SEED = 0x2f6e2b1;

// lcg returns the benchmark's pseudo-random generator: 31-bit LCG with
// 32-bit wrap-around (the Go side uses uint32), scaled to [0, 1).
function lcg(seed) {
  let x = seed;
  return () => {
    x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff;
    return x / 2147483648;
  };
}

// dynTopology returns, for each row, which nodes are dynamic.
function dynTopology() {
  const rand = lcg(DYN_SEED);
  const rows = [];
  for (let r = 0; r < DYN_ROWS; r++) {
    const dyn = new Array(DYN_WIDTH);
    for (let j = 0; j < DYN_WIDTH; j++) dyn[j] = !(rand() < DYN_STATIC);
    rows.push(dyn);
  }
  return rows;
}

// dynEval evaluates the graph on plain numbers (the reference result): the
// sum of the leaves for the source values src. It uses scratch, two rows of
// DYN_WIDTH numbers, for the rows in between, so it allocates nothing.
function dynEval(topo, src, scratch) {
  let prev = src;
  for (let r = 0; r < DYN_ROWS; r++) {
    const dyn = topo[r];
    const cur = scratch[r % 2];
    for (let j = 0; j < DYN_WIDTH; j++) {
      let sum = prev[j];
      const drop = dyn[j] && (sum & 1) === 1;
      const dropDex = sum % (DYN_SOURCES - 1);
      for (let i = 0; i < DYN_SOURCES - 1; i++) {
        if (drop && i === dropDex) continue;
        sum += prev[(j + 1 + i) % DYN_WIDTH];
      }
      cur[j] = sum;
    }
    prev = cur;
  }
  let total = 0;
  for (let j = 0; j < DYN_WIDTH; j++) total += prev[j];
  return total;
}

function dyn(a) {
  const topo = dynTopology();
  const scratch = [new Array(DYN_WIDTH).fill(0), new Array(DYN_WIDTH).fill(0)];
  const plain = new Array(DYN_WIDTH);
  const sources = new Array(DYN_WIDTH);
  for (let j = 0; j < DYN_WIDTH; j++) {
    plain[j] = j;
    sources[j] = a.signal(j);
  }
  let prev = sources;
  for (let r = 0; r < DYN_ROWS; r++) {
    const dynRow = topo[r];
    const row = new Array(DYN_WIDTH);
    for (let j = 0; j < DYN_WIDTH; j++) {
      const srcs = [];
      for (let s = 0; s < DYN_SOURCES; s++) srcs.push(prev[(j + s) % DYN_WIDTH]);
      if (!dynRow[j]) {
        row[j] = a.computed(() => {
          let sum = 0;
          for (let i = 0; i < srcs.length; i++) sum += srcs[i].read();
          return sum;
        });
      } else {
        const first = srcs[0];
        const tail = srcs.slice(1);
        row[j] = a.computed(() => {
          let sum = first.read();
          const drop = (sum & 1) === 1;
          const dropDex = sum % tail.length;
          for (let i = 0; i < tail.length; i++) {
            if (drop && i === dropDex) continue;
            sum += tail[i].read();
          }
          return sum;
        });
      }
    }
    prev = row;
  }
  const leaves = prev;
  let total = -1;
  a.effect(() => {
    let s = 0;
    for (let j = 0; j < leaves.length; j++) s += leaves[j].read();
    total = s;
  });
  check('S5', 'initial leaf sum', total, dynEval(topo, plain, scratch));
  let k = DYN_WIDTH - 1;
  return () => {
    for (let u = 0; u < 700; u++) {
      k++;
      const j = k % DYN_WIDTH;
      plain[j] = k;
      a.batch(() => sources[j].write(k));
    }
    check('S5', 'leaf sum', total, dynEval(topo, plain, scratch));
  };
}

// S6: Value -> Calc (x2) -> Effect, the per-token chat path; 100,000 updates.
function stream(a) {
  const v = a.signal(0);
  const c = a.computed(() => v.read() * 2);
  let last = -1;
  a.effect(() => {
    last = c.read();
  });
  check('S6', 'initial effect value', last, 0);
  let k = 0;
  return () => {
    for (let u = 0; u < 100000; u++) {
      k++;
      a.batch(() => v.write(k));
    }
    check('S6', 'effect value', last, 2 * k);
  };
}

// S7: build 1000 Values + 1000 Calcs (+1) + 1000 Effects (each runs once),
// then dispose them all. One iteration is one build and dispose.
const CREATE = 1000;
function create(a) {
  return () => {
    let runs = 0;
    let sum = 0;
    const dispose = a.scope(() => {
      for (let i = 0; i < CREATE; i++) {
        const s = a.signal(i);
        const c = a.computed(() => s.read() + 1);
        a.effect(() => {
          sum += c.read();
          runs++;
        });
      }
    });
    dispose();
    check('S7', 'effect runs', runs, CREATE);
    check('S7', 'effect sum', sum, (CREATE * (CREATE + 1)) / 2);
  };
}

export const shapes = [
  { name: 'S1_deep1000', updates: 100, samples: 10, build: deep },
  { name: 'S2_broad1000', updates: 100, samples: 10, build: broad },
  { name: 'S3_diamond1000', updates: 100, samples: 10, build: diamond },
  { name: 'S4_cellx1000', updates: 1, samples: 10, build: cellx },
  { name: 'S5_dyn1000x12', updates: 700, samples: 5, build: dyn },
  { name: 'S6_stream1to1', updates: 100000, samples: 10, build: stream },
  { name: 'S7_create3000', updates: 0, samples: 20, build: create },
];

// WARMUP is the number of untimed iterations before the samples.
export const WARMUP = 3;
