import { createServer, type RequestListener, type Server } from 'node:http';

/**
 * Listens, or fails with the reason. Express 5 hands a listen error (say, the port is taken) to
 * the listen callback instead of throwing, so a process that only logs in that callback reports
 * "listening" and then exits 0 without serving; this makes the failure an error instead.
 */
export function listen(app: RequestListener, port: number, host: string): Promise<Server> {
  const server = createServer(app);
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(new Error(`cannot listen on ${host}:${port}: ${err.code ?? err.message}`)));
    server.listen(port, host, () => resolve(server));
  });
}
