import Medusa, { FetchError } from '@medusajs/js-sdk';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ensureOrderCommerce, orderCommerceEnv } from './medusa-commerce';
import { ensurePostgres } from './postgres';
import { httpAnswers, spawnProcess, waitUntil, type RunningService } from './process';
import type { StackProfile } from './profile';

export interface StartMedusaOptions {
  /** Copy Medusa's output to our stdout (the interactive stack); it always goes to a log file. */
  echo?: boolean;
  /** Where the hub-forwarder subscriber posts events; without it the subscriber stays idle. */
  hubWebhookUrl?: string;
  /** `whsec_<base64>` shared with the bridge that verifies the signatures. */
  hubWebhookSecret?: string;
  /** The events the subscriber forwards (HUB_FORWARD_EVENTS); all it knows when absent. */
  hubForwardEvents?: readonly string[];
  /**
   * Start our own Medusa even when MEDUSA_BACKEND_URL/MEDUSA_API_KEY name an existing one: for a
   * test that must choose where the instance's subscriber posts (pair it with another port).
   */
  alwaysStart?: boolean;
}

const ADMIN_EMAIL = 'admin@hub.local';
const API_KEY_TITLE = 'integration hub';

interface Secrets {
  jwtSecret: string;
  cookieSecret: string;
  adminPassword: string;
}

interface StoredApiKey {
  id: string;
  token: string;
  /** The database the key lives in: a key from another database is not even worth a probe. */
  database: string;
}

interface MigrationMarker {
  medusaVersion: string;
  database: string;
}

/**
 * Medusa for the hub: either an existing one (MEDUSA_BACKEND_URL and MEDUSA_API_KEY set, nothing
 * is started) or the app in apps/medusa on the profile's port and database. Every one-time step
 * (migration, admin user, API key, commerce defaults) checks before it acts, so a second start
 * costs only Medusa's own boot.
 */
