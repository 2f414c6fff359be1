import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { holdFileLock } from './file-lock';
import { assertSafeName, ensureLocalCluster, psql, type LocalCluster } from './postgres';
import { spawnProcess, waitUntil, type RunningService } from './process';
import type { StackProfile } from './profile';

const run = promisify(execFile);

export type TrytonRole = 'erp' | 'wms';
const ROLES: readonly TrytonRole[] = ['erp', 'wms'];

/**
 * What each database activates (dependencies follow). The ERP sells: `web_shop` gives sales the
 * unique (shop, web_id) key that makes a Medusa order id idempotent. No `sale_shipment_cost`: it
 * would make every sale need a shipment cost method. The WMS only keeps stock.
 */
const MODULES: Record<TrytonRole, readonly string[]> = { erp: ['sale', 'web_shop'], wms: ['stock', 'stock_package'] };

/** Bump when the templates must be rebuilt for a reason neither the requirements nor the set-up script show. */
const TEMPLATE_VERSION = 1;

/** The hub's own user: its writes carry its uid, which is how the connector tells its echoes apart. */
const HUB_LOGIN = 'hub';

/** What the set-up script reports for each database (src/stack/tryton_setup.py). */
interface SetupReport {
  company: string;
  warehouse: string;
  hubUserId: number;
  adminUserId: number;
  webShop?: string;
  customer?: string;
}

/** What one start did to one of the profile's databases. */
export interface TrytonDatabaseStart {
  name: string;
  /** The template it is cloned from: shared by every profile on this machine's PostgreSQL. */
  template: string;
  /** This start built the template (about 90 s) rather than finding it. */
  templateBuilt: boolean;
  /** This start cloned the database from the template (a fresh one), rather than keeping the one there. */
  cloned: boolean;
  hubUserId: number;
  adminUserId: number;
}

export interface TrytonService extends RunningService {
  /** Absent for an existing Tryton (TRYTON_URL), which is used as it is. */
  readonly databases?: Record<TrytonRole, TrytonDatabaseStart>;
}

export interface StartTrytonOptions {
  /** Copy trytond's output to our stdout (the interactive stack); it always goes to a log file. */
  echo?: boolean;
  /** The `hub` user's password in both databases (the stack's secrets). */
  hubPassword: string;
  /** Tryton's `admin`, for a person with a Tryton client; nothing in the hub uses it. */
  adminPassword: string;
  /**
   * Keep the databases across starts (a developer's data), or clone them afresh from the template
   * on every start, so a test sees a clean ERP and WMS. Default: kept for the dev profile only.
   */
  keepData?: boolean;
}

/**
 * Tryton 8.2 for the hub: one trytond on the profile's port serving two databases on the local
 * PostgreSQL, the ERP (sales, web shop) and the WMS (stock only). With TRYTON_URL set, that Tryton
 * is used as it is and nothing starts.
 *
 * Activating the modules takes about 90 s, so it happens once per machine and module set: into a
 * template database, set up and then never served, that each profile's databases are cloned from
 * in a second (CREATE DATABASE … TEMPLATE). The set-up script runs again on every start; it finds
 * everything in place and only sets this profile's passwords, which the shared template cannot hold.
 */
