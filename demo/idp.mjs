// Demo OpenID Connect provider: the stand-in for FranceConnect+ (IDP_KIND=patient) or Pro Santé Connect
// (IDP_KIND=pro) at the very start of the data path (browser → auth). Local demo and tests only.
//
// Configuration (environment):
//   IDP_PORT, IDP_ISSUER (e.g. http://127.0.0.1:8101), IDP_KIND (patient | pro),
//   IDP_CLIENT_ID, IDP_CLIENT_SECRET, IDP_REDIRECT_URIS (comma list), IDP_POST_LOGOUT_REDIRECT_URIS (comma list),
//   IDP_ACCOUNTS (path to demo/accounts.json), optional IDP_BACKCHANNEL_LOGOUT_URI,
//   optional IDP_ACCESS_TOKEN_TTL (seconds; default 60 for patient, as FranceConnect+, 120 for pro),
//   optional IDP_CONTROL_TOKEN (enables POST /_demo/rotate-keys for tests, with `Authorization: Bearer <token>`).
//
// Like the national services it stands for:
// - patient (FranceConnect+): access tokens live 60 s; ID tokens and userinfo answers are signed JWTs (ES256);
// - pro (Pro Santé Connect): short-lived access tokens, RS256 ID tokens, plain JSON userinfo;
// - keys rotate: POST /_demo/rotate-keys replaces every signing key at once (new kids, old keys gone), the
//   harshest rotation a client can meet. Sessions, grants and codes survive it (shared memory adapter).
//
// What differs from oidc-provider's defaults, and why:
// - our own login form checks the password against accounts.json (devInteractions accept any login);
// - consent is granted automatically (the portal is the platform's own first-party client);
// - RP-initiated logout signs out without a confirmation page, so a plain HTTP client can log out;
// - the ID token carries the account's `acr` (eidas1/2/3) and the profile claims, so the portal can check them.
import { createHash, generateKeyPairSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';

import Provider from 'oidc-provider';

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`idp: environment variable ${name} is required`);
    process.exit(2);
  }
  return value;
}

function commaList(value) {
  return (value || '').split(',').map((item) => item.trim()).filter(Boolean);
}

const PORT = Number(required('IDP_PORT'));
const ISSUER = required('IDP_ISSUER');
const KIND = required('IDP_KIND');
if (KIND !== 'patient' && KIND !== 'pro') {
  console.error(`idp: IDP_KIND must be "patient" or "pro", not ${JSON.stringify(KIND)}`);
  process.exit(2);
}
const CLIENT_ID = required('IDP_CLIENT_ID');
const CLIENT_SECRET = required('IDP_CLIENT_SECRET');
const REDIRECT_URIS = commaList(required('IDP_REDIRECT_URIS'));
const POST_LOGOUT_REDIRECT_URIS = commaList(process.env.IDP_POST_LOGOUT_REDIRECT_URIS);
const BACKCHANNEL_LOGOUT_URI = process.env.IDP_BACKCHANNEL_LOGOUT_URI || undefined;
const ACCOUNTS_PATH = required('IDP_ACCOUNTS');

const TITLE = KIND === 'patient'
  ? 'Fournisseur d’identité de démonstration — patients'
  : 'Fournisseur d’identité de démonstration — professionnels';

// Only the accounts of this provider's kind exist here: a professional cannot sign in at the patient provider.
const ACCOUNTS = JSON.parse(readFileSync(ACCOUNTS_PATH, 'utf8')).filter((account) => account.idp === KIND);
const BY_LOGIN = new Map(ACCOUNTS.map((account) => [account.login, account]));
const BY_SUB = new Map(ACCOUNTS.map((account) => [account.sub, account]));

// Compare digests so that the time taken does not depend on where the strings differ.
function samePassword(given, expected) {
  const a = createHash('sha256').update(String(given)).digest();
  const b = createHash('sha256').update(String(expected)).digest();
  return timingSafeEqual(a, b);
}

function checkCredentials(login, password) {
  const account = BY_LOGIN.get(String(login || '').trim());
  if (!account || !samePassword(password || '', account.password)) return undefined;
  return account;
}

function claimsOf(account) {
  const claims = {
    sub: account.sub,
    given_name: account.given_name,
    family_name: account.family_name,
    name: account.name,
  };
  if (account.birthdate) claims.birthdate = account.birthdate;
  if (KIND === 'pro' && account.rpps) claims.SubjectNameID = account.rpps;
  return claims;
}

