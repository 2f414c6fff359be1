import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ensurePostgres } from './postgres';
import { stackProfile } from './profile';

const run = promisify(execFile);

// Debian's local cluster, as the stack uses it; the profile is only a source of a database name
// of its own, so nothing here touches the suite's Medusa database.
const profile = stackProfile('pg-orphans', { HUB_PORT_OFFSET: '23000' });
const database = profile.medusaDatabase;
const now = new Date('2026-11-27T10:43:44Z');
const setAsideName = `${database}_orphan_20261127104344`;

async function sql(port: string, db: string, statement: string): Promise<string> {
  const { stdout } = await run('runuser', ['-u', 'postgres', '--', 'psql', '-p', port, '-d', db, '-v', 'ON_ERROR_STOP=1', '-tAq', '-c', statement], { cwd: '/' });
  return stdout.trim();
}

async function clusterPort(): Promise<string> {
  const { databaseUrl } = await ensurePostgres(profile, { existingIsOrphan: false, orphans: 'drop' });
  return new URL(databaseUrl).port;
}

async function dropAll(port: string): Promise<void> {
  for (const db of [database, setAsideName]) await sql(port, 'postgres', `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
}

describe('the local PostgreSQL database of a profile', () => {
  let port: string;

  beforeAll(async () => {
    port = await clusterPort();
  });
  beforeEach(() => dropAll(port));
  afterAll(() => dropAll(port));

  async function databaseWithATable(): Promise<void> {
    await ensurePostgres(profile, { existingIsOrphan: false, orphans: 'drop' });
    await sql(port, database, 'CREATE TABLE kept (id int); INSERT INTO kept VALUES (1)');
  }

  test('is kept across starts that reuse its data dir', async () => {
    await databaseWithATable();
    const again = await ensurePostgres(profile, { existingIsOrphan: false, orphans: 'drop' });
    expect(again.orphan).toBeUndefined();
    expect(await sql(port, database, 'SELECT count(*) FROM kept')).toBe('1');
  });

  test('left by a checkout whose data dir is gone, is dropped for test data and created afresh', async () => {
    await databaseWithATable();
    const fresh = await ensurePostgres(profile, { existingIsOrphan: true, orphans: 'drop' });
    expect(fresh.orphan).toEqual({ action: 'drop' });
    expect(await sql(port, database, `SELECT count(*) FROM pg_tables WHERE tablename = 'kept'`)).toBe('0');
  });

  test("left by a checkout whose data dir is gone, is set aside for a developer's store and created afresh", async () => {
    await databaseWithATable();
    const fresh = await ensurePostgres(profile, { existingIsOrphan: true, orphans: 'set-aside', now });
    expect(fresh.orphan).toEqual({ action: 'set-aside', renamedTo: setAsideName });
    expect(await sql(port, database, `SELECT count(*) FROM pg_tables WHERE tablename = 'kept'`)).toBe('0');
    expect(await sql(port, setAsideName, 'SELECT count(*) FROM kept')).toBe('1');
  });

  test('that does not exist yet is simply created, with nothing to set aside', async () => {
    const fresh = await ensurePostgres(profile, { existingIsOrphan: true, orphans: 'set-aside', now });
    expect(fresh.orphan).toBeUndefined();
    expect(await sql(port, 'postgres', `SELECT count(*) FROM pg_database WHERE datname = '${database}'`)).toBe('1');
  });
});
