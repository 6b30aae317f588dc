import { readFile } from 'node:fs/promises';
import * as z from 'zod';
import { BotReply, BrandConfig, parseBrandConfig } from '../core/brand-config';
import { Message } from '../core/business-messages-api';
import { jsonFailure } from '../platform/quarantine';
import { OpsError, type Noun, type Outcome, type VerbContext } from './command';
import { documentChanges } from './document-diff';
import { table } from './output';

/**
 * `bm-ops brands …`: brand configurations (`brands/{brandId}`), checked with the very schema the
 * functions read them with (functions/core/brand-config.ts).
 */

/** A brand file read and parsed as JSON, or a clear error naming the file. */
async function readBrandFile(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new OpsError(
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new OpsError(`${file} is not JSON: ${jsonFailure(error).reason}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new OpsError(`${file} must hold one JSON object, the brand configuration`);
  }
  return value as Record<string, unknown>;
}

/** The file's problems, each naming its field path; an empty list when it is valid. */
async function check(file: string) {
  const document = await readBrandFile(file);
  const parsed = parseBrandConfig(document);
  return { document, parsed };
}

function problemsOutcome(file: string, problems: string[]): Outcome {
  return {
    json: { file, valid: false, problems },
    text: `${file} is not a valid brand configuration:\n${problems.map((p) => `  - ${p}\n`).join('')}`,
    failed: true,
  };
}

async function validate(ctx: VerbContext): Promise<Outcome> {
  const file = ctx.args[0] ?? '';
  const { parsed } = await check(file);
  if (!parsed.ok) return problemsOutcome(file, parsed.problems);
  return {
    json: { file, valid: true, brandId: parsed.config.brandId },
    text: `${file}: valid brand configuration of ${parsed.config.brandId}\n`,
  };
}

async function push(ctx: VerbContext): Promise<Outcome> {
  const file = ctx.args[0] ?? '';
  const { document, parsed } = await check(file);
  if (!parsed.ok) return problemsOutcome(file, parsed.problems);
  const brandId = parsed.config.brandId;
  const clients = await ctx.clients();
  const stored = await clients.brands.document(brandId);
  const changes = documentChanges(stored, document);
  const summary = {
    brandId,
    new: stored === undefined,
    changes,
    written: false,
  };
  const described =
    stored === undefined
      ? `brands/${brandId} is new\n`
      : changes.length === 0
        ? `brands/${brandId} is already up to date\n`
        : `brands/${brandId}: ${changes.length} field(s) change\n${table(
            ['field', 'change'],
            changes.map((c) => [c.path, c.change]),
          )}`;
  if (changes.length === 0 || ctx.dryRun) {
    return {
      json: summary,
      text: described + (ctx.dryRun && changes.length > 0 ? 'dry run: nothing written\n' : ''),
    };
  }
  ctx.io.stderr.write(described);
  await ctx.confirm(`write brands/${brandId}?`);
  await clients.brands.put(document);
  return {
    json: { ...summary, written: true },
    text: `${stored === undefined ? described : ''}brands/${brandId} written\n`,
  };
}

async function pull(ctx: VerbContext): Promise<Outcome> {
  const brandId = ctx.args[0] ?? '';
  const clients = await ctx.clients();
  const document = await clients.brands.document(brandId);
  if (document === undefined)
    throw new OpsError(`no brand ${brandId} is stored (brands/${brandId})`);
  const parsed = parseBrandConfig(document);
  if (!parsed.ok) {
    ctx.io.stderr.write(
      `warning: the stored brands/${brandId} is invalid; the functions refuse it:\n${parsed.problems
        .map((p) => `  - ${p}\n`)
        .join('')}`,
    );
  }
  // The document is the output either way: it is the file to edit and push back.
  const text = `${JSON.stringify(document, null, 2)}\n`;
  return { json: document, text };
}

async function list(ctx: VerbContext): Promise<Outcome> {
  const clients = await ctx.clients();
  const rows = (await clients.brands.documents()).map(({ brandId, document }) => {
    const parsed = parseBrandConfig(document);
    return parsed.ok
      ? {
          brandId,
          displayName: parsed.config.displayName,
          locales: parsed.config.locales,
          intents: parsed.config.intents.length,
          agents: parsed.config.agents,
          dedicated: document.dedicated === true,
          valid: true,
          problems: [] as string[],
        }
      : {
          brandId,
          displayName: typeof document.displayName === 'string' ? document.displayName : '',
          locales: [] as string[],
          intents: 0,
          agents: [] as string[],
          dedicated: document.dedicated === true,
          valid: false,
          problems: parsed.problems,
        };
  });
  rows.sort((a, b) => a.brandId.localeCompare(b.brandId));
  return {
    json: rows,
    text: table(
      ['brand', 'name', 'locales', 'intents', 'agents', 'dedicated', 'valid'],
      rows.map((r) => [
        r.brandId,
        r.displayName,
        r.locales.join(','),
        String(r.intents),
        String(r.agents.length),
        r.dedicated ? 'yes' : 'no',
        r.valid ? 'yes' : `NO (${r.problems.length} problems)`,
      ]),
    ),
  };
}

/**
 * The JSON Schema of a brand file, generated from the schema the functions validate with. A
 * reply (`BotReply`) is checked in code against the Business Messages message schema, which JSON
 * Schema cannot follow; in its place goes that message schema's own JSON Schema, without the
 * fields the bot sets.
 */
export function brandJsonSchema(): Record<string, unknown> {
  const options = {
    // What a person writes (defaults optional), not what the functions get after parsing.
    io: 'input',
    // Checks JSON Schema cannot express (cross-field references, limits in custom checks) stay
    // with `brands validate`.
    unrepresentable: 'any',
  } as const;
  const { $schema: _, ...message } = z.toJSONSchema(Message, options);
  const reply = withoutFields(message, BOT_OWNED_FIELDS);
  const named = z.registry<{ id: string }>();
  named.add(BotReply, { id: 'Reply' });
  return {
    ...z.toJSONSchema(BrandConfig, {
      ...options,
      // A reply appears in a dozen places: once under `$defs`, referenced from each.
      metadata: named,
      override: ({ zodSchema, jsonSchema }) => {
        if (zodSchema === BotReply) Object.assign(jsonSchema, reply);
      },
    }),
    title: 'bm-pipeline brand configuration',
    description:
      'A brand’s bot configuration (brands/{brandId} in Firestore). Generated by `bm-ops brands schema`; `bm-ops brands validate FILE` checks everything, cross-field rules included.',
  };
}

/** Fields the bot sets on every message: a brand's reply may not. */
const BOT_OWNED_FIELDS = ['name', 'messageId', 'representative'];

function withoutFields(schema: Record<string, unknown>, names: readonly string[]) {
  const properties = { ...(schema.properties as Record<string, unknown> | undefined) };
  for (const name of names) delete properties[name];
  const required = Array.isArray(schema.required)
    ? (schema.required as unknown[]).filter((r) => typeof r !== 'string' || !names.includes(r))
    : undefined;
  return { ...schema, properties, ...(required ? { required } : {}) };
}

function schema(): Promise<Outcome> {
  const document = brandJsonSchema();
  return Promise.resolve({ json: document, text: `${JSON.stringify(document, null, 2)}\n` });
}

export const brands: Noun = {
  name: 'brands',
  summary: 'brand configurations',
  verbs: [
    {
      name: 'validate',
      summary: 'check a brand file with the schema the functions use; each error names its field',
      args: ['FILE'],
      offline: true,
      examples: ['bm-ops brands validate functions/local/sample-brand/velo-cafe.json'],
      run: validate,
    },
    {
      name: 'push',
      summary: 'validate a brand file, show what changes against the stored brand, then write it',
      args: ['FILE'],
      destructive: true,
      examples: [
        'bm-ops brands push velo-cafe.json --dry-run',
        'bm-ops brands push velo-cafe.json --yes',
      ],
      run: push,
    },
    {
      name: 'pull',
      summary: 'print a stored brand document as JSON (the file to edit and push back)',
      args: ['ID'],
      examples: ['bm-ops brands pull velo-cafe > velo-cafe.json'],
      run: pull,
    },
    { name: 'list', summary: 'the stored brands, and whether each is valid', run: list },
    {
      name: 'schema',
      summary: 'print the JSON Schema of a brand file, for editors to complete and check',
      offline: true,
      examples: ['bm-ops brands schema > brand.schema.json'],
      run: schema,
    },
  ],
};
