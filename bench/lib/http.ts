import * as http from 'node:http';

export interface Reply<T = any> {
  status: number;
  body: T;
  headers: http.IncomingHttpHeaders;
}

/**
 * A small keep-alive JSON client on node:http (lighter than fetch, so the load generator takes
 * less of the 2 cores it shares with the server under test).
 */
export class HttpClient {
  private readonly agent: http.Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(readonly url: string, maxSockets: number) {
    const u = new URL(url);
    this.host = u.hostname;
    this.port = Number(u.port);
    this.agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
    const payload = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: this.host, port: this.port, method, path, agent: this.agent,
          headers: {
            ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : null;
            } catch {
              // not JSON
            }
            resolve({ status: res.statusCode ?? 0, body: parsed as T, headers: res.headers });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      if (payload) req.write(payload);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export function bearer(token: string, clock?: string): Record<string, string> {
  return { authorization: `Bearer ${token}`, ...(clock ? { 'x-lianban-clock': clock } : {}) };
}

export async function devToken(client: HttpClient, role: string, agency?: string): Promise<string> {
  const r = await client.request<{ token: string }>('POST', '/v1/dev/tokens', { role, ...(agency ? { agency } : {}) });
  if (r.status !== 201) throw new Error(`dev token ${role}/${agency}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.token;
}
