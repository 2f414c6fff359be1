import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { StackProfile } from './profile';
import { OWNER_ENV } from './supervision';

const run = promisify(execFile);

/** Debian's cluster that scripts/bootstrap.sh installs; pg_lsclusters names it "15 main". */
const CLUSTER_VERSION = '15';
const CLUSTER_NAME = 'main';
const ROLE = 'hub';
/**
 * The cluster listens on localhost only (Debian's default) and holds nothing but local dev/test
 * data, so a fixed password is enough. It is not kept per profile because the role is shared by
 * the dev and test databases in one cluster; HUB_POSTGRES_PASSWORD overrides it.
 */
const DEFAULT_PASSWORD = 'hub-local-dev';

/**
 * What to do with a database of the profile's name that the caller knows is not its own: one left
 * by an earlier checkout at the same path whose data dir (and so its Medusa admin password) is gone.
 * `set-aside` renames it, so a developer's store can still be recovered by hand; `drop` removes it,
 * for test and bench data that nothing else refers to.
 */
export type OrphanPolicy = 'set-aside' | 'drop';

export interface EnsurePostgresOptions {
  /** The caller has just created the secrets this database will be set up with, so any database already there is an orphan. */
  existingIsOrphan: boolean;
  orphans: OrphanPolicy;
  /** For the set-aside name; a parameter so tests can pin it. */
  now?: Date;
}

/**
 * A database for the profile's Medusa. With DATABASE_URL set (an existing PostgreSQL) nothing is
 * touched. Otherwise Debian's local cluster is started if it is down, and the role and database
 * are created when missing, so this is cheap to call on every start.
 */
export async function ensurePostgres(profile: StackProfile, opts: EnsurePostgresOptions): Promise<{ databaseUrl: string; orphan?: { action: OrphanPolicy; renamedTo?: string } }> {
  const given = process.env.DATABASE_URL;
  if (given) return { databaseUrl: given };

  const database = profile.medusaDatabase;
  assertSafeName(database);
  const { port, password } = await ensureLocalCluster('set DATABASE_URL');
  const exists = async () => (await psql(port, 'postgres', `SELECT 1 FROM pg_database WHERE datname = '${database}'`)).trim() === '1';
  let orphan: { action: OrphanPolicy; renamedTo?: string } | undefined;
  if (opts.existingIsOrphan && (await exists())) {
    // Kept, it would fail later with "Invalid email or password" when the stack logs in as admin
    // with the new secrets. WITH (FORCE) ends sessions a stray process may still hold.
    if (opts.orphans === 'drop') {
      await psql(port, 'postgres', `DROP DATABASE ${database} WITH (FORCE)`);
      orphan = { action: 'drop' };
    } else {
      const stamp = (opts.now ?? new Date()).toISOString().replace(/\D/g, '').slice(0, 14);
      // PostgreSQL cuts names at 63 bytes; the suffix is 22.
      const renamedTo = `${database.slice(0, 63 - 22)}_orphan_${stamp}`;
      await psql(port, 'postgres', `ALTER DATABASE ${database} RENAME TO ${renamedTo}`);
      orphan = { action: 'set-aside', renamedTo };
    }
  }
  // CREATE DATABASE cannot run inside DO; check first, and accept losing a race to another
  // process that created it in between (two test workers, or dev and test starting together).
  if (!(await exists())) {
    try {
      await psql(port, 'postgres', `CREATE DATABASE ${database} OWNER ${ROLE}`);
    } catch (err) {
      if (!/already exists/.test(String(err))) throw err;
    }
  }
  return { databaseUrl: `postgres://${ROLE}:${encodeURIComponent(password)}@localhost:${port}/${database}`, orphan };
}

/** Database names go into SQL unquoted; the profile only ever yields this shape. */
export function assertSafeName(database: string): void {
  if (!/^[a-z_][a-z0-9_]*$/.test(database)) throw new Error(`unsafe database name ${JSON.stringify(database)}`);
}

export interface LocalCluster {
  port: number;
  /** The role every service's database belongs to: it has CREATEDB, and is no superuser. */
  role: string;
  password: string;
}

/**
 * Debian's local cluster, started if it is down, with the `hub` role at today's password: cheap
 * to call on every start. `alternative` completes the error message for a machine without root.
 */
