import { INestApplication, Logger, ValidationPipe } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { LianbanConfig } from './config';
import { validationErrorFactory } from './http-errors';
import { RequestClockMiddleware } from './request-clock';
import { documentIdempotencyKey } from './security/idempotency-key';
import { ServiceExit } from './service-exit';
import { rateLimitMiddleware } from './security/rate-limit';
import { securityHeaders } from './security/security-headers';

/** Largest JSON body accepted; a petition with long content fits well inside it. */
export const BODY_LIMIT = '256kb';

/**
 * The HTTP edge every app shares: security headers and rate limits first (a refused request costs
 * no body parsing), body limits, validation, the clock header, OpenAPI at /docs.
 */
export function configureHttp(app: NestExpressApplication, config: LianbanConfig, title: string): void {
  app.disable('x-powered-by');
  // before anything reads req.ip: behind a reverse proxy every client would otherwise share the
  // proxy's address (one rate-limit bucket), and a forged X-Forwarded-For from anyone else is ignored
  app.set('trust proxy', config.trustProxy);
  app.use(securityHeaders);
  app.use(rateLimitMiddleware({ ip: config.rateLimitIp, token: config.rateLimitToken }));
  app.useBodyParser('json', { limit: BODY_LIMIT });
  const clock = new RequestClockMiddleware(config.embedded && config.authMode === 'dev', config.clockSkewMs);
  app.use(clock.use.bind(clock));
  app.useGlobalPipes(new ValidationPipe({
    whitelist: true, forbidNonWhitelisted: true, transform: true, exceptionFactory: validationErrorFactory,
  }));
  app.enableShutdownHooks();
  const doc = new DocumentBuilder()
    .setTitle(title)
    .setDescription('联办 Lianban — multi-agency petition (信访) coordination. Errors: {error:{code,message}}; 409 codes name the rule of the 《信访工作条例》 that refused.')
    .setVersion('1')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('docs', app, documentIdempotencyKey(SwaggerModule.createDocument(app, doc)));
}

export async function listen(app: INestApplication, config: LianbanConfig, name: string): Promise<void> {
  // before listen(): the consumers start during it, and one may stop for good at any time after
  app.get(ServiceExit, { strict: false }).attach(app);
  await app.listen(config.port, '0.0.0.0');
  const url = await app.getUrl();
  new Logger(name).log(`listening on ${url} (${config.embedded ? 'embedded' : 'distributed'}, store ${config.eventStore}, bus ${config.bus}, region ${config.region})`);
}
