import 'reflect-metadata';
import { startStandalone } from '@lianban/testing/standalone';
(async () => {
  const r = await startStandalone();
  const ex = r.app.getHttpAdapter().getInstance();
  const stack = (ex.router ?? ex._router).stack;
  for (const l of stack) if (l.route) console.log(Object.keys(l.route.methods).join(','), l.route.path);
  const res = await fetch(r.url + '/v1/agencies');
  console.log(res.status, [...res.headers.entries()].map(([k,v])=>k+': '+v).join('\n'));
  await r.close();
})().catch((e) => { console.error(e); process.exit(1); });
