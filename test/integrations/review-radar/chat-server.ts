import http from "node:http";

export interface ChatPost {
  path: string;
  body: unknown;
}

/** A local chat webhook receiver (Slack / Teams / Google Chat answer 200 to a good POST). */
export class ChatServer {
  readonly posts: ChatPost[] = [];
  /** Paths answering with a status for their next N posts. */
  private readonly failures = new Map<string, { status: number; times: number; body: string }>();

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  static async start(): Promise<ChatServer> {
    let self: ChatServer | undefined;
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const path = req.url ?? "/";
        const fail = self!.failures.get(path);
        if (fail && fail.times > 0) {
          fail.times--;
          res.writeHead(fail.status, { "content-type": "text/plain" }).end(fail.body);
          return;
        }
        self!.posts.push({ path, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) });
        res.writeHead(200, { "content-type": "text/plain" }).end("ok");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const addr = server.address() as { port: number };
    self = new ChatServer(server, `http://127.0.0.1:${addr.port}`);
    return self;
  }

  fail(path: string, status: number, times = 1, body = "failure"): void {
    this.failures.set(path, { status, times, body });
  }

  to(path: string): ChatPost[] {
    return this.posts.filter((p) => p.path === path);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
