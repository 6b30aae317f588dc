import * as z from 'zod';

/**
 * A customer's erasure request, as the pipeline remembers it once the data is gone: a tombstone
 * per erased conversation (`erasures/{conversationId}`) holding only when it was erased. No
 * customer content, no names: just enough to drop the events from before the erasure that
 * Google or Pub/Sub deliver again, so they cannot bring the content back.
 */

export const Erasure = z.object({
  /** When the conversation was erased (ISO 8601, UTC). */
  erasedAt: z.iso.datetime({ offset: true }),
});
export type Erasure = z.infer<typeof Erasure>;

/**
 * Whether an inbound event that happened at `occurredAt` belongs to the erased conversation.
 * An event that carries no time cannot be shown to be newer, so it is dropped too: erasure
 * errs on the side of the customer. A customer who writes again after the erasure starts a new
 * conversation under the same ID.
 */
export function predatesErasure(occurredAt: string | undefined, erasure: Erasure): boolean {
  if (occurredAt === undefined) return true;
  const at = Date.parse(occurredAt);
  return Number.isNaN(at) || at <= Date.parse(erasure.erasedAt);
}
