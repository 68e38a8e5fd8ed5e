import net from "node:net";

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host: "127.0.0.1", exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * A free loopback port below Linux's ephemeral range (32768+): ports there can be taken at any
 * moment by some process's outgoing socket, and Ponder silently moves to port+1 when that happens.
 */
export async function freePort(from = 20_000, to = 32_000): Promise<number> {
  const span = to - from;
  const start = from + Math.floor(Math.random() * span);
  for (let i = 0; i < span; i++) {
    const port = from + ((start - from + i) % span);
    if (await canListen(port)) return port;
  }
  throw new Error(`no free loopback port between ${from} and ${to}`);
}

export { canListen };
