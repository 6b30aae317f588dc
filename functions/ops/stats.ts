import type { BrandTotals, ConversationFacts } from '../ports/conversation-stats';
import {
  OpsError,
  requiredOption,
  UsageError,
  type Noun,
  type Outcome,
  type VerbContext,
} from './command';
import { fields, withProgress } from './output';

/**
 * `bm-ops stats --brand B --since 24h|7d`: a brand's figures over a window, from what Firestore
 * holds (functions/adapters/firestore-conversation-stats.ts). The arithmetic is here, pure.
 */

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `30m`, `24h`, `7d` → milliseconds; a UsageError otherwise. */
export function parseWindow(text: string): number {
  const match = /^(\d+)([mhd])$/.exec(text);
  const amount = Number(match?.[1]);
  const unit = match?.[2] as keyof typeof UNIT_MS | undefined;
  if (!unit || !Number.isInteger(amount) || amount < 1) {
    throw new UsageError(
      `--since must look like 30m, 24h or 7d, got "${text}"`,
      'bm-ops stats --help',
    );
  }
  return amount * UNIT_MS[unit];
}

/** Google's survey ratings as scores from 1 to 5; unspecified counts as no answer. */
const RATING_SCORE: Record<string, number> = {
  VERY_DISSATISFIED: 1,
  SOMEWHAT_DISSATISFIED: 2,
  NEITHER_SATISFIED_NOR_DISSATISFIED: 3,
  SOMEWHAT_SATISFIED: 4,
  VERY_SATISFIED: 5,
};

/** The nearest-rank percentile of `values` (`p` in 0–100); undefined when there are none. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

export interface Distribution {
  count: number;
  medianMs: number | null;
  p90Ms: number | null;
}

const distribution = (values: number[]): Distribution => ({
  count: values.length,
  medianMs: percentile(values, 50) ?? null,
  p90Ms: percentile(values, 90) ?? null,
});

export interface BrandStats {
  brandId: string;
  since: string;
  until: string;
  conversations: { active: number; created: number };
  customerMessages: number;
  replies: { bot: number; human: number };
  /** Of the conversations where the customer wrote, the share no human touched. */
  botAloneShare: number | null;
  handoffs: number;
  queueWait: Distribution;
  firstHumanResponse: Distribution;
  surveys: { answered: number; averageScore: number | null };
}

/** The brand's figures from the store's totals and the conversations' facts. */
export function summarize(
  brandId: string,
  window: { since: Date; until: Date },
  totals: BrandTotals,
  facts: readonly ConversationFacts[],
): BrandStats {
  const sum = (pick: (f: ConversationFacts) => number) => facts.reduce((n, f) => n + pick(f), 0);
  const wrote = facts.filter((f) => f.customerMessages > 0);
  const botAlone = wrote.filter((f) => f.humanReplies === 0 && f.queuedAt === undefined);
  const waits = (end: (f: ConversationFacts) => string | undefined) =>
    facts.flatMap((f) => {
      const at = end(f);
      return f.queuedAt && at ? [Date.parse(at) - Date.parse(f.queuedAt)] : [];
    });
  const scores = facts.flatMap((f) => f.surveyRatings.flatMap((r) => RATING_SCORE[r] ?? []));
  return {
    brandId,
    since: window.since.toISOString(),
    until: window.until.toISOString(),
    conversations: { active: totals.active, created: totals.created },
    customerMessages: sum((f) => f.customerMessages),
    replies: { bot: sum((f) => f.botReplies), human: sum((f) => f.humanReplies) },
    botAloneShare: wrote.length === 0 ? null : botAlone.length / wrote.length,
    handoffs: totals.handedOff,
    queueWait: distribution(waits((f) => f.firstHumanAt)),
    firstHumanResponse: distribution(waits((f) => f.firstHumanMessageAt)),
    surveys: {
      answered: scores.length,
      averageScore: scores.length === 0 ? null : scores.reduce((a, b) => a + b, 0) / scores.length,
    },
  };
}

const duration = (ms: number | null): string =>
  ms === null
    ? '—'
    : ms < 60_000
      ? `${(ms / 1000).toFixed(1)} s`
      : `${(ms / 60_000).toFixed(1)} min`;

export function renderStats(s: BrandStats): string {
  const percent = s.botAloneShare === null ? '—' : `${(s.botAloneShare * 100).toFixed(1)} %`;
  return fields([
    ['brand', s.brandId],
    ['window', `${s.since} → ${s.until}`],
    ['conversations', `${s.conversations.active} active, ${s.conversations.created} new`],
    ['customer messages', String(s.customerMessages)],
    [
      'replies',
      `${s.replies.bot + s.replies.human} (bot ${s.replies.bot}, human ${s.replies.human})`,
    ],
    ['answered by the bot alone', percent],
    ['handoffs to a human', String(s.handoffs)],
    [
      'queue wait',
      `median ${duration(s.queueWait.medianMs)}, p90 ${duration(s.queueWait.p90Ms)} (${s.queueWait.count} claimed)`,
    ],
    [
      'first human response',
      `median ${duration(s.firstHumanResponse.medianMs)}, p90 ${duration(s.firstHumanResponse.p90Ms)} (${s.firstHumanResponse.count} answered)`,
    ],
    [
      'surveys',
      `${s.surveys.answered} answered, average ${s.surveys.averageScore === null ? '—' : `${s.surveys.averageScore.toFixed(2)} / 5`}`,
    ],
  ]);
}

async function show(ctx: VerbContext): Promise<Outcome> {
  const help = 'bm-ops stats --help';
  const brandId = requiredOption(ctx.options, 'brand', help);
  const until = new Date();
  const since = new Date(until.getTime() - parseWindow(requiredOption(ctx.options, 'since', help)));
  const clients = await ctx.clients();
  if ((await clients.brands.document(brandId)) === undefined) {
    throw new OpsError(`no brand ${brandId} is stored (brands/${brandId})`);
  }
  const source = clients.stats;
  const stats = await withProgress(ctx.io, `computing ${brandId}'s figures`, async (progress) => {
    const totals = await source.totals(brandId, since);
    const facts = await source.facts(brandId, since, (done) =>
      progress.update(`${done} of ${totals.active} conversations`),
    );
    return summarize(brandId, { since, until }, totals, facts);
  });
  return { json: stats, text: renderStats(stats) };
}

export const stats: Noun = {
  name: 'stats',
  summary: 'a brand’s figures over a window',
  defaultVerb: 'show',
  verbs: [
    {
      name: 'show',
      summary:
        'conversations, messages, replies, the bot-alone share, handoffs, queue wait, first human response, surveys',
      options: {
        brand: { type: 'string', placeholder: 'B', description: 'the brand' },
        since: {
          type: 'string',
          placeholder: '24h|7d',
          description: 'the window: 30m, 24h, 7d, …',
        },
      },
      examples: [
        'bm-ops stats --brand velo-cafe --since 24h',
        'bm-ops stats --brand velo-cafe --since 7d --json',
      ],
      run: show,
    },
  ],
};
