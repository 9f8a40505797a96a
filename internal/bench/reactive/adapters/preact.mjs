// Adapter for @preact/signals-core (https://github.com/preactjs/signals).
// See ../shapes.mjs for the adapter contract.
import {
  batch as pBatch,
  computed as pComputed,
  effect as pEffect,
  signal as pSignal,
} from '@preact/signals-core';

// Effects created inside scope(fn) are collected here so the scope can
// dispose them; preact has no effect scope of its own.
let disposers = null;

export default {
  name: 'preact',
  signal(v) {
    const s = pSignal(v);
    return {
      read: () => s.value,
      write: (x) => {
        s.value = x;
      },
    };
  },
  computed(fn) {
    const c = pComputed(fn);
    return { read: () => c.value };
  },
  effect(fn) {
    // preact treats a returned function as a cleanup: never return one.
    const dispose = pEffect(() => {
      fn();
    });
    if (disposers !== null) disposers.push(dispose);
  },
  batch(fn) {
    pBatch(fn);
  },
  scope(fn) {
    const prev = disposers;
    const mine = [];
    disposers = mine;
    try {
      fn();
    } finally {
      disposers = prev;
    }
    return () => {
      for (const d of mine) d();
      mine.length = 0;
    };
  },
};
