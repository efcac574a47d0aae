import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * The emulator's one loopback port, with what stop() has to end: open (kept-alive) connections
 * and the answers a 'hang' fault holds back.
 */
export class EmulatorServer {
  private readonly sockets = new Set<Socket>();
  private readonly hanging = new Set<ServerResponse>();

  private constructor(private readonly server: Server) {
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  /** Listens on 127.0.0.1; port 0 picks an ephemeral one. */
  static async listen(port: number): Promise<EmulatorServer> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return new EmulatorServer(server);
  }

  /** `http://127.0.0.1:<port>`, with no trailing slash. */
  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  onRequest(handler: (request: IncomingMessage, response: ServerResponse) => void): void {
    this.server.on('request', handler);
  }

  /** Never answers: the client's own timeout has to fire (or stop() ends it). */
  hang(response: ServerResponse): void {
    this.hanging.add(response);
  }

  async close(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