export async function startTryton(profile: StackProfile, opts: StartTrytonOptions): Promise<TrytonService> {
  if (process.env.TRYTON_URL) return useExistingTryton();

  const tools = trytonTools(profile.repoRoot);
  const stateDir = join(profile.dataDir, 'tryton');
  mkdirSync(stateDir, { recursive: true });
  mkdirSync(profile.logDir, { recursive: true });
  const baseUrl = `http://127.0.0.1:${profile.ports.tryton}`;
  // A trytond left from an earlier run would answer with other databases and passwords.
  if (await serverAnswers(baseUrl)) {
    throw new Error(`something already answers on ${baseUrl}: stop it, or set TRYTON_URL (and TRYTON_USER, TRYTON_PASSWORD, TRYTON_ERP_DATABASE, TRYTON_WMS_DATABASE) to use it`);
  }

  const cluster = await ensureLocalCluster('set TRYTON_URL to an existing Tryton');
  const conf = writeConfig(stateDir, cluster, profile.ports.tryton);
  const setupLog = join(profile.logDir, 'tryton-setup.log');
  const keep = opts.keepData ?? profile.name === 'dev';
  const names: Record<TrytonRole, string> = { erp: profile.trytonErpDatabase, wms: profile.trytonWmsDatabase };

  // Both templates build at once: the WMS's half a minute hides inside the ERP's minute and a half.
  // allSettled: a failed ERP build must not leave the WMS's running on unseen.
  const settled = await Promise.allSettled(
    ROLES.map(async (role) => {
      const template = templateName(tools, role);
      const templateBuilt = await ensureTemplate({ tools, cluster, conf, stateDir, role, template, log: setupLog });
      const cloned = await ensureDatabase({ tools, cluster, conf, role, template, database: names[role], keep, log: setupLog });
      return { role, template, templateBuilt, cloned };
    }),
  );
  const prepared = settled.map((r) => {
    if (r.status === 'rejected') throw r.reason;
    return r.value;
  });
  const proc = spawnProcess({
    name: 'tryton',
    command: tools.trytond,
    // Only the profile's databases: a template must never get a connection, or cloning it fails.
    args: ['-c', conf, '-d', names.erp, names.wms],
    cwd: stateDir,
    logFile: join(profile.logDir, 'tryton.log'),
    // Only to the log file: trytond logs every request, and the pollers alone make ~80 a minute,
    // which would scroll everything else off the stack's terminal.
    echo: false,
  });
  let reports: Record<TrytonRole, SetupReport>;
  try {
    // The set-up runs while trytond boots (a few seconds each): Tryton's caches are invalidated
    // across processes through the database, as with several workers, and nothing logs in
    // before both are done.
    [reports] = await Promise.all([
      runSetup(tools, conf, names, setupLog, { TRYTON_HUB_PASSWORD: opts.hubPassword, TRYTON_ADMIN_PASSWORD: opts.adminPassword }),
      waitUntil('tryton', () => serverAnswers(baseUrl), { timeoutMs: 120_000, process: proc }),
    ]);
    // Once per database, not polled: five failed logins would lock the user out for a while.
    for (const role of ROLES) {
      const uid = await trytonLogin(baseUrl, names[role], HUB_LOGIN, opts.hubPassword).catch((err: unknown) => {
        throw new Error(`tryton: the hub user cannot log in to ${names[role]} (${String(err)}); see ${proc.logFile} and ${setupLog}`);
      });
      if (uid !== reports[role].hubUserId) throw new Error(`tryton: ${HUB_LOGIN} logged in to ${names[role]} as uid ${uid}, the set-up reported ${reports[role].hubUserId}`);
    }
  } catch (err) {
    await proc.stop();
    throw err;
  }
  const done = reports;
  const databases = Object.fromEntries(
    prepared.map(({ role, ...rest }) => [role, { name: names[role], ...rest, hubUserId: done[role].hubUserId, adminUserId: done[role].adminUserId }]),
  ) as Record<TrytonRole, TrytonDatabaseStart>;

  return {
    name: 'tryton',
    databases,
    env: {
      TRYTON_URL: baseUrl,
      TRYTON_ERP_DATABASE: names.erp,
      TRYTON_WMS_DATABASE: names.wms,
      TRYTON_USER: HUB_LOGIN,
      TRYTON_PASSWORD: opts.hubPassword,
      TRYTON_WEB_SHOP: required(reports.erp.webShop, 'webShop'),
      TRYTON_WAREHOUSE: reports.wms.warehouse,
      // Not TRYTON_CUSTOMER: its name ("Medusa customer", the config's default) has a space, and
      // scripts source stack.env with the shell, which would run "customer" as a command.
      TRYTON_LOG_FILE: proc.logFile,
    },
    stop: () => proc.stop(),
  };
}

function useExistingTryton(): TrytonService {
  // Passed on as they are; src/config says which of them a connector needs.
  const env = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[0].startsWith('TRYTON_') && e[1] !== undefined));
  return { name: 'tryton', env, stop: async () => {} };
}

interface TrytonTools {
  python: string;
  trytond: string;
  trytondAdmin: string;
  setupScript: string;
  requirements: string;
}

function trytonTools(repoRoot: string): TrytonTools {
  const bin = join(repoRoot, '.tools', 'tryton-venv', 'bin');
  const tools = {
    python: join(bin, 'python'),
    trytond: join(bin, 'trytond'),
    trytondAdmin: join(bin, 'trytond-admin'),
    setupScript: join(repoRoot, 'src', 'stack', 'tryton_setup.py'),
    requirements: join(repoRoot, 'scripts', 'tryton-requirements.txt'),
  };
  if (!existsSync(tools.trytond)) throw new Error(`Tryton is not installed (${tools.trytond} is missing): run scripts/bootstrap.sh`);
  return tools;
}

/**
 * Named after everything that shapes its content (Tryton's versions, the modules, the set-up), so a
 * change to any of them builds a new template instead of cloning a stale one.
 */
