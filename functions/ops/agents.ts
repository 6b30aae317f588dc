import { AgentRecord, type AgentRecordInput } from '../core/agent-record';
import {
  OpsError,
  requiredOption,
  stringOption,
  UsageError,
  type Noun,
  type Outcome,
  type VerbContext,
} from './command';
import { documentChanges } from './document-diff';
import { table } from './output';
import { describeIssues } from '../core/validation-problems';

/** `bm-ops agents …`: live agents (`agents/{agentId}`), checked with the functions' AgentRecord. */

const ADD_HELP = 'bm-ops agents add --help';

async function add(ctx: VerbContext): Promise<Outcome> {
  const input: AgentRecordInput = {
    agentId: requiredOption(ctx.options, 'id', ADD_HELP),
    displayName: requiredOption(ctx.options, 'name', ADD_HELP),
    email: requiredOption(ctx.options, 'email', ADD_HELP),
    brandIds: requiredOption(ctx.options, 'brands', ADD_HELP)
      .split(',')
      .map((b) => b.trim())
      .filter((b) => b !== ''),
  };
  const avatarUrl = stringOption(ctx.options, 'avatar');
  if (avatarUrl !== undefined) input.avatarUrl = avatarUrl;
  const parsed = AgentRecord.safeParse(input);
  if (!parsed.success) {
    throw new UsageError(`invalid agent: ${describeIssues(parsed.error)}`, ADD_HELP);
  }
  const agent = parsed.data;
  const clients = await ctx.clients();
  const missing = (
    await Promise.all(
      agent.brandIds.map(async (b) => ((await clients.brands.document(b)) ? [] : [b])),
    )
  ).flat();
  if (missing.length > 0) {
    throw new OpsError(
      `no such brand: ${missing.join(', ')} (push it first with bm-ops brands push); nothing was written`,
    );
  }
  const sameEmail = await clients.agents.findByEmail(agent.email);
  if (sameEmail && sameEmail.agentId !== agent.agentId) {
    throw new OpsError(
      `${agent.email} is already the email of agent ${sameEmail.agentId}; nothing was written`,
    );
  }
  const existing = await clients.agents.get(agent.agentId);
  const changes = existing ? documentChanges(existing, agent) : [];
  if (existing && changes.length === 0) {
    return { json: { agent, written: false }, text: `agents/${agent.agentId} is already so\n` };
  }
  const what = existing
    ? `agents/${agent.agentId} exists; replacing it changes ${changes.map((c) => c.path).join(', ')}`
    : `agents/${agent.agentId} is new`;
  if (ctx.dryRun) {
    return {
      json: { agent, written: false, changes },
      text: `${what}\ndry run: nothing written\n`,
    };
  }
  // Adding is not destructive; replacing an existing agent is, so it is confirmed.
  if (existing) await ctx.confirm(`${what}. Replace it?`);
  await clients.agents.put(agent);
  return {
    json: { agent, written: true, changes },
    text: `agents/${agent.agentId} written: ${agent.displayName} <${agent.email}>, brands ${agent.brandIds.join(', ')}\n`,
  };
}

async function list(ctx: VerbContext): Promise<Outcome> {
  const clients = await ctx.clients();
  const agents = (await clients.agents.list()).sort((a, b) => a.agentId.localeCompare(b.agentId));
  return {
    json: agents,
    text: table(
      ['agent', 'name', 'email', 'brands'],
      agents.map((a) => [a.agentId, a.displayName, a.email, a.brandIds.join(',')]),
    ),
  };
}

async function remove(ctx: VerbContext): Promise<Outcome> {
  const agentId = ctx.args[0] ?? '';
  const clients = await ctx.clients();
  const existing = await clients.agents.get(agentId);
  if (!existing) throw new OpsError(`no agent ${agentId} (agents/${agentId}); nothing was removed`);
  const what = `agents/${agentId}: ${existing.displayName} <${existing.email}>`;
  if (ctx.dryRun) {
    return { json: { agent: existing, removed: false }, text: `would remove ${what}\n` };
  }
  await ctx.confirm(`remove ${what}?`);
  await clients.agents.remove(agentId);
  return { json: { agent: existing, removed: true }, text: `removed ${what}\n` };
}

export const agents: Noun = {
  name: 'agents',
  summary: 'live agents and the brands they serve',
  verbs: [
    {
      name: 'add',
      summary: 'add an agent (or replace one, after confirmation); every brand must exist',
      options: {
        id: { type: 'string', placeholder: 'ID', description: 'agent ID ([A-Za-z0-9_-])' },
        name: { type: 'string', placeholder: 'NAME', description: 'the name customers see' },
        email: { type: 'string', placeholder: 'EMAIL', description: 'the email IAP vouches for' },
        brands: { type: 'string', placeholder: 'A,B', description: 'the brands served' },
        avatar: { type: 'string', placeholder: 'URL', description: 'an https avatar image' },
      },
      destructive: true,
      examples: [
        'bm-ops agents add --id sam --name "Sam" --email sam@example.com --brands velo-cafe',
      ],
      run: add,
    },
    { name: 'list', summary: 'every agent', run: list },
    {
      name: 'remove',
      summary: 'remove an agent',
      args: ['ID'],
      destructive: true,
      examples: ['bm-ops agents remove sam --yes'],
      run: remove,
    },
  ],
};
