import { createServer } from 'node:net';

export class PortTakenError extends Error {
  readonly code = 'PORT_TAKEN';
}

/** Fails with a message naming the variable to set when the port is already taken. */
export function assertPortFree(port: number, variable: string, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new PortTakenError(
              `port ${port} for the ${what} is already taken: set ${variable} to a free port (or point the matching ILOT_*_URL at a running service)`,
            )
          : error,
      ),
    );
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}
