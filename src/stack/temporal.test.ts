import { mkdtempSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SA } from '../workflows/search-attributes';
import { repoRoot } from './profile';
import { loadTemporalDevConfig, resolveTemporalBinary, searchAttributeKeys } from './temporal';

describe('temporal-dev.yml', () => {
  test('registers exactly the search attributes the workflows write', () => {
    const declared = searchAttributeKeys(loadTemporalDevConfig(repoRoot)).map((k) => `${k.name}:${k.type}`).sort();
    const used = Object.values(SA).map((k) => `${k.name}:${k.type}`).sort();
    expect(declared).toEqual(used);
  });
});

describe('resolving the temporal CLI', () => {
  const fakeBinary = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'temporal-bin-'));
    const path = join(dir, 'temporal');
    writeFileSync(path, '#!/bin/sh\n');
    chmodSync(path, 0o755);
    return path;
  };

  test('TEMPORAL_CLI_PATH wins over PATH', () => {
    const explicit = fakeBinary();
    const onPath = fakeBinary();
    expect(resolveTemporalBinary(repoRoot, { TEMPORAL_CLI_PATH: explicit, PATH: join(onPath, '..') })).toEqual({ source: 'TEMPORAL_CLI_PATH', path: explicit });
  });

  test('a TEMPORAL_CLI_PATH that is not executable is an error, not a silent fallback', () => {
    expect(() => resolveTemporalBinary(repoRoot, { TEMPORAL_CLI_PATH: '/nonexistent/temporal' })).toThrow('TEMPORAL_CLI_PATH=/nonexistent/temporal is not an executable file');
  });

  test('then `temporal` on PATH', () => {
    const onPath = fakeBinary();
    expect(resolveTemporalBinary('/nonexistent-repo', { PATH: `/nonexistent:${join(onPath, '..')}` })).toEqual({ source: 'PATH', path: onPath });
  });

  test('then the project tools folder, then the SDK download', () => {
    const repo = mkdtempSync(join(tmpdir(), 'repo-'));
    expect(resolveTemporalBinary(repo, { PATH: '/nonexistent' })).toEqual({ source: 'SDK download' });
  });
});
