import { stackProfile, type StackProfile } from '../../src/stack/profile';

/** Reads what test/global-setup.ts exported, with a clear message when a suite needs more. */
export function requireEnv(...names: string[]): Record<string, string> {
  const missing = names.filter((n) => !process.env[n]);
  if (missing.length) {
    throw new Error(
      `This suite needs ${missing.join(', ')}, which test/global-setup.ts sets when it starts the matching services ` +
        `(started: ${process.env.HUB_TEST_SERVICES_STARTED ?? 'none'}). Unset HUB_TEST_SERVICES to start all of them.`,
    );
  }
  return Object.fromEntries(names.map((n) => [n, process.env[n]!]));
}

/** The profile test/global-setup.ts started, for suites that start a service of their own beside it. */
export function testProfile(): StackProfile {
  return stackProfile(process.env.HUB_TEST_PROFILE ?? 'test');
}
