// A ClamAV daemon (clamd) scan over TCP with its INSTREAM command: the file goes in chunks,
// each prefixed with its length, and clamd answers "stream: OK" or "stream: <name> FOUND".
// The protocol is small and stable (clamd's own man page), so it is spoken here directly
// rather than through a wrapper that also looks for local clamscan binaries.
import net from 'node:net';

export type ScanResult = { clean: true } | { clean: false; signature: string };

export interface ClamdOptions {
  host: string;
  port: number;
  /** The whole scan, connect to answer. */
  timeoutMs?: number;
}

const CHUNK = 64 * 1024;

/** Scans the bytes; throws when clamd cannot be reached or answers something else (the caller stores nothing then). */
export function scanWithClamd(bytes: Uint8Array, opts: ClamdOptions): Promise<ScanResult> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: opts.host, port: opts.port });
    const replies: Buffer[] = [];
    const fail = (err: Error) => {
      socket.destroy();
      reject(err);
    };
    socket.setTimeout(opts.timeoutMs ?? 30_000, () => fail(new Error('clamd did not answer in time')));
    socket.on('error', fail);
    socket.on('data', (d: Buffer) => replies.push(d));
    socket.on('end', () => {
      const reply = Buffer.concat(replies).toString('utf8').replace(/\0/g, '').trim();
      socket.destroy();
      if (/^stream: OK$/.test(reply)) return resolve({ clean: true });
      const found = /^stream: (.+) FOUND$/.exec(reply);
      if (found) return resolve({ clean: false, signature: found[1]! });
      reject(new Error(`clamd answered: ${reply || '(nothing)'}`));
    });
    socket.on('connect', () => {
      socket.write('zINSTREAM\0');
      for (let at = 0; at < bytes.length; at += CHUNK) {
        const chunk = bytes.subarray(at, at + CHUNK);
        const size = Buffer.alloc(4);
        size.writeUInt32BE(chunk.length);
        socket.write(size);
        socket.write(chunk);
      }
      socket.write(Buffer.alloc(4)); // a zero-length chunk ends the stream
    });
  });
}
