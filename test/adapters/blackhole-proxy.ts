import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of the Pub/Sub emulator that can be cut off: while cut off it closes the
 * client's open connections and accepts new ones without ever forwarding a byte or answering,
 * so a publish can neither complete nor fail fast (what a lost network path looks like to the
 * client), and the emulator never sees it. Restored, it drops those dead connections and
 * forwards new ones again: whatever the client still retries then reaches the emulator, which
 * is what lets a test tell a publish that really stopped from one that kept going.
 */
export interface BlackholeProxy {
  /** `host:port` to give the client as its endpoint. */
  endpoint: string;
  cutOff(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startBlackholeProxy(target: string): Promise<BlackholeProxy> {
  const [targetHost, targetPort] = splitHostPort(target);
  const forwarded = new Set<Socket>();
  const swallowed = new Set<Socket>();
  let cut = false;

  const track = (set: Set<Socket>, socket: Socket) => {
    set.add(socket);
    socket.on('close', () => set.delete(socket));
    // A reset peer is expected here (we destroy connections on purpose): not a test failure.
    socket.on('error', () => socket.destroy());
  };

  const server: Server = createServer((client) => {
    if (cut) {
      track(swallowed, client);
      client.resume(); // read and drop: the request goes nowhere
      return;
    }
    const upstream = createConnection({ host: targetHost, port: targetPort });
    track(forwarded, client);
    track(forwarded, upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');

  const destroyAll = (set: Set<Socket>) => {
    for (const socket of [...set]) socket.destroy();
  };
  return {
    endpoint: `127.0.0.1:${address.port}`,
    cutOff: () => {
      cut = true;
      destroyAll(forwarded);
    },
    restore: () => {
      cut = false;
      destroyAll(swallowed);
    },
    close: async () => {
      destroyAll(forwarded);
      destroyAll(swallowed);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function splitHostPort(hostPort: string): [string, number] {
  const at = hostPort.lastIndexOf(':');
  return [hostPort.slice(0, at), Number(hostPort.slice(at + 1))];
}
