import type { HeldMessage, SubscriptionInfo } from '../adapters/pubsub-hold-subscriptions';
import {
  countOption,
  OpsError,
  stringOption,
  stringOptions,
  UsageError,
  type Noun,
  type Outcome,
  type VerbContext,
} from './command';
import { heldJson, heldText, publishTo, withHeld } from './held-messages';
import { cell, table, withProgress } from './output';
import type { Clients } from './target';

/**
 * `bm-ops dead-letters …`: messages a function's subscription gave up on (its dead-letter
 * policy), kept in a hold subscription on the dead-letter topic. Replay republishes each to the
 * topic it came from, with its data, attributes and ordering key, and acknowledges it in the
 * hold only once the publish is confirmed; the pipeline's exactly-once makes a replay of an
 * event that was already applied change nothing.
 */

/** Attributes Pub/Sub adds when it dead-letters a message; not the message's own. */
const DEAD_LETTER_ATTRIBUTE = /^CloudPubSubDeadLetter/;

interface Hold extends SubscriptionInfo {
  /** The subscriptions whose dead letters land here. */
  sources: SubscriptionInfo[];
}

/** Hold subscriptions of dead-letter topics, found from the subscriptions' dead-letter policies. */
async function deadLetterHolds(clients: Clients, only: string | undefined): Promise<Hold[]> {
  const subscriptions = await clients.holds.subscriptions();
  const holds = subscriptions
    .filter((s) => !s.push && subscriptions.some((source) => source.deadLetterTopic === s.topic))
    .map((s) => ({
      ...s,
      sources: subscriptions.filter((source) => source.deadLetterTopic === s.topic),
    }));
  if (only === undefined) return holds;
  const chosen = holds.filter((h) => h.name === only || h.sources.some((s) => s.name === only));
  if (chosen.length === 0) {
    throw new OpsError(
      `no dead-letter hold for subscription ${only}; there are: ${holds.map((h) => `${h.name} (of ${h.sources.map((s) => s.name).join(', ')})`).join('; ') || 'none'}`,
    );
  }
  return chosen;
}

/** The topic a dead letter came from: its source subscription's topic. */
function sourceTopic(message: HeldMessage, holds: readonly Hold[]): string | undefined {
  const hold = holds.find((h) => h.name === message.subscription);
  const named = message.attributes.CloudPubSubDeadLetterSourceSubscription;
  const source =
    hold?.sources.find((s) => s.name === named) ??
    (hold?.sources.length === 1 ? hold.sources[0] : undefined);
  return source?.topic;
}

function row(m: HeldMessage, holds: readonly Hold[]): string[] {
  const a = m.attributes;
  return [
    m.messageId,
    m.subscription,
    sourceTopic(m, holds) ?? '?',
    a.CloudPubSubDeadLetterSourceDeliveryCount ?? '?',
    a.kind ?? a.type ?? '',
    cell(a.conversation ?? m.orderingKey, 24),
    m.publishTime ?? '',
  ];
}

const HEADERS = [
  'message',
  'hold',
  'from topic',
  'attempts',
  'kind',
  'conversation',
  'dead-lettered',
];

async function list(ctx: VerbContext): Promise<Outcome> {
  const clients = await ctx.clients();
  const holds = await deadLetterHolds(clients, stringOption(ctx.options, 'subscription'));
  const limit = countOption(ctx.options, 'limit', 100);
  return withProgress(ctx.io, 'reading dead letters', () =>
    withHeld(clients, holds, limit, (messages) => {
      messages.sort((a, b) => (a.publishTime ?? '').localeCompare(b.publishTime ?? ''));
      return Promise.resolve({
        result: {
          json: messages.map((m) => ({
            ...heldJson(m),
            sourceTopic: sourceTopic(m, holds) ?? null,
          })),
          text: table(
            HEADERS,
            messages.map((m) => row(m, holds)),
          ),
        },
      });
    }),
  );
}

async function show(ctx: VerbContext): Promise<Outcome> {
  const clients = await ctx.clients();
  const id = ctx.args[0] ?? '';
  const holds = await deadLetterHolds(clients, stringOption(ctx.options, 'subscription'));
  return withProgress(ctx.io, `looking for dead letter ${id}`, () =>
    withHeld(clients, holds, 10_000, (messages) => {
      const found = messages.find((m) => m.messageId === id);
      if (!found)
        throw new OpsError(
          `no dead letter ${id} in ${holds.map((h) => h.name).join(', ') || 'any hold'}`,
        );
      return Promise.resolve({
        result: {
          json: { ...heldJson(found), sourceTopic: sourceTopic(found, holds) ?? null },
          text: `from topic:  ${sourceTopic(found, holds) ?? '?'}\n${heldText(found)}`,
        },
      });
    }),
  );
}

/** `attr=value` filters; a message must match all of them. */
function filters(ctx: VerbContext): [string, string][] {
  return stringOptions(ctx.options, 'filter').map((f) => {
    const at = f.indexOf('=');
    if (at < 1)
      throw new UsageError(
        `--filter must be attr=value, got "${f}"`,
        'bm-ops dead-letters replay --help',
      );
    return [f.slice(0, at), f.slice(at + 1)];
  });
}

