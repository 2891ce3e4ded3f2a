import 'reflect-metadata';
import { startStandalone } from '@lianban/testing/standalone';
(async () => {
  const r = await startStandalone();
  const doc = await (await fetch(r.url + '/docs-json')).json() as any;
  console.log(JSON.stringify(doc.paths['/v1/petitions'].post, null, 1).slice(0, 1500));
  console.log(JSON.stringify(doc.components.schemas.RegisterPetitionDto, null, 1));
  console.log(JSON.stringify(doc.components.schemas.PetitionerDto, null, 1));
  console.log(JSON.stringify(doc.paths['/v1/stats'].get.parameters, null, 1).slice(0, 1500));
  console.log(Object.keys(doc.paths).length, Object.keys(doc.components.schemas).join(' '));
  await r.close();
})();
