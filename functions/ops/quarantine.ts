import type { HeldMessage, SubscriptionInfo } from '../adapters/pubsub-hold-subscriptions';
import { parseInboundEvent } from '../core/inbound-event';
import { sha256Digest } from '../platform/digest';
import { parseJson } from '../platform/quarantine';
import { traceOfEvent } from '../platform/trace';
import { inboundMessage } from '../webhook/handler';
import {
  countOption,
  OpsError,
  stringOption,
  UsageError,
  type Noun,
  type Outcome,
  type VerbContext,
} from './command';
import { heldJson, heldText, withHeld } from './held-messages';
import { cell, table, withProgress } from './output';
import type { Clients } from './target';

/**
 * `bm-ops quarantine …`: what a function could never process, kept with its raw bytes and the
 * reason in the quarantine topic's hold subscription. Replay puts each body through the
 * webhook's current parser: what now parses goes to `inbound` exactly as the webhook would have
 * published it; the rest stays, with its reason.
 */

/** The hold: the quarantine topic's pull subscription (one, or the one named). */
async function quarantineHold(
  clients: Clients,
  only: string | undefined,
): Promise<SubscriptionInfo> {
  const holds = (await clients.holds.subscriptions()).filter(
    (s) => !s.push && s.topic === clients.topicIds.quarantine,
  );
  const chosen = only === undefined ? holds : holds.filter((h) => h.name === only);
  const [hold] = chosen;
  if (!hold) {
    throw new OpsError(
      `no hold subscription ${only ? `${only} ` : ''}on topic ${clients.topicIds.quarantine}${holds.length ? ` (there are: ${holds.map((h) => h.name).join(', ')})` : ''}`,
    );
  }
  if (chosen.length > 1) {
    throw new UsageError(
      `topic ${clients.topicIds.quarantine} has several holds (${holds.map((h) => h.name).join(', ')}): choose one with --subscription`,
      'bm-ops quarantine --help',
    );
  }
  return hold;
}

/** What the webhook's parser says about a quarantined body today. */
function reparse(message: HeldMessage) {
  const json = parseJson(message.data);
  if (!json.ok) return { ok: false as const, reason: json.reason };
  return parseInboundEvent(json.value, sha256Digest);
}

interface ReplayRow {
  messageId: string;
  parsesNow: boolean;
  replayed: boolean;
  kind?: string;
  reason?: string;
}

const byTime = (a: HeldMessage, b: HeldMessage) =>
  (a.publishTime ?? '').localeCompare(b.publishTime ?? '');

async function list(ctx: VerbContext): Promise<Outcome> {
  const clients = await ctx.clients();
  const hold = await quarantineHold(clients, stringOption(ctx.options, 'subscription'));
  return withProgress(ctx.io, 'reading the quarantine', () =>
    withHeld(clients, [hold], countOption(ctx.options, 'limit', 100), (messages) => {
      messages.sort(byTime);
      return Promise.resolve({
        result: {
          json: messages.map(heldJson),
          text: table(
            ['message', 'quarantined', 'by', 'reason', 'conversation', 'bytes'],
            messages.map((m) => [
              m.messageId,
              m.publishTime ?? '',
              m.attributes.source ?? '?',
              cell(m.attributes.reason, 50),
              cell(m.attributes.conversation, 24),
              String(m.data.length),
            ]),
          ),
        },
      });
    }),
  );
}

async function show(ctx: VerbContext): Promise<Outcome> {
  const id = ctx.args[0] ?? '';
  const clients = await ctx.clients();
  const hold = await quarantineHold(clients, stringOption(ctx.options, 'subscription'));
  return withProgress(ctx.io, `looking for ${id}`, () =>
    withHeld(clients, [hold], 10_000, (messages) => {
      const found = messages.find((m) => m.messageId === id);
      if (!found) throw new OpsError(`no quarantined message ${id} in ${hold.name}`);
      const now = reparse(found);
      const verdict = now.ok
        ? 'parses now (replay would send it to inbound)'
        : `still refused: ${now.reason}`;
      return Promise.resolve({
        result: {
          json: {
            ...heldJson(found),
            parsesNow: now.ok,
            ...(now.ok ? {} : { reasonNow: now.reason }),
          },
          text: `today's parser: ${verdict}\n${heldText(found)}`,
        },
      });
    }),
  );
}