export async function ensureLocalCluster(alternative: string): Promise<LocalCluster> {
  if (process.getuid?.() !== 0) {
    throw new Error(`starting the local PostgreSQL needs root (it runs psql as the postgres user); run as root or ${alternative}`);
  }
  const password = process.env.HUB_POSTGRES_PASSWORD || DEFAULT_PASSWORD;
  // Medusa and Tryton start in parallel: they share one preparation while it runs, since two
  // ALTER ROLEs at once can fail with "tuple concurrently updated". Only while it runs: a later
  // start checks the cluster afresh.
  let pending = preparing.get(password);
  if (!pending) {
    pending = prepareCluster(password).finally(() => preparing.delete(password));
    preparing.set(password, pending);
  }
  return pending;
}

const preparing = new Map<string, Promise<LocalCluster>>();

async function prepareCluster(password: string): Promise<LocalCluster> {
  const port = await ensureClusterRunning();
  const pw = sqlLiteral(password);
  // ALTER as well as CREATE so a role left from an older run ends up with today's password.
  const ensureRole = () =>
    psql(
      port,
      'postgres',
      `DO $$ BEGIN
         IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${ROLE}') THEN
           CREATE ROLE ${ROLE} WITH LOGIN CREATEDB PASSWORD ${pw};
         ELSE
           ALTER ROLE ${ROLE} WITH LOGIN CREATEDB PASSWORD ${pw};
         END IF;
       END $$;`,
    );
  try {
    await ensureRole();
  } catch (err) {
    // Another process (a second test run) did the same at the same moment; once more wins.
    if (!/already exists|concurrently updated|duplicate key/.test(String(err))) throw err;
    await ensureRole();
  }
  return { port, role: ROLE, password };
}

/** Starts the cluster when it is down; resolves with its port. */
async function ensureClusterRunning(): Promise<number> {
  let cluster = await readCluster();
  if (!cluster.online) {
    try {
      // --skip-systemctl-redirect: there is no systemd here (containers, CI), and pg_ctlcluster
      // would otherwise hand the start to systemctl.
      // Without the stack's owner tag: the cluster is shared by every profile and outlives this
      // stack, so neither stopping the stack nor sweeping its leftovers may take it down.
      const { [OWNER_ENV]: _owner, ...env } = process.env;
      await run('pg_ctlcluster', ['--skip-systemctl-redirect', CLUSTER_VERSION, CLUSTER_NAME, 'start'], { timeout: 60_000, env });
    } catch (err) {
      // Another process may have started it meanwhile; only a cluster still down is an error.
      cluster = await readCluster();
      if (!cluster.online) {
        throw new Error(
          `could not start PostgreSQL ${CLUSTER_VERSION}/${CLUSTER_NAME}: ${errorText(err)}; see /var/log/postgresql/postgresql-${CLUSTER_VERSION}-${CLUSTER_NAME}.log`,
        );
      }
    }
  }
  return cluster.port;
}

async function readCluster(): Promise<{ online: boolean; port: number }> {
  let stdout: string;
  try {
    ({ stdout } = await run('pg_lsclusters', ['--no-header'], { timeout: 15_000 }));
  } catch (err) {
    if (isNotInstalled(err)) {
      throw new Error('PostgreSQL is not installed (pg_lsclusters not found). Run scripts/bootstrap.sh, which installs it, or set DATABASE_URL to an existing database.');
    }
    throw err;
  }
  // Columns: Ver Cluster Port Status Owner Datadir Logfile; Status may read "online,recovery".
  const line = stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .find((cols) => cols[0] === CLUSTER_VERSION && cols[1] === CLUSTER_NAME);
  if (!line) {
    throw new Error(`PostgreSQL cluster ${CLUSTER_VERSION}/${CLUSTER_NAME} does not exist. Run scripts/bootstrap.sh, or set DATABASE_URL.`);
  }
  return { online: (line[3] ?? '').startsWith('online'), port: Number(line[2]) };
}

/** Runs `sql` as the postgres superuser, for what the `hub` role may not do (roles, databases of other owners). */
export async function psql(port: number, database: string, sql: string): Promise<string> {
  try {
    const { stdout } = await run(
      'runuser',
      ['-u', 'postgres', '--', 'psql', '-p', String(port), '-d', database, '-v', 'ON_ERROR_STOP=1', '-tAq', '-c', sql],
      // cwd: runuser keeps ours, and the postgres user cannot read /root, which psql warns about.
      { timeout: 60_000, cwd: '/' },
    );
    return stdout;
  } catch (err) {
    throw new Error(`psql failed: ${errorText(err)}`);
  }
}

function sqlLiteral(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

function isNotInstalled(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === 'ENOENT';
}

function errorText(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'stderr' in err && typeof err.stderr === 'string' && err.stderr.trim()) {
    return err.stderr.trim();
  }
  return err instanceof Error ? err.message : String(err);
}
