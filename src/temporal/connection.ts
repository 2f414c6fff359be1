import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { EncryptionCodec } from '../codec/encryption-codec';
import type { TemporalConnectConfig } from '../config';

/**
 * The data converter every hub process uses: the worker, the bridge, the CLI and the tests
 * must agree on it, or one side cannot read what the other wrote.
 */
export function hubDataConverter(codecKeys: string[] | undefined): DataConverter {
  return codecKeys ? { payloadCodecs: [new EncryptionCodec(codecKeys)] } : {};
}

export async function connectClient(temporal: TemporalConnectConfig, codecKeys: string[] | undefined): Promise<Client> {
  const { address, tls, apiKey, metadata } = temporal.connectionOptions;
  let connection: Connection;
  try {
    connection = await Connection.connect({ address, tls, apiKey, metadata, connectTimeout: '10 seconds' });
  } catch (err) {
    throw new Error(
      `Cannot reach Temporal at ${address} (namespace ${temporal.namespace}): ${err instanceof Error ? err.message : String(err)}. ` +
        'Is the stack up (scripts/start.sh), or is TEMPORAL_ADDRESS right?',
    );
  }
  return new Client({ connection, namespace: temporal.namespace, dataConverter: hubDataConverter(codecKeys) });
}