export async function startMedusa(profile: StackProfile, opts: StartMedusaOptions = {}): Promise<RunningService> {
  const existingUrl = process.env.MEDUSA_BACKEND_URL;
  const existingKey = process.env.MEDUSA_API_KEY;
  if (existingUrl && existingKey && !opts.alwaysStart) return useExistingMedusa(existingUrl, existingKey);

  const appDir = join(profile.repoRoot, 'apps', 'medusa');
  const medusaBin = join(appDir, 'node_modules', '.bin', 'medusa');
  if (!existsSync(medusaBin)) {
    throw new Error(`${medusaBin} is missing: run scripts/bootstrap.sh (or npm install in apps/medusa)`);
  }
  const stateDir = join(profile.dataDir, 'medusa');
  mkdirSync(stateDir, { recursive: true });
  mkdirSync(profile.logDir, { recursive: true });

  const baseUrl = `http://localhost:${profile.ports.medusa}`;
  // A server left over from an earlier run (or another program) would answer our probes with
  // the wrong database and secrets; fail loudly instead of half-working.
  if (await httpAnswers(`${baseUrl}/health`).catch(() => false)) {
    throw new Error(`something already answers on ${baseUrl}; stop it, or set MEDUSA_BACKEND_URL and MEDUSA_API_KEY to use it`);
  }

  // Two starts at once (parallel test files, or dev and a test) must neither migrate
  // concurrently nor each generate their own secrets.
  const lock = join(stateDir, 'setup.lock');
  const { databaseUrl, secrets, cliEnv } = await withLock(lock, async () => {
    // Secrets first: secrets created just now mean a database already under this profile's name
    // was set up with a password that is gone, so it is set aside (dev) or dropped (test data).
    const { secrets, created } = loadOrCreateSecrets(join(stateDir, 'secrets.json'));
    const { databaseUrl, orphan } = await ensurePostgres(profile, {
      existingIsOrphan: created,
      orphans: profile.name === 'dev' ? 'set-aside' : 'drop',
    });
    if (orphan) {
      const what = orphan.renamedTo ? `renamed it to ${orphan.renamedTo}` : 'dropped it';
      process.stdout.write(`[medusa] ${profile.medusaDatabase} was left by an earlier checkout whose data dir is gone; ${what} and starting afresh\n`);
    }
    const cliEnv = {
      DATABASE_URL: databaseUrl,
      MEDUSA_DISABLE_TELEMETRY: 'true',
      JWT_SECRET: secrets.jwtSecret,
      COOKIE_SECRET: secrets.cookieSecret,
    };
    const db = openDatabase(appDir, databaseUrl);
    try {
      await migrateIfNeeded({ profile, appDir, stateDir, db, env: cliEnv });
      if (!(await db.exists(`SELECT 1 FROM "user" WHERE email = $1 AND deleted_at IS NULL`, [ADMIN_EMAIL]))) {
        await createAdminUser(profile, appDir, cliEnv, secrets.adminPassword);
      }
    } finally {
      await db.close();
    }
    return { databaseUrl, secrets, cliEnv };
  });

  const cors = [`http://localhost:${profile.ports.medusa}`, `http://localhost:${profile.ports.bridge}`].join(',');
  const proc = spawnProcess({
    name: 'medusa',
    command: medusaBin,
    args: ['start'],
    cwd: appDir,
    logFile: join(profile.logDir, 'medusa.log'),
    echo: opts.echo,
    env: {
      ...cliEnv,
      PORT: String(profile.ports.medusa),
      STORE_CORS: cors,
      ADMIN_CORS: cors,
      AUTH_CORS: cors,
      // Fall back to our own environment so a developer can point a stack at another bridge.
      HUB_WEBHOOK_URL: opts.hubWebhookUrl ?? process.env.HUB_WEBHOOK_URL,
      HUB_WEBHOOK_SECRET: opts.hubWebhookSecret ?? process.env.HUB_WEBHOOK_SECRET,
      HUB_FORWARD_EVENTS: opts.hubForwardEvents?.join(',') ?? process.env.HUB_FORWARD_EVENTS,
    },
  });
  try {
    await waitUntil('Medusa', () => httpAnswers(`${baseUrl}/health`, [200]), { timeoutMs: 180_000, process: proc });
    const { apiKey, setup } = await withLock(lock, async () => {
      const apiKey = await ensureApiKey(baseUrl, join(stateDir, 'api-key.json'), databaseUrl, secrets.adminPassword);
      const sdk = new Medusa({ baseUrl, apiKey });
      const setup = await ensureCommerceDefaults(sdk, true);
      if (!setup.salesChannelId || !setup.shippingProfileId) {
        throw new Error('Medusa has no default sales channel or shipping profile, and creating them failed');
      }
      const ids = { salesChannelId: setup.salesChannelId, shippingProfileId: setup.shippingProfileId };
      return { apiKey, setup: { ...ids, ...(await ensureOrderCommerce(sdk, ids, true)) } };
    });
    return {
      name: 'medusa',
      env: {
        MEDUSA_BACKEND_URL: baseUrl,
        MEDUSA_API_KEY: apiKey,
        // The password stays in <dataDir>/medusa/secrets.json: workers use the API key only.
        MEDUSA_ADMIN_EMAIL: ADMIN_EMAIL,
        MEDUSA_SALES_CHANNEL_ID: setup.salesChannelId,
        MEDUSA_SHIPPING_PROFILE_ID: setup.shippingProfileId,
        ...orderCommerceEnv(setup),
        MEDUSA_LOG_FILE: proc.logFile,
      },
      stop: () => proc.stop(),
    };
  } catch (err) {
    await proc.stop();
    throw err;
  }
}

async function useExistingMedusa(baseUrl: string, apiKey: string): Promise<RunningService> {
  const env: Record<string, string> = { MEDUSA_BACKEND_URL: baseUrl, MEDUSA_API_KEY: apiKey };
  const given = { salesChannelId: process.env.MEDUSA_SALES_CHANNEL_ID, shippingProfileId: process.env.MEDUSA_SHIPPING_PROFILE_ID };
  // Someone else's store: look the defaults up, but never create anything in it.
  const found = given.salesChannelId && given.shippingProfileId ? given : await ensureCommerceDefaults(new Medusa({ baseUrl, apiKey }), false);
  if (found.salesChannelId) env.MEDUSA_SALES_CHANNEL_ID = found.salesChannelId;
  if (found.shippingProfileId) env.MEDUSA_SHIPPING_PROFILE_ID = found.shippingProfileId;
  if (found.salesChannelId && found.shippingProfileId) {
    const ids = { salesChannelId: found.salesChannelId, shippingProfileId: found.shippingProfileId };
    Object.assign(env, orderCommerceEnv(await ensureOrderCommerce(new Medusa({ baseUrl, apiKey }), ids, false)));
  }
  return { name: 'medusa', env, stop: async () => {} };
}

