// Adapter for alien-signals (https://github.com/stackblitz/alien-signals).
// See ../shapes.mjs for the adapter contract.
import {
  computed as aComputed,
  effect as aEffect,
  effectScope,
  endBatch,
  signal as aSignal,
  startBatch,
} from 'alien-signals';

export default {
  name: 'alien',
  signal(v) {
    const s = aSignal(v);
    // alien's accessor reads with no argument and writes with one.
    return { read: s, write: s };
  },
  computed(fn) {
    return { read: aComputed(fn) };
  },
  effect(fn) {
    // alien treats a returned function as a cleanup: never return one.
    aEffect(() => {
      fn();
    });
  },
  batch(fn) {
    startBatch();
    try {
      fn();
    } finally {
      endBatch();
    }
  },
  scope(fn) {
    return effectScope(fn);
  },
};