// Keys are made at start and at each rotation: the demo keeps nothing between runs. Both an RSA and an EC key
// are published, so that a client that picks by `alg` is exercised.
function makeJwks() {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  return {
    keys: [
      { ...rsa, kid: `rs256-${randomBytes(4).toString('hex')}`, use: 'sig', alg: 'RS256' },
      { ...ec, kid: `es256-${randomBytes(4).toString('hex')}`, use: 'sig', alg: 'ES256' },
    ],
  };
}

function escapeHtml(value) {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({
    '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
  })[c]);
}

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
label{display:block;margin-top:1rem;font-weight:600}
input{display:block;width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box}
button{margin-top:1.5rem;padding:.6rem 1.2rem;font-size:1rem}
.error{border-left:4px solid #b00020;padding:.5rem 1rem;background:#fdecee}
.note{color:#444;font-size:.9rem}
</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>`;
}

function loginPage(uid, { login = '', error = '' } = {}) {
  const message = error
    ? `<p class="error" role="alert" id="login-error">${escapeHtml(error)}</p>`
    : '';
  return page(`Connexion — ${TITLE}`, `<h1>Connexion</h1>
<p class="note">${escapeHtml(TITLE)}. Comptes fictifs uniquement (voir demo/accounts.json).</p>
${message}
<form method="post" action="/interaction/${escapeHtml(uid)}" id="login-form">
<label for="login">Identifiant</label>
<input id="login" name="login" autocomplete="username" required value="${escapeHtml(login)}">
<label for="password">Mot de passe</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Se connecter</button>
</form>`);
}

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 16 * 1024) throw new Error('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

// Gives the client every scope and claim it asked for: the demo has one first-party client per provider,
// and a consent page would only stand in the way of scripted sign-ins.
async function grantEverythingRequested(provider, { accountId, clientId, grantId, details }) {
  const grant = grantId
    ? await provider.Grant.find(grantId)
    : new provider.Grant({ accountId, clientId });
  if (details?.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(' '));
  if (details?.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
  if (details?.missingResourceScopes) {
    for (const [indicator, scope] of Object.entries(details.missingResourceScopes)) {
      grant.addResourceScope(indicator, scope.join(' '));
    }
  }
  return grant.save();
}

const SIGNING_ALG = KIND === 'patient' ? 'ES256' : 'RS256';
const ACCESS_TOKEN_TTL = Number(process.env.IDP_ACCESS_TOKEN_TTL || (KIND === 'patient' ? 60 : 120));
const CONTROL_TOKEN = process.env.IDP_CONTROL_TOKEN || '';
// One set of cookie keys for every provider instance, so that a rotation keeps the browser's sign-in session.
const COOKIE_KEYS = [randomBytes(32).toString('hex')];

const configuration = (jwks) => ({
  clients: [
    {
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      redirect_uris: REDIRECT_URIS,
      post_logout_redirect_uris: POST_LOGOUT_REDIRECT_URIS,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      // client_secret_post is accepted too: oidc-provider treats both secret methods as one.
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: SIGNING_ALG,
      // FranceConnect+ answers userinfo with a signed JWT; Pro Santé Connect with JSON.
      ...(KIND === 'patient' ? { userinfo_signed_response_alg: SIGNING_ALG } : {}),
      ...(BACKCHANNEL_LOGOUT_URI
        ? { backchannel_logout_uri: BACKCHANNEL_LOGOUT_URI, backchannel_logout_session_required: true }
        : {}),
    },
  ],
  jwks,
  acrValues: ['eidas1', 'eidas2', 'eidas3'],
  clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
  // `acr` sits in the openid scope so that every ID token carries it, asked for or not.
  claims: {
    auth_time: null,
    sid: null,
    openid: ['sub', 'acr'],
    profile: KIND === 'pro'
      ? ['given_name', 'family_name', 'name', 'SubjectNameID']
      : ['given_name', 'family_name', 'name', 'birthdate'],
    ...(KIND === 'pro' ? { rpps: ['SubjectNameID'] } : {}),
  },
  scopes: ['openid', 'profile', ...(KIND === 'pro' ? ['rpps'] : [])],
  // The portal reads the person's name and acr from the ID token itself, without a userinfo call.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  responseTypes: ['code'],
  findAccount: async (_ctx, sub) => {
    const account = BY_SUB.get(sub);
    if (!account) return undefined;
    return { accountId: sub, claims: async () => claimsOf(account) };
  },
  loadExistingGrant: async (ctx) => {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    const grant = grantId
      ? await ctx.oidc.provider.Grant.find(grantId)
      : new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    if (!grant) return undefined;
    // First-party client: whatever it asks for now is granted, so no consent prompt ever shows.
    const scope = ctx.oidc.params?.scope;
    if (scope) grant.addOIDCScope(scope);
    const requestedClaims = Object.keys(ctx.oidc.claims?.id_token || {})
      .concat(Object.keys(ctx.oidc.claims?.userinfo || {}));
    if (requestedClaims.length) grant.addOIDCClaims(requestedClaims);
    await grant.save();
    return grant;
  },
  // oidc-provider refuses outgoing calls to loopback addresses (SSRF protection); the demo's only outgoing
  // call is the back-channel logout to the portal, which is on 127.0.0.1 by design. Drop that guard here.
  fetch: (url, { dispatcher: _ssrfGuard, ...options }) => globalThis.fetch(url, options),
  interactions: {
    url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
  },
  features: {
    devInteractions: { enabled: false },
    userinfo: { enabled: true },
    jwtUserinfo: { enabled: true },
    claimsParameter: { enabled: true },
    backchannelLogout: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      // Only reached by a browser that stops at the page; scripts are redirected past it (see below).
      logoutSource: async (ctx, form) => {
        ctx.type = 'html';
        ctx.body = page(`Déconnexion — ${TITLE}`, `<h1>Se déconnecter ?</h1>${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes">Se déconnecter</button>`);
      },
      postLogoutSuccessSource: async (ctx) => {
        ctx.type = 'html';
        ctx.body = page(`Déconnecté — ${TITLE}`, '<h1>Vous êtes déconnecté</h1>');
      },
    },
  },
  cookies: {
    keys: COOKIE_KEYS,
    long: { httpOnly: true, sameSite: 'lax', signed: true },
    short: { httpOnly: true, sameSite: 'lax', signed: true },
  },
  ttl: {
    AccessToken: ACCESS_TOKEN_TTL,
    AuthorizationCode: 60,
    IdToken: 3600,
    Interaction: 600,
    Grant: 3600,
    Session: 3600,
  },
  renderError: async (ctx, out) => {
    ctx.type = 'html';
    const rows = Object.entries(out)
      .map(([key, value]) => `<p><strong>${escapeHtml(key)}</strong>: ${escapeHtml(value)}</p>`).join('');
    ctx.body = page(`Erreur — ${TITLE}`, `<h1>Erreur</h1>${rows}`);
  },
});

