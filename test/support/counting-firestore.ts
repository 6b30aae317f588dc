import type { Firestore, Transaction } from '@google-cloud/firestore';

const WRITES = new Set<PropertyKey>(['create', 'set', 'update', 'delete']);

export interface CountingFirestore {
  /** Use in place of the real client. */
  firestore: Firestore;
  /** Documents written by committed transactions since the last `take()`. */
  take(): number;
}

/**
 * A Firestore client whose transactions count the documents they write: what a committed
 * transaction staged in its last attempt (attempts that were retried commit nothing).
 * Writes outside transactions are not counted: the sender's first record of a send (a `create`)
 * and the classifier's batches conditioned on a remembered version are not.
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
  const firestore = new Proxy(db, {
    get(target, prop) {
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