export function templateName(tools: Pick<TrytonTools, 'requirements' | 'setupScript'>, role: TrytonRole): string {
  const hash = createHash('sha256')
    .update(readFileSync(tools.requirements))
    .update(`\0${MODULES[role].join(' ')}\0${TEMPLATE_VERSION}\0`)
    .update(readFileSync(tools.setupScript))
    .digest('hex')
    .slice(0, 10);
  return `hub_tpl_tryton_${role}_${hash}`;
}

/** Written on every start: the PostgreSQL password or the port may have changed since the last. */
function writeConfig(stateDir: string, cluster: LocalCluster, port: number): string {
  const file = join(stateDir, 'trytond.conf');
  const uri = `postgresql://${cluster.role}:${encodeURIComponent(cluster.password)}@127.0.0.1:${cluster.port}/`;
  const text = [
    '# Written by src/stack/tryton.ts on every start of the stack: edits here are lost.',
    '[database]',
    `uri = ${uri}`,
    // Attachments; the default would be ~/db, outside the profile's data.
    `path = ${join(stateDir, 'files')}`,
    '[web]',
    `listen = 127.0.0.1:${port}`,
    '',
  ].join('\n');
  writeFileSync(file, text, { mode: 0o600 });
  return file;
}

async function databaseExists(cluster: LocalCluster, name: string): Promise<boolean> {
  return (await psql(cluster.port, 'postgres', `SELECT 1 FROM pg_database WHERE datname = '${name}'`)).trim() === '1';
}

/**
 * Builds the template unless it is there: activation, then the set-up without passwords (nobody
 * can log in to a template). Built under another name and renamed when complete, so an interrupted
 * build never passes for a template. Under a machine-wide lock, since every profile (and checkout)
 * on this PostgreSQL shares the template. Returns whether it built.
 */
async function ensureTemplate(args: {
  tools: TrytonTools;
  cluster: LocalCluster;
  conf: string;
  stateDir: string;
  role: TrytonRole;
  template: string;
  log: string;
}): Promise<boolean> {
  const { tools, cluster, conf, stateDir, role, template, log } = args;
  assertSafeName(template);
  if (await databaseExists(cluster, template)) return false;
  const release = await holdFileLock(join(tmpdir(), 'hub-tryton-templates', `${template}.lock`), 15 * 60_000);
  try {
    // Another start may have built it while we waited for the lock.
    if (await databaseExists(cluster, template)) return false;
    const building = `${template}_build`;
    const sql = (statement: string) => psql(cluster.port, 'postgres', statement);
    await sql(`DROP DATABASE IF EXISTS ${building} WITH (FORCE)`);
    await sql(`CREATE DATABASE ${building} OWNER ${cluster.role} ENCODING 'UTF8' TEMPLATE template0`);
    // trytond-admin reads the new admin's password from a file, at the very end. A throwaway: each
    // profile sets its own. One per template, as both build at once.
    const passFile = join(stateDir, `.${building}.pass`);
    writeFileSync(passFile, `${randomBytes(24).toString('base64url')}\n`, { mode: 0o600 });
    const startedAt = Date.now();
    try {
      await runLogged(
        `trytond-admin (${role} template)`,
        tools.trytondAdmin,
        // --email: without it the first activation asks for one, and with no terminal it leaves no admin.
        ['-c', conf, '-d', building, '-u', ...MODULES[role], '--activate-dependencies', '--email', 'admin@example.com'],
        { TRYTONPASSFILE: passFile },
        log,
      );
    } finally {
      rmSync(passFile, { force: true });
    }
    await runSetup(tools, conf, { [role]: building }, log, {});
    await sql(`ALTER DATABASE ${building} RENAME TO ${template}`);
    // A template nobody can connect to can always be cloned: CREATE DATABASE … TEMPLATE fails
    // while any session is open on it.
    await sql(`ALTER DATABASE ${template} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`);
    appendFileSync(log, `[hub] built ${template} in ${((Date.now() - startedAt) / 1000).toFixed(1)}s\n`);
    await dropOtherTemplates(cluster, role, template, log);
    return true;
  } finally {
    await release();
  }
}

/** Templates of earlier versions: nothing clones them any more, and each holds tens of megabytes. */
async function dropOtherTemplates(cluster: LocalCluster, role: TrytonRole, keep: string, log: string): Promise<void> {
  const stale = (await psql(cluster.port, 'postgres', `SELECT datname FROM pg_database WHERE datname LIKE 'hub\\_tpl\\_tryton\\_${role}\\_%' AND datname <> '${keep}' AND datname NOT LIKE '%\\_build'`))
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  for (const name of stale) {
    assertSafeName(name);
    await psql(cluster.port, 'postgres', `ALTER DATABASE ${name} WITH IS_TEMPLATE false`);
    await psql(cluster.port, 'postgres', `DROP DATABASE IF EXISTS ${name}`);
    appendFileSync(log, `[hub] dropped ${name}, a template of another version\n`);
  }
}

