/**
 * A stand-in for a stack's supervisor (scripts/start.sh's node process, or jest), for
 * supervision.test.ts: it claims the profile named in argv, starts one detached service that
 * sleeps, prints that service's pid and waits to be signalled or killed.
 */
import { join } from 'node:path';
import { spawnProcess } from '../../src/stack/process';
import { stackProfile } from '../../src/stack/profile';
import { claimStack, stopOnSignals } from '../../src/stack/supervision';

const [profileName, offset] = process.argv.slice(2);
if (!profileName || !offset) throw new Error('usage: supervisor.ts <profile> <port offset>');
const profile = stackProfile(profileName, { HUB_PORT_OFFSET: offset });
claimStack(profile);
stopOnSignals(() => undefined);
const service = spawnProcess({ name: 'sleeper', command: 'sleep', args: ['600'], logFile: join(profile.logDir, 'sleeper.log') });
process.stdout.write(`${service.child.pid}\n`);
setInterval(() => {}, 60_000);