async function replay(ctx: VerbContext): Promise<Outcome> {
  const clients = await ctx.clients();
  const hold = await quarantineHold(clients, stringOption(ctx.options, 'subscription'));
  const limit = countOption(ctx.options, 'limit', 1000);
  return withHeld<Outcome>(clients, [hold], 10_000, async (messages) => {
    messages.sort(byTime);
    const verdicts = messages
      .slice(0, limit)
      .map((message) => ({ message, parsed: reparse(message) }));
    const passing = verdicts.filter((v) => v.parsed.ok);
    const summary = (replayed: Set<HeldMessage>): ReplayRow[] =>
      verdicts.map(({ message, parsed }) => ({
        messageId: message.messageId,
        parsesNow: parsed.ok,
        replayed: replayed.has(message),
        ...(parsed.ok ? { kind: parsed.event.kind } : { reason: parsed.reason }),
      }));
    const render = (rows: ReplayRow[], verb: string) =>
      table(
        ['message', 'result'],
        rows.map((r) => [
          r.messageId,
          r.parsesNow ? `${verb} (${r.kind ?? ''})` : `stays: ${r.reason ?? ''}`,
        ]),
      );
    if (ctx.dryRun || passing.length === 0) {
      const rows = summary(new Set());
      return {
        result: {
          json: rows,
          text: `${passing.length} of ${verdicts.length} parse now\n${render(rows, 'would go to inbound')}${ctx.dryRun ? 'dry run: nothing replayed\n' : ''}`,
        },
      };
    }
    ctx.io.stderr.write(`${passing.length} of ${verdicts.length} quarantined bodies parse now\n`);
    await ctx.confirm(`send ${passing.length} to ${clients.topicIds.inbound}?`);
    const taken = new Set<HeldMessage>();
    await withProgress(ctx.io, 'replaying', async (progress) => {
      for (const { message, parsed } of passing) {
        if (!parsed.ok) continue;
        progress.update(`${taken.size} of ${passing.length}`);
        const { traceId, receivedAt } = message.attributes;
        await clients.bus.publish(
          'inbound',
          inboundMessage(parsed.event, message.data, {
            traceId: traceOfEvent(traceId, parsed.event.dedupeKey, sha256Digest),
            receivedAt: receivedAt ?? message.publishTime ?? new Date().toISOString(),
          }),
        );
        // Only now, with the publish confirmed, does it leave the quarantine.
        await clients.holds.acknowledge(message.subscription, [message]);
        taken.add(message);
      }
    });
    const rows = summary(taken);
    return {
      taken,
      result: {
        json: rows,
        text: `${render(rows, 'sent to inbound')}${taken.size} replayed, ${verdicts.length - taken.size} stay\n`,
      },
    };
  });
}

const SUBSCRIPTION = {
  subscription: {
    type: 'string' as const,
    placeholder: 'S',
    description: 'the hold subscription, when the quarantine topic has several',
  },
};

export const quarantine: Noun = {
  name: 'quarantine',
  summary: 'events no function could process, with their reasons',
  verbs: [
    {
      name: 'list',
      summary: 'what is quarantined, oldest first, with the reasons',
      options: {
        ...SUBSCRIPTION,
        limit: { type: 'string', placeholder: 'N', description: 'at most N (default 100)' },
      },
      run: list,
    },
    {
      name: 'show',
      summary: 'one quarantined body, and what today’s parser says of it',
      args: ['ID'],
      options: SUBSCRIPTION,
      run: show,
    },
    {
      name: 'replay',
      summary: 'send what the webhook’s current parser accepts to inbound; the rest stays',
      options: {
        ...SUBSCRIPTION,
        limit: { type: 'string', placeholder: 'N', description: 'look at the oldest N only' },
      },
      destructive: true,
      examples: ['bm-ops quarantine replay --dry-run', 'bm-ops quarantine replay --yes'],
      run: replay,
    },
  ],
};
