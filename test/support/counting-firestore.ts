import type { Firestore, Transaction, WriteBatch } from '@google-cloud/firestore';

const WRITES = new Set<PropertyKey>(['create', 'set', 'update', 'delete']);

export interface CountingFirestore {
  /** Use in place of the real client. */
  firestore: Firestore;
  /** Documents written by committed transactions and batches since the last `take()`. */
  take(): number;
}

/**
 * A Firestore client that counts the documents its transactions and batches write: what a
 * committed transaction staged in its last attempt (attempts that were retried commit nothing),
 * what a batch held when its commit succeeded. Single-document writes on a reference (the
 * sender's first record of a send, a `create`) are not counted.
 */
export function countingFirestore(db: Firestore): CountingFirestore {
  let committed = 0;
  const counted = (tx: Transaction, onWrite: () => void): Transaction =>
    new Proxy(tx, {
      get(target, prop) {
        const value: unknown = Reflect.get(target, prop, target);
        if (typeof value !== 'function') return value;
        const method = value as (...args: unknown[]) => unknown;
        return (...args: unknown[]) => {
          if (WRITES.has(prop)) onWrite();
          return method.apply(target, args);
        };
      },
    });
  const countedBatch = (batch: WriteBatch): WriteBatch => {
    let staged = 0;
    const proxy: WriteBatch = new Proxy(batch, {
      get(target, prop) {
        const value: unknown = Reflect.get(target, prop, target);
        if (typeof value !== 'function') return value;
        const method = value as (...args: unknown[]) => unknown;
        if (prop === 'commit') {
          return async (...args: unknown[]) => {
            const written = await method.apply(target, args);
            committed += staged;
            return written;
          };
        }
        return (...args: unknown[]) => {
          if (WRITES.has(prop)) staged++;
          const result = method.apply(target, args);
          // Writes chain (`batch.set(…).delete(…)`): keep counting through the chain.
          return result === target ? proxy : result;
        };
      },
    });
    return proxy;
  };
  const firestore = new Proxy(db, {
    get(target, prop) {
      if (prop === 'batch') return () => countedBatch(target.batch());
      if (prop === 'runTransaction') {
        return async <T>(
          fn: (tx: Transaction) => Promise<T>,
          options?: Parameters<Firestore['runTransaction']>[1],
        ): Promise<T> => {
          let staged = 0;
          const result = await target.runTransaction((tx) => {
            staged = 0;
            return fn(counted(tx, () => staged++));
          }, options);
          committed += staged;
          return result;
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function'
        ? (value as (...args: unknown[]) => unknown).bind(target)
        : value;
    },
  });
  return {
    firestore,
    take: () => {
      const n = committed;
      committed = 0;
      return n;
    },
  };
}
