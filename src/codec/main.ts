import { z } from 'zod';
import { listen } from '../http/listen';
import { createCodecServer } from './server';

const envSchema = z.object({
  HUB_CODEC_KEY: z.string().transform((s) => s.split(',').map((k) => k.trim()).filter(Boolean)),
  CODEC_PORT: z.coerce.number().int().min(0).max(65535).default(8888),
  CODEC_HOST: z.string().default('127.0.0.1'),
  /** The Web UI's origin(s), comma-separated: the browser calls this server from there. */
  CODEC_CORS_ORIGINS: z.string().default('http://localhost:8233,http://127.0.0.1:8233').transform((s) => s.split(',').map((o) => o.trim())),
});

const parsed = envSchema.safeParse(process.env);
if (!parsed.success) {
  console.error(`Invalid codec server configuration:\n${z.prettifyError(parsed.error)}`);
  process.exit(1);
}
const config = parsed.data;
async function main(): Promise<void> {
  const server = await listen(createCodecServer({ keys: config.HUB_CODEC_KEY, corsOrigins: config.CODEC_CORS_ORIGINS }), config.CODEC_PORT, config.CODEC_HOST);
  console.log(`codec server listening on http://${config.CODEC_HOST}:${config.CODEC_PORT}`);
  const stop = (): void => {
    server.close(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