/**
 * The profile's database: cloned afresh (tests), or cloned only when missing (dev). A kept database
 * cloned from an older template has its modules updated to today's. Returns whether it cloned.
 */
async function ensureDatabase(args: {
  tools: TrytonTools;
  cluster: LocalCluster;
  conf: string;
  role: TrytonRole;
  template: string;
  database: string;
  keep: boolean;
  log: string;
}): Promise<boolean> {
  const { tools, cluster, conf, role, template, database, keep, log } = args;
  assertSafeName(database);
  const sql = (statement: string) => psql(cluster.port, 'postgres', statement);
  if (!keep) await sql(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  // The comment records the template, for the update check of a kept database.
  const origin = `cloned from ${template}`;
  if (!(await databaseExists(cluster, database))) {
    await sql(`CREATE DATABASE ${database} OWNER ${cluster.role} TEMPLATE ${template}`);
    await sql(`COMMENT ON DATABASE ${database} IS '${origin}'`);
    return true;
  }
  const comment = (await sql(`SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '${database}'`)).trim();
  if (comment !== origin) {
    // `--all` updates every activated module to the installed code; -u activates new ones.
    await runLogged(`trytond-admin (update ${database})`, tools.trytondAdmin, ['-c', conf, '-d', database, '-u', ...MODULES[role], '--all', '--activate-dependencies'], {}, log);
    await sql(`COMMENT ON DATABASE ${database} IS '${origin}'`);
  }
  return false;
}

/** Runs tryton_setup.py on the given databases; returns what it found in each. */
async function runSetup(
  tools: TrytonTools,
  conf: string,
  databases: Partial<Record<TrytonRole, string>>,
  log: string,
  passwords: Record<string, string>,
): Promise<Record<TrytonRole, SetupReport>> {
  const specs = Object.entries(databases).map(([role, name]) => `${role}=${name}`);
  const stdout = await runLogged(`tryton set-up (${specs.join(' ')})`, tools.python, [tools.setupScript, conf, ...specs], passwords, log);
  const last = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as Record<TrytonRole, SetupReport>;
}

/** Runs a Tryton tool to its end; its output goes to `log`, and its tail into the error when it fails. */
async function runLogged(what: string, command: string, args: string[], env: Record<string, string>, log: string): Promise<string> {
  const startedAt = Date.now();
  appendFileSync(log, `[hub] ${what}\n`);
  try {
    // stdin is /dev/null: trytond-admin must never wait on a prompt.
    const child = run(command, args, { env: { ...process.env, ...env }, timeout: 15 * 60_000, maxBuffer: 64 * 1024 * 1024 });
    child.child.stdin?.end();
    const { stdout, stderr } = await child;
    appendFileSync(log, `${stderr}${stdout}[hub] ${what} took ${((Date.now() - startedAt) / 1000).toFixed(1)}s\n`);
    return stdout;
  } catch (err) {
    const output = typeof err === 'object' && err !== null && 'stderr' in err ? String(err.stderr) : '';
    appendFileSync(log, `${output}[hub] ${what} failed: ${String(err)}\n`);
    throw new Error(`${what} failed; see ${log}:\n${output.slice(-2000)}`);
  }
}

/** The server answers JSON-RPC at all (no database needed). */
async function serverAnswers(baseUrl: string): Promise<boolean> {
  try {
    const res = await fetch(`${baseUrl}/rpc/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 0, method: 'common.server.version', params: [] }),
      signal: AbortSignal.timeout(2_000),
    });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/** Logs in over JSON-RPC; resolves with the user's id. A refused login is an error (HTTP 401, an HTML page). */
export async function trytonLogin(baseUrl: string, database: string, login: string, password: string): Promise<number> {
  const res = await fetch(`${baseUrl}/${database}/rpc/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: 1, method: 'common.db.login', params: [login, { password }, 'en'] }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const body = JSON.parse(text) as { result?: [number, string, unknown]; error?: unknown };
  if (!body.result) throw new Error(`login refused: ${JSON.stringify(body.error)}`);
  return body.result[0];
}

function required(value: string | undefined, what: string): string {
  if (!value) throw new Error(`tryton set-up reported no ${what}`);
  return value;
}
