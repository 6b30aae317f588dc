import type { MessageLogEntry } from '../core/conversation';
import type { ConversationRecord } from '../ports/conversation-store';
import { OpsError, type Noun, type Outcome, type VerbContext } from './command';
import { fields, table, withProgress } from './output';
import type { Clients } from './target';

/**
 * `bm-ops conversations …`: a conversation as a person reads it, and a customer's requests to
 * see (export) or erase their data. Everything goes through the conversation store and the
 * agents' feed, the adapters the functions use.
 */

interface Everything extends ConversationRecord {
  conversationId: string;
  notices: Awaited<ReturnType<Clients['feed']['conversationNotices']>>;
}

async function everything(clients: Clients, conversationId: string): Promise<Everything> {
  const record = await clients.store.exportConversation(conversationId);
  const notices = await clients.feed.conversationNotices(
    conversationId,
    record.conversation?.brandId,
  );
  return { conversationId, ...record, notices };
}

const isEmpty = (e: Everything) =>
  e.conversation === null &&
  e.messages.length === 0 &&
  e.markers.length === 0 &&
  e.notices.length === 0;

function notFound(e: Everything): OpsError {
  return new OpsError(
    e.erasedAt
      ? `nothing is stored about conversation ${e.conversationId}: it was erased at ${e.erasedAt}`
      : `no conversation ${e.conversationId} is stored`,
  );
}

/** One line of the transcript: when, who, what. */
function transcriptLine(m: MessageLogEntry): string[] {
  const at = m.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  if (m.direction === 'inbound') {
    const what =
      m.text ??
      (m.imageUrl
        ? `[image] ${m.imageUrl}`
        : m.postbackData
          ? `[chip] ${m.postbackData}`
          : `(${m.kind})`);
    const route = m.routing.decision.route ?? 'not routed';
    return [at, 'CUSTOMER', what, `${route} (${m.routing.decision.reason})`];
  }
  const who = m.representativeType ?? 'US';
  const what = m.text ?? `(${m.kind ?? 'message'})`;
  return [at, who, what, `${m.status}${m.reason ? `: ${m.reason}` : ''}`];
}

async function show(ctx: VerbContext): Promise<Outcome> {
  const clients = await ctx.clients();
  const e = await everything(clients, ctx.args[0] ?? '');
  const c = e.conversation;
  if (!c) throw notFound(e);
  const header = fields([
    ['conversation', c.id],
    ['brand', `${c.brandId} (${c.agent})`],
    ['state', c.state],
    ['assignee', c.assignee ? `${c.assignee.displayName} (${c.assignee.agentId})` : '—'],
    ['locale', c.locale ?? '—'],
    ['entry point', c.origin.entryPoint ?? '—'],
    ['created', c.createdAt],
    ['updated', `${c.updatedAt} (version ${c.version})`],
    ['queued at', c.queuedAt ?? '—'],
    ['last customer message', c.lastUserMessageAt ?? '—'],
    ['surveys answered', String(c.surveyAnswers.length)],
    ...(e.erasedAt ? ([['erased before', e.erasedAt]] as [string, string][]) : []),
  ]);
  const transcript = table(['at', 'who', 'what', 'route / status'], e.messages.map(transcriptLine));
  return { json: { conversation: c, messages: e.messages }, text: `${header}\n${transcript}` };
}

async function exportConversation(ctx: VerbContext): Promise<Outcome> {
  const clients = await ctx.clients();
  const e = await everything(clients, ctx.args[0] ?? '');
  if (isEmpty(e)) throw notFound(e);
  // Always JSON: it is what the customer receives.
  const document = { exportedAt: new Date().toISOString(), ...e };
  return { json: document, text: `${JSON.stringify(document, null, 2)}\n` };
}

async function erase(ctx: VerbContext): Promise<Outcome> {
  const conversationId = ctx.args[0] ?? '';
  const clients = await ctx.clients();
  const e = await everything(clients, conversationId);
  if (isEmpty(e)) throw notFound(e);
  const found = {
    conversation: e.conversation ? 1 : 0,
    messages: e.messages.length,
    markers: e.markers.length,
    notices: e.notices.length,
  };
  const foundText = table(
    ['stored', 'documents'],
    Object.entries(found).map(([k, v]) => [k, String(v)]),
  );
  if (ctx.dryRun) {
    return {
      json: { conversationId, erased: false, found },
      text: `would erase conversation ${conversationId}:\n${foundText}dry run: nothing erased\n`,
    };
  }
  ctx.io.stderr.write(`conversation ${conversationId} holds:\n${foundText}`);
  await ctx.confirm(`erase conversation ${conversationId} for good?`);
  const erasedAt = new Date();
  const removed = await withProgress(ctx.io, `erasing ${conversationId}`, async () => {
    const report = await clients.store.eraseConversation(conversationId, erasedAt);
    const notices = await clients.feed.eraseNotices(conversationId, e.conversation?.brandId);
    return { ...report, notices };
  });
  const rows: [string, number][] = [
    ['conversation', removed.conversation ? 1 : 0],
    ...Object.entries(removed.deleted),
    ['feed notices', removed.notices],
  ];
  return {
    json: { conversationId, erased: true, erasedAt: erasedAt.toISOString(), removed },
    text:
      `erased conversation ${conversationId} at ${erasedAt.toISOString()}; a tombstone without content ` +
      `(erasures/${conversationId}) keeps events from before it from coming back.\n` +
      table(
        ['removed', 'documents'],
        rows.map(([k, v]) => [k, String(v)]),
      ),
  };
}

export const conversations: Noun = {
  name: 'conversations',
  summary: 'a conversation as a person reads it; customers’ export and erasure requests',
  verbs: [
    {
      name: 'show',
      summary: 'state and transcript, as a person reads them',
      args: ['ID'],
      examples: ['bm-ops conversations show 6b0f…'],
      run: show,
    },
    {
      name: 'export',
      summary: 'everything stored about the conversation, as JSON',
      args: ['ID'],
      examples: ['bm-ops conversations export 6b0f… > customer-export.json'],
      run: exportConversation,
    },
    {
      name: 'erase',
      summary:
        'a customer’s erasure request: delete everything keyed by the conversation, keep a content-free tombstone',
      args: ['ID'],
      destructive: true,
      examples: [
        'bm-ops conversations erase 6b0f… --dry-run',
        'bm-ops conversations erase 6b0f… --yes',
      ],
      run: erase,
    },
  ],
};
