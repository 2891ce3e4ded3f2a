import { Controller, Get, Header, Injectable, NestMiddleware } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry as MetricsRegistry } from 'prom-client';
import type { SubscriptionStatus } from '@lianban/messaging';

/** Prometheus metrics of one process: HTTP traffic, decisions, and the Node runtime. */
@Injectable()
export class Metrics {
  readonly registry = new MetricsRegistry();
  readonly httpRequests = new Counter({
    name: 'lianban_http_requests_total', help: 'HTTP requests by method, route and status', labelNames: ['method', 'route', 'status'], registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'lianban_http_request_duration_seconds', help: 'HTTP request duration', labelNames: ['method', 'route'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1], registers: [this.registry],
  });
  readonly decisions = new Counter({
    name: 'lianban_decisions_total', help: 'commands decided, by outcome (appended, refused, conflict-retry)', labelNames: ['outcome'], registers: [this.registry],
  });

  readonly consumedEvents = new Counter({
    name: 'lianban_consumed_events_total',
    help: 'events handed to a consumer reaction, by outcome (applied, duplicate: applied before and redelivered, ignored, refused by a rule, failed)',
    labelNames: ['consumer', 'reaction', 'outcome'], registers: [this.registry],
  });
  readonly relayedEvents = new Counter({
    name: 'lianban_relayed_events_total', help: 'stored events the outbox relay published (a batch sent again after a failure counts again)', registers: [this.registry],
  });
  readonly relayPosition = new Gauge({
    name: 'lianban_relay_position', help: 'global store position of the last event the relay published', registers: [this.registry],
  });

  private readonly consumerSources: (() => SubscriptionStatus[])[] = [];
  /** read at each scrape from the consumers themselves, so a consumer that died between scrapes shows 0 */
  readonly busConsumerUp = new Gauge({
    name: 'lianban_bus_consumer_up',
    help: '1 while a bus consumer of this process is a running member of its group; 0 while it starts, restarts after a crash, or has stopped for good',
    labelNames: ['group', 'topic'], registers: [this.registry],
    collect: () => {
      this.busConsumerUp.reset();
      for (const source of this.consumerSources) {
        for (const s of source()) for (const topic of s.topics) this.busConsumerUp.set({ group: s.groupId, topic }, s.state === 'running' ? 1 : 0);
      }
    },
  });

  /** the bus consumers a service runs, reported by lianban_bus_consumer_up */
  watchConsumers(source: () => SubscriptionStatus[]): void {
    this.consumerSources.push(source);
  }

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}

@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(private readonly metrics: Metrics) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      // the route pattern, not the path: case ids must not explode the label space
      const route = (req.route?.path as string | undefined) ?? 'unmatched';
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.metrics.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
      this.metrics.httpDuration.observe({ method: req.method, route }, seconds);
    });
    next();
  }
}

@ApiExcludeController()
@Controller()
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