async function replay(ctx: VerbContext): Promise<Outcome> {
  const wanted = filters(ctx);
  const limit = countOption(ctx.options, 'limit', 1000);
  const clients = await ctx.clients();
  const holds = await deadLetterHolds(clients, stringOption(ctx.options, 'subscription'));
  return withHeld<Outcome>(clients, holds, 10_000, async (messages) => {
    const chosen = messages
      .filter((m) => wanted.every(([k, v]) => m.attributes[k] === v))
      .slice(0, limit);
    const plan = chosen.map((m) => ({ message: m, topic: sourceTopic(m, holds) }));
    const planText = table(
      ['message', 'to topic', 'kind', 'conversation'],
      plan.map((p) => [
        p.message.messageId,
        p.topic ?? '? (stays)',
        p.message.attributes.kind ?? '',
        cell(p.message.attributes.conversation, 24),
      ]),
    );
    if (ctx.dryRun || plan.length === 0) {
      return {
        result: {
          json: plan.map((p) => ({
            messageId: p.message.messageId,
            topic: p.topic ?? null,
            replayed: false,
          })),
          text: `${plan.length} of ${messages.length} dead letters match\n${planText}${ctx.dryRun ? 'dry run: nothing replayed\n' : ''}`,
        },
      };
    }
    ctx.io.stderr.write(`${plan.length} of ${messages.length} dead letters match\n${planText}`);
    await ctx.confirm(`replay ${plan.length} dead letter(s)?`);
    const taken = new Set<HeldMessage>();
    const results = await withProgress(ctx.io, 'replaying', async (progress) => {
      const out: {
        messageId: string;
        topic: string | null;
        replayed: boolean;
        newMessageId?: string;
        error?: string;
      }[] = [];
      for (const { message, topic } of plan) {
        progress.update(`${out.length} of ${plan.length}`);
        if (!topic) {
          out.push({
            messageId: message.messageId,
            topic: null,
            replayed: false,
            error: 'source topic unknown',
          });
          continue;
        }
        try {
          const newMessageId = await publishTo(clients, topic, {
            data: message.data,
            attributes: Object.fromEntries(
              Object.entries(message.attributes).filter(([k]) => !DEAD_LETTER_ATTRIBUTE.test(k)),
            ),
            // Pub/Sub may drop the ordering key when it dead-letters; ours is the conversation.
            orderingKey: message.orderingKey || message.attributes.conversation || '',
          });
          // Only now, with the publish confirmed, does the dead letter leave the hold.
          await clients.holds.acknowledge(message.subscription, [message]);
          taken.add(message);
          out.push({ messageId: message.messageId, topic, replayed: true, newMessageId });
        } catch (error) {
          out.push({
            messageId: message.messageId,
            topic,
            replayed: false,
            error: (error as Error).message,
          });
        }
      }
      return out;
    });
    const failed = results.filter((r) => !r.replayed).length;
    return {
      taken,
      result: {
        json: results,
        text:
          table(
            ['message', 'topic', 'result'],
            results.map((r) => [
              r.messageId,
              r.topic ?? '?',
              r.replayed ? `replayed as ${r.newMessageId ?? ''}` : `kept: ${r.error ?? ''}`,
            ]),
          ) + `${results.length - failed} replayed, ${failed} kept\n`,
        failed: failed > 0,
      },
    };
  });
}

const SUBSCRIPTION = {
  subscription: {
    type: 'string' as const,
    placeholder: 'S',
    description: 'only this function subscription’s dead letters (or this hold’s)',
  },
};

export const deadLetters: Noun = {
  name: 'dead-letters',
  summary: 'messages the functions’ subscriptions gave up on',
  verbs: [
    {
      name: 'list',
      summary: 'the dead letters held, oldest first',
      options: {
        ...SUBSCRIPTION,
        limit: {
          type: 'string',
          placeholder: 'N',
          description: 'at most N per hold (default 100)',
        },
      },
      examples: [
        'bm-ops dead-letters list',
        'bm-ops dead-letters list --subscription inbound-classifier',
      ],
      run: list,
    },
    {
      name: 'show',
      summary: 'one dead letter: attributes and data',
      args: ['ID'],
      options: SUBSCRIPTION,
      run: show,
    },
    {
      name: 'replay',
      summary:
        'republish dead letters to the topics they came from; acknowledge each once published',
      options: {
        ...SUBSCRIPTION,
        filter: {
          type: 'string',
          multiple: true,
          placeholder: 'ATTR=VALUE',
          description: 'only messages with this attribute value (repeatable)',
        },
        limit: { type: 'string', placeholder: 'N', description: 'at most N messages' },
      },
      destructive: true,
      examples: [
        'bm-ops dead-letters replay --filter brand=velo-cafe --dry-run',
        'bm-ops dead-letters replay --subscription inbound-classifier --limit 10 --yes',
      ],
      run: replay,
    },
  ],
};
