import net from "node:net";

/**
 * Stands in for a service on the app's own network: a loopback TCP listener that counts connections
 * and answers any request with a "secret" body. The outbound policy is proven by it seeing nothing.
 */
export class InternalService {
  connections = 0;
  static readonly SECRET = "internal-secret-7f3a";

  private constructor(
    private readonly server: net.Server,
    readonly host: string,
    readonly port: number,
  ) {}

  static async start(host: "127.0.0.1" | "::1" = "127.0.0.1"): Promise<InternalService> {
    let self: InternalService | undefined;
    const server = net.createServer((socket) => {
      self!.connections++;
      socket.on("error", () => {});
      socket.once("data", () => {
        const body = `{"service":"${InternalService.SECRET}"}`;
        socket.end(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    self = new InternalService(server, host, (server.address() as net.AddressInfo).port);
    return self;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
