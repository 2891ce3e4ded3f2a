import * as fs from 'node:fs';
import * as path from 'node:path';
import { Controller, Get, Logger, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { notFound } from '@lianban/platform';

/**
 * The pages' files live in apps/history/ui (plain HTML, CSS and JS, no build step); the build
 * copies them to dist/apps/history/ui so that dist/ runs on its own (the Docker image ships only
 * dist/). The same code runs from the sources (tests) and from dist/: the folder is found by
 * walking up, the nearest copy first.
 */
function findUiDir(): string | null {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'apps', 'history', 'ui');
    if (fs.existsSync(path.join(candidate, 'index.html'))) return candidate;
    if (path.dirname(dir) === dir) return null;
  }
}

function findEcharts(): string | null {
  try {
    return require.resolve('echarts/dist/echarts.min.js');
  } catch {
    return null;
  }
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** no script from anywhere but here; ECharts sets inline styles on the elements it draws */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

/**
 * The analysts' web pages under /ui: the dashboard and the case page. They are static and
 * public (they hold no data); everything they show comes from the JSON API with the caller's
 * token. ECharts is served from node_modules: the pages never reach the internet.
 */
@ApiExcludeController()
@Controller('ui')
export class UiController {
  private readonly dir = findUiDir();
  private readonly echarts = findEcharts();

  constructor() {
    // the API works without its pages: a missing copy is said once, not fatal
    if (!this.dir || !this.echarts) new Logger('ui').warn(`the web pages are not installed (${!this.dir ? 'apps/history/ui' : 'echarts'} not found); /ui answers 404`);
  }

  /** /ui and /ui/ alike (the pages use absolute paths) */
  @Get()
  dashboard(@Res() res: Response): void {
    this.send(res, this.dir && path.join(this.dir, 'index.html'));
  }

  @Get('cases/:caseId')
  casePage(@Res() res: Response): void {
    this.send(res, this.dir && path.join(this.dir, 'case.html'));
  }

  @Get('assets/:file')
  asset(@Param('file') file: string, @Res() res: Response): void {
    // one flat folder of known kinds: no path ever leaves it
    if (!/^[a-z0-9-]+\.(js|css|svg|png)$/.test(file)) throw notFound('NOT_FOUND', `no asset ${file}`);
    this.send(res, this.dir && path.join(this.dir, file));
  }

  @Get('vendor/echarts.min.js')
  vendorEcharts(@Res() res: Response): void {
    this.send(res, this.echarts, 'public, max-age=86400');
  }

  private send(res: Response, file: string | null, cache = 'no-cache'): void {
    if (!file || !fs.existsSync(file)) throw notFound('NOT_FOUND', 'no such page');
    res.setHeader('content-type', TYPES[path.extname(file)] ?? 'application/octet-stream');
    res.setHeader('cache-control', cache);
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('content-security-policy', CSP);
    res.send(fs.readFileSync(file));
  }
}