function loadOrCreateSecrets(file: string): { secrets: Secrets; created: boolean } {
  const kept = readJson<Secrets>(file);
  if (kept) return { secrets: kept, created: false };
  const secrets: Secrets = {
    jwtSecret: randomBytes(32).toString('hex'),
    cookieSecret: randomBytes(32).toString('hex'),
    adminPassword: randomBytes(18).toString('base64url'),
  };
  writeJson(file, secrets);
  return { secrets, created: true };
}

/**
 * Migration takes 15–30 s, so it runs only when the marker (Medusa version + database) is stale.
 * The marker alone is not trusted: a database dropped behind our back would leave it in place, so
 * a core table must exist as well.
 */
async function migrateIfNeeded(args: {
  profile: StackProfile;
  appDir: string;
  stateDir: string;
  db: Database;
  env: Record<string, string>;
}): Promise<void> {
  const { profile, appDir, stateDir, db, env } = args;
  const markerFile = join(stateDir, 'migrated.json');
  const wanted: MigrationMarker = { medusaVersion: medusaVersion(appDir), database: redactUrl(env.DATABASE_URL) };
  const marker = readJson<MigrationMarker>(markerFile);
  const markerMatches = marker?.medusaVersion === wanted.medusaVersion && marker.database === wanted.database;
  if (markerMatches && (await db.exists(`SELECT 1 FROM information_schema.tables WHERE table_schema = 'public' AND table_name = 'product'`))) {
    return;
  }
  await runCli(profile, appDir, env, ['db:migrate'], 'medusa-migrate.log', 'medusa db:migrate');
  writeJson(markerFile, wanted);
}

async function createAdminUser(profile: StackProfile, appDir: string, env: Record<string, string>, password: string): Promise<void> {
  try {
    await runCli(profile, appDir, env, ['user', '-e', ADMIN_EMAIL, '-p', password], 'medusa-user.log', 'medusa user');
  } catch (err) {
    // Another start may have created it between our check and the CLI's insert.
    if (!/already exists/i.test(String(err))) throw err;
  }
}

/** Runs a Medusa CLI command to completion; its output goes to a log file, quoted on failure. */
async function runCli(
  profile: StackProfile,
  appDir: string,
  env: Record<string, string>,
  args: string[],
  logName: string,
  what: string,
): Promise<void> {
  const logFile = join(profile.logDir, logName);
  const offset = existsSync(logFile) ? statSync(logFile).size : 0;
  const startedAt = Date.now();
  const proc = spawnProcess({ name: what, command: join(appDir, 'node_modules', '.bin', 'medusa'), args, cwd: appDir, env, logFile });
  const code = await proc.exited;
  // The stream closes right after exit; give it a tick so the tail we quote is complete.
  await new Promise((r) => setTimeout(r, 50));
  const output = readFileSync(logFile, 'utf8').slice(offset);
  if (code !== 0) {
    throw new Error(`${what} failed (exit ${code}); see ${logFile}:\n${output.slice(-2000)}`);
  }
  writeFileSync(logFile, `[hub] ${what} took ${((Date.now() - startedAt) / 1000).toFixed(1)}s\n`, { flag: 'a' });
}

/**
 * The hub authenticates with a secret API key rather than a JWT: it never expires, so a worker
 * holds one credential for its whole life. The key is kept between starts and probed; a key that
 * no longer works (database recreated, key revoked) is replaced.
 */
async function ensureApiKey(baseUrl: string, file: string, databaseUrl: string, adminPassword: string): Promise<string> {
  const database = redactUrl(databaseUrl);
  const stored = readJson<StoredApiKey>(file);
  if (stored && stored.database === database) {
    try {
      await new Medusa({ baseUrl, apiKey: stored.token }).admin.apiKey.retrieve(stored.id);
      return stored.token;
    } catch (err) {
      if (!(err instanceof FetchError && (err.status === 401 || err.status === 403 || err.status === 404))) throw err;
    }
  }
  const sdk = new Medusa({ baseUrl, auth: { type: 'jwt', jwtTokenStorageMethod: 'memory' } });
  try {
    await sdk.auth.login('user', 'emailpass', { email: ADMIN_EMAIL, password: adminPassword });
  } catch (err) {
    throw new Error(
      `cannot log in to Medusa as ${ADMIN_EMAIL} (${String(err)}): this database's admin was set up with another password than the one in secrets.json; with DATABASE_URL, point it at a database this data dir set up, or at an empty one`,
    );
  }
  const { api_key } = await sdk.admin.apiKey.create({ title: API_KEY_TITLE, type: 'secret' });
  writeJson(file, { id: api_key.id, token: api_key.token, database } satisfies StoredApiKey);
  return api_key.token;
}

