// Checks the shape of the repository's docker-compose.yml: node --test compose.test.mjs
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse } from 'yaml';

const composeUrl = new URL('../../docker-compose.yml', import.meta.url);

function loadCompose() {
  // Throws (and so fails every test) when the file is missing or not YAML.
  const doc = parse(readFileSync(composeUrl, 'utf8'));
  assert.ok(doc && typeof doc === 'object', 'docker-compose.yml is empty');
  assert.ok(doc.services && typeof doc.services === 'object', 'docker-compose.yml has no services');
  return doc;
}

function service(name) {
  const svc = loadCompose().services[name];
  assert.ok(svc && typeof svc === 'object', `service "${name}" is missing`);
  return svc;
}

// depends_on is either a list of names or a map of name -> { condition }.
function dependsOn(svc) {
  const deps = svc.depends_on ?? [];
  return Array.isArray(deps) ? deps : Object.keys(deps);
}

// Short syntax "source:target[:mode]" or long syntax { type, source, target }.
function volumeSource(volume) {
  if (typeof volume === 'string') return volume.split(':').length > 1 ? volume.split(':')[0] : null;
  return volume?.type === 'volume' ? volume.source ?? null : null;
}

test('docker-compose.yml defines the app, db and mailpit services', () => {
  const names = Object.keys(loadCompose().services);
  for (const name of ['app', 'db', 'mailpit']) assert.ok(names.includes(name), `no "${name}" service (have: ${names.join(', ')})`);
});

test('app is built from the repository and depends on db', () => {
  const app = service('app');
  assert.ok(app.build, 'app has no build');
  assert.ok(dependsOn(app).includes('db'), 'app does not depend_on db');
});

test('db is postgres with a healthcheck and a volume', () => {
  const db = service('db');
  assert.match(String(db.image ?? ''), /^(docker\.io\/(library\/)?)?postgres(:|@|$)/, 'db image is not postgres');
  assert.ok(db.healthcheck?.test, 'db has no healthcheck test');
  assert.ok(Array.isArray(db.volumes) && db.volumes.length > 0, 'db has no volume');
});

test('named volumes used by db are declared at the top level', () => {
  const doc = loadCompose();
  for (const volume of service('db').volumes ?? []) {
    const source = volumeSource(volume);
    // Bind mounts (paths) need no declaration; named volumes do.
    if (!source || /^[./~$]/.test(source)) continue;
    assert.ok(doc.volumes && source in doc.volumes, `volume "${source}" is not declared under top-level volumes`);
  }
});

test('mailpit is a mail catcher', () => {
  assert.match(String(service('mailpit').image ?? ''), /mailpit/i, 'mailpit does not run a mailpit image');
});
