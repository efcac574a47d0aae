import { once } from 'node:events';
import { createServer } from 'node:http';

/** One span as an OTLP/HTTP JSON export carries it, attributes flattened to a record. */
export interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Record<string, string | number | boolean>;
}

export interface OtlpReceiver {
  /** The base URL, as OTEL_EXPORTER_OTLP_ENDPOINT takes it (the exporter adds /v1/traces). */
  url: string;
  /** Every request body received, as sent. */
  bodies: string[];
  spans: ExportedSpan[];
  serviceNames(): string[];
  /** Polls (bounded) until `done` holds for the spans received, then returns `pick` of them. */
  waitFor<T>(
    done: (spans: ExportedSpan[]) => boolean,
    pick: (spans: ExportedSpan[]) => T,
  ): Promise<T>;
  close(): Promise<void>;
}

interface OtlpAttribute {
  key: string;
  value: {
    stringValue?: string;
    intValue?: number | string;
    boolValue?: boolean;
    doubleValue?: number;
  };
}
interface OtlpExport {
  resourceSpans: {
    resource: { attributes: OtlpAttribute[] };
    scopeSpans: {
      spans: (Omit<ExportedSpan, 'attributes'> & { attributes?: OtlpAttribute[] })[];
    }[];
  }[];
}

/** A collector's OTLP/HTTP JSON traces endpoint (POST /v1/traces) on a loopback port. */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const bodies: string[] = [];
  const spans: ExportedSpan[] = [];
  const services = new Set<string>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (request.method !== 'POST' || request.url !== '/v1/traces') {
        response.writeHead(404).end();
        return;
      }
      bodies.push(body);
      const parsed = JSON.parse(body) as OtlpExport;
      for (const resourceSpans of parsed.resourceSpans) {
        const service = flatten(resourceSpans.resource.attributes)['service.name'];
        services.add(String(service));
        for (const scope of resourceSpans.scopeSpans) {
          for (const span of scope.spans) {
            spans.push({ ...span, attributes: flatten(span.attributes ?? []) });
          }
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    bodies,
    spans,
    serviceNames: () => [...services],
    async waitFor(done, pick) {
      for (let waited = 0; waited < 5_000; waited += 20) {
        if (done(spans)) return pick(spans);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error(`spans never arrived; received: ${spans.map((s) => s.name).join(', ')}`);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function flatten(attributes: OtlpAttribute[]): ExportedSpan['attributes'] {
  return Object.fromEntries(
    attributes.map(({ key, value }) => [
      key,
      value.stringValue ??
        (value.intValue !== undefined ? Number(value.intValue) : undefined) ??
        value.boolValue ??
        value.doubleValue ??
        '',
    ]),
  );
}
