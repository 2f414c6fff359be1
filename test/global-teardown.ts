import type { Stack } from '../src/stack/stack';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __hubStack?: Stack }).__hubStack?.stop();
}