const END_SESSION = '/session/end';
const END_SESSION_CONFIRM = '/session/end/confirm';

// One provider instance per key set: a rotation builds the next one, and requests go to the newest.
function buildProvider(jwks) {
  const provider = new Provider(ISSUER, configuration(jwks));
  // Plain http on 127.0.0.1: no proxy in front, so X-Forwarded-* headers must not be trusted.
  provider.proxy = false;

  provider.on('server_error', (_ctx, err) => console.error('idp: server_error', err));
  provider.on('backchannel.error', (_ctx, err, client) => {
    console.error(`idp: back-channel logout to ${client.clientId} failed: ${err.message}`
      + `${err.cause ? ` (${err.cause.code || err.cause.message})` : ''}`);
  });

  // Login form that checks passwords, plus automatic consent.
  provider.use(async (ctx, next) => {
    const match = /^\/interaction\/([A-Za-z0-9_-]+)$/.exec(ctx.path);
    if (!match) return next();
    const uid = match[1];
    ctx.set('Cache-Control', 'no-store');

    let details;
    try {
      details = await provider.interactionDetails(ctx.req, ctx.res);
    } catch (err) {
      ctx.status = 400;
      ctx.type = 'html';
      ctx.body = page(`Erreur — ${TITLE}`, `<h1>Session de connexion introuvable</h1>
  <p>${escapeHtml(err.message)}. Recommencez depuis le portail.</p>`);
      return undefined;
    }
    if (details.uid !== uid) {
      ctx.status = 400;
      ctx.type = 'html';
      ctx.body = page(`Erreur — ${TITLE}`, '<h1>Demande de connexion invalide</h1>');
      return undefined;
    }

    const { prompt, params, session, grantId } = details;
    if (prompt.name === 'consent') {
      if (ctx.method !== 'GET' && ctx.method !== 'POST') ctx.throw(405);
      const newGrantId = await grantEverythingRequested(provider, {
        accountId: session.accountId, clientId: params.client_id, grantId, details: prompt.details,
      });
      const returnTo = await provider.interactionResult(
        ctx.req, ctx.res, { consent: { grantId: newGrantId } }, { mergeWithLastSubmission: true },
      );
      ctx.status = 303;
      ctx.redirect(returnTo);
      return undefined;
    }
    if (prompt.name !== 'login') ctx.throw(501, `prompt ${prompt.name} is not implemented`);

    if (ctx.method === 'GET') {
      ctx.type = 'html';
      ctx.body = loginPage(uid);
      return undefined;
    }
    if (ctx.method !== 'POST') ctx.throw(405);

    const form = await readForm(ctx.req);
    const login = form.get('login') || '';
    const account = checkCredentials(login, form.get('password'));
    if (!account) {
      ctx.type = 'html';
      ctx.body = loginPage(uid, { login, error: 'Identifiant ou mot de passe incorrect.' });
      return undefined;
    }
    const returnTo = await provider.interactionResult(ctx.req, ctx.res, {
      login: { accountId: account.sub, acr: account.acr, amr: ['pwd'], remember: false },
    }, { mergeWithLastSubmission: false });
    ctx.status = 303;
    ctx.redirect(returnTo);
    return undefined;
  });

  // RP-initiated logout without a confirmation page. oidc-provider answers /session/end with a page whose
  // form (hidden xsrf field) must be posted to /session/end/confirm; we turn that page into a redirect to
  // GET /session/end/confirm?xsrf=…, and turn that GET back into the POST oidc-provider expects. The xsrf
  // value is random per session, so another site still cannot sign a person out.
  provider.use(async (ctx, next) => {
    if (ctx.path === END_SESSION_CONFIRM && ctx.method === 'GET' && typeof ctx.query.xsrf === 'string') {
      const body = Buffer.from(new URLSearchParams({ xsrf: ctx.query.xsrf, logout: 'yes' }).toString());
      ctx.method = 'POST';
      ctx.req.headers['content-type'] = 'application/x-www-form-urlencoded';
      ctx.req.headers['content-length'] = String(body.length);
      // oidc-provider reads the form through req.iterator(); hand it the synthetic body instead.
      ctx.req.iterator = async function* syntheticBody() { yield body; };
      return next();
    }
    await next();
    if (ctx.path === END_SESSION && ctx.status === 200 && typeof ctx.body === 'string') {
      const xsrf = /name="xsrf" value="([0-9a-f]+)"/.exec(ctx.body);
      if (xsrf) {
        ctx.status = 303;
        ctx.redirect(`${END_SESSION_CONFIRM}?xsrf=${xsrf[1]}`);
      }
    }
    return undefined;
  });

  return provider;
}

let current = buildProvider(makeJwks());
let handle = current.callback();

function rotateKeys(req, res) {
  const authorized = CONTROL_TOKEN
    && samePassword(req.headers.authorization || '', `Bearer ${CONTROL_TOKEN}`);
  if (!authorized || req.method !== 'POST') {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    return;
  }
  const jwks = makeJwks();
  current = buildProvider(jwks);
  handle = current.callback();
  const kids = jwks.keys.map((key) => key.kid);
  console.log(`idp (${KIND}) rotated its signing keys: now ${kids.join(', ')}`);
  res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ kids }));
}

const server = http.createServer((req, res) => {
  if (req.url === '/_demo/rotate-keys') {
    rotateKeys(req, res);
    return;
  }
  handle(req, res);
});
server.listen(PORT, '127.0.0.1', () => {
  console.log(`idp (${KIND}) listening on http://127.0.0.1:${PORT}, issuer ${ISSUER}, `
    + `${ACCOUNTS.length} account(s), client ${CLIENT_ID}, access tokens ${ACCESS_TOKEN_TTL} s, ${SIGNING_ALG}`);
});

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