/**
 * Products need a sales channel to be sold and a shipping profile to be shipped. Medusa creates
 * the default store, sales channel and shipping profile during migration or its first start; this
 * finds them and, on our own instance only, creates whichever is missing.
 */
async function ensureCommerceDefaults(
  sdk: Medusa,
  mayCreate: boolean,
): Promise<{ salesChannelId?: string; shippingProfileId?: string }> {
  const { stores } = await sdk.admin.store.list({ limit: 1 });
  const store = stores[0];
  let salesChannelId = store?.default_sales_channel_id ?? undefined;
  if (!salesChannelId) {
    const { sales_channels } = await sdk.admin.salesChannel.list({ limit: 1 });
    salesChannelId = sales_channels[0]?.id;
    if (!salesChannelId && mayCreate) {
      const { sales_channel } = await sdk.admin.salesChannel.create({ name: 'Default Sales Channel' });
      salesChannelId = sales_channel.id;
    }
    if (salesChannelId && store && mayCreate) {
      await sdk.admin.store.update(store.id, { default_sales_channel_id: salesChannelId });
    }
  }
  const { shipping_profiles } = await sdk.admin.shippingProfile.list({ type: 'default', limit: 1 });
  let shippingProfileId = shipping_profiles[0]?.id;
  if (!shippingProfileId && mayCreate) {
    const { shipping_profile } = await sdk.admin.shippingProfile.create({ name: 'Default Shipping Profile', type: 'default' });
    shippingProfileId = shipping_profile.id;
  }
  return { salesChannelId, shippingProfileId };
}

interface Database {
  exists(sql: string, params?: unknown[]): Promise<boolean>;
  close(): Promise<void>;
}

interface PgClient {
  connect(): Promise<void>;
  query(sql: string, params?: unknown[]): Promise<{ rowCount: number | null }>;
  end(): Promise<void>;
}

/**
 * A few read-only checks against Medusa's database. `pg` comes from the Medusa app's own
 * dependencies, so the hub needs no database driver of its own and works with any DATABASE_URL.
 */
function openDatabase(appDir: string, databaseUrl: string): Database {
  const pg = createRequire(join(appDir, 'package.json'))('pg') as { Client: new (opts: { connectionString: string }) => PgClient };
  let client: Promise<PgClient> | undefined;
  const connected = (): Promise<PgClient> =>
    (client ??= (async () => {
      const c = new pg.Client({ connectionString: databaseUrl });
      await c.connect();
      return c;
    })());
  return {
    async exists(sql, params) {
      try {
        const res = await (await connected()).query(sql, params);
        return (res.rowCount ?? 0) > 0;
      } catch (err) {
        // 42P01: relation missing, i.e. not migrated yet; for an existence check that is "no".
        if (typeof err === 'object' && err !== null && 'code' in err && err.code === '42P01') return false;
        throw err;
      }
    },
    async close() {
      if (client) await (await client).end();
    },
  };
}

/**
 * A cross-process lock: mkdir is atomic. The holder's pid is kept inside so a lock left by a
 * killed start is recognised and taken over instead of blocking every later start.
 */
async function withLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if (!(typeof err === 'object' && err !== null && 'code' in err && err.code === 'EEXIST')) throw err;
      if (lockHolderIsGone(dir)) {
        rmSync(dir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`${dir} is held by another start for more than 5 minutes`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function lockHolderIsGone(dir: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
  } catch {
    // No pid yet: normally a holder between mkdir and writing it; after a while, one that died
    // right there.
    const st = statSync(dir, { throwIfNoEntry: false });
    return st !== undefined && Date.now() - st.mtimeMs > 30_000;
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return typeof err === 'object' && err !== null && 'code' in err && err.code === 'ESRCH';
  }
}

function medusaVersion(appDir: string): string {
  const pkg = readJson<{ version: string }>(join(appDir, 'node_modules', '@medusajs', 'medusa', 'package.json'));
  if (!pkg) throw new Error(`@medusajs/medusa is not installed in ${appDir}`);
  return pkg.version;
}

/** Markers and key files identify a database without keeping its password a second time. */
function redactUrl(url: string): string {
  const u = new URL(url);
  u.password = '';
  return u.toString();
}

function readJson<T>(file: string): T | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    // A torn write from a killed start: treat it as absent and redo the step.
    return undefined;
  }
}

/** Write-then-rename, so a start killed mid-write never leaves half a JSON file. */
function writeJson(file: string, value: unknown): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}
