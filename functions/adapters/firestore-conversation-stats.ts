import { Timestamp, type Firestore, type QueryDocumentSnapshot } from '@google-cloud/firestore';
import { SurveyAnswer } from '../core/conversation';
import type {
  BrandTotals,
  ConversationFacts,
  ConversationStats,
} from '../ports/conversation-stats';
import { fromFirestore } from './firestore-values';

/** Conversations read per page, and message logs read at once. */
const PAGE = 200;
const PARALLEL_LOGS = 8;

/** The customer's own messages (what the bot or a human answers). */
const CUSTOMER_KINDS = new Set(['text', 'image', 'suggestion']);

/**
 * A brand's figures from what Firestore holds. Totals are aggregation queries (`count()`: one
 * read per 1,000 index entries, no documents fetched). The rest needs each active
 * conversation's message log in the window, one query per conversation with only the fields
 * used: that is what stops scaling first (README, "Operating it").
 *
 * Needs composite indexes on `conversations` (brandId, updatedAt), (brandId, createdAt) and
 * (brandId, queuedAt) in production; the emulator needs none.
 */
export class FirestoreConversationStats implements ConversationStats {
  constructor(private readonly db: Firestore) {}

  async totals(brandId: string, since: Date): Promise<BrandTotals> {
    const from = Timestamp.fromDate(since);
    const count = async (field: string) => {
      const snapshot = await this.conversations(brandId).where(field, '>=', from).count().get();
      return snapshot.data().count;
    };
    const [active, created, handedOff] = await Promise.all([
      count('updatedAt'),
      count('createdAt'),
      count('queuedAt'),
    ]);
    return { active, created, handedOff };
  }

  async facts(
    brandId: string,
    since: Date,
    onPage?: (done: number) => void,
  ): Promise<ConversationFacts[]> {
    const from = Timestamp.fromDate(since);
    const facts: ConversationFacts[] = [];
    let last: QueryDocumentSnapshot | undefined;
    for (;;) {
      let page = this.conversations(brandId)
        .where('updatedAt', '>=', from)
        .orderBy('updatedAt')
        .select('queuedAt', 'surveyAnswers')
        .limit(PAGE);
      if (last) page = page.startAfter(last);
      const snapshot = await page.get();
      for (let i = 0; i < snapshot.docs.length; i += PARALLEL_LOGS) {
        const slice = snapshot.docs.slice(i, i + PARALLEL_LOGS);
        facts.push(...(await Promise.all(slice.map((doc) => this.factsOf(doc, since)))));
        onPage?.(facts.length);
      }
      if (snapshot.size < PAGE) return facts;
      last = snapshot.docs[snapshot.docs.length - 1];
    }
  }

  private async factsOf(doc: QueryDocumentSnapshot, since: Date): Promise<ConversationFacts> {
    const queued = doc.get('queuedAt') as unknown;
    const queuedAt =
      queued instanceof Timestamp && queued.toMillis() >= since.getTime() ? queued : undefined;
    const log = await doc.ref
      .collection('messages')
      .where('at', '>=', Timestamp.fromDate(since))
      .orderBy('at')
      .select('direction', 'kind', 'representativeType', 'at')
      .get();
    const facts: ConversationFacts = {
      conversationId: doc.id,
      customerMessages: 0,
      botReplies: 0,
      humanReplies: 0,
      surveyRatings: [],
    };
    if (queuedAt) facts.queuedAt = queuedAt.toDate().toISOString();
    for (const entry of log.docs) {
      const direction = entry.get('direction') as unknown;
      const kind = entry.get('kind') as unknown;
      const at = entry.get('at') as unknown;
      if (direction === 'inbound') {
        if (typeof kind === 'string' && CUSTOMER_KINDS.has(kind)) facts.customerMessages += 1;
        continue;
      }
      const human = entry.get('representativeType') === 'HUMAN';
      if (kind === 'message') {
        if (human) facts.humanReplies += 1;
        else facts.botReplies += 1;
      }
      if (!human || !queuedAt || !(at instanceof Timestamp)) continue;
      if (at.toMillis() < queuedAt.toMillis()) continue;
      const iso = at.toDate().toISOString();
      facts.firstHumanAt ??= iso;
      if (kind === 'message') facts.firstHumanMessageAt ??= iso;
    }
    const answers = fromFirestore(doc.get('surveyAnswers'));
    const parsed = SurveyAnswer.array().safeParse(answers ?? []);
    if (parsed.success) {
      facts.surveyRatings = parsed.data
        .filter((a) => Date.parse(a.answeredAt) >= since.getTime() && a.rating !== undefined)
        .map((a) => a.rating ?? '');
    }
    return facts;
  }

  private conversations(brandId: string) {
    return this.db.collection('conversations').where('brandId', '==', brandId);
  }
}
