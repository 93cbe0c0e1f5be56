// A REAL TypeScript ADK A2A agent (@inference-gateway/adk 0.16.0, pinned in
// package.json) for igctl's integration tests. Started from Go by
// testenv.StartADKAgent; installed outside the repo by `scripts/adk.sh install`.
// It wires auth exactly as the library's .d.ts docs intend and reimplements
// nothing: loadAuthConfigFromEnv() -> createAuthenticator({config}) ->
// new A2AServerBuilder().withAuthenticator(a).withAuthConfig(config).
// The builder registers message/send and tasks/cancel but NOT tasks/get or
// tasks/list, so those are added with the library's own handlers over the same
// storage, the way the package README's "Hello, A2A" server does.
//
// Environment:
//   AUTH_ENABLED        ADK's only switch ("1","true","yes","on", any case; anything
//                       else or unset = off). The old name AUTH_ENABLE is NOT read:
//                       AUTH_ENABLE=true alone gives an UNAUTHENTICATED agent.
//   AUTH_ISSUER_URL, AUTH_CLIENT_ID (= expected aud), AUTH_CLIENT_SECRET (required
//                       when enabled although never used to verify tokens)
//   A2A_SERVER_PORT     port on 127.0.0.1; 0 or unset = a free port
//   ADK_DECORATE_CARD=1 decorate the PUBLIC card with decorateAgentCardWithAuth
//   On stdout, once listening: "LISTENING http://127.0.0.1:PORT". The ADK's pino
//   logs (JSON when NODE_ENV=production) also go to stdout.
//
// What the library (0.16.0) does:
// * Start-up. AUTH_ENABLED on with an empty issuer, client id or secret:
//   createAuthenticator throws Error("auth: AUTH_ENABLED=true but required fields
//   are missing (AUTH_ISSUER_URL, AUTH_CLIENT_ID, AUTH_CLIENT_SECRET)").
//   Then it fetches <issuer>/.well-known/openid-configuration ONCE at start-up; a
//   failure throws OIDCDiscoveryError "failed to fetch OIDC discovery document at
//   URL" / "... returned HTTP N". We print it and exit 1.
// * Public paths: GET /.well-known/agent-card.json, GET /health ({"status":"healthy"}),
//   and (not used here) GET /artifacts/.... Only the JSON-RPC
//   path "/" gets the auth middleware, via app.use("/"), so every method
//   on "/" needs a token (GET / with no token is 401 too); unknown paths are 404
//   {"error":"Not Found"}.
// * Rejection: HTTP 401, Content-Type: application/json;
//   charset=utf-8, WWW-Authenticate: Bearer (no realm/error params), body
//   {"jsonrpc":"2.0","id":null,"error":{"code":-32001,"message":M,"data":{"reason":R}}}
//   with id ALWAYS null (nothing sets "__authParsedId"). (M, R) is one of
//   ("missing authorization header","missing"), ("invalid authorization header
//   format","malformed"), ("token expired","expired"), ("token issuer does not match
//   configured AUTH_ISSUER_URL","invalid_issuer"), ("token audience does not match
//   configured AUTH_CLIENT_ID","invalid_audience"), ("token signature could not be
//   verified","invalid_signature"), ("token is malformed","malformed"),
//   ("token verification failed","verification_failed"). The issuer
//   checked is the discovery document's "issuer", not AUTH_ISSUER_URL itself
//  , and the audience is AUTH_CLIENT_ID; no clock tolerance.
// * Public card: the card as given (no securitySchemes) plus
//   "supportsExtendedAgentCard": true, because withAuthConfig() makes the builder
//   build an extended card. Note: with auth OFF the same happens and
//   the "extended" card is the undecorated card, served to anyone.
// * Extended card: NOT a GET path. JSON-RPC method "agent/getAuthenticatedExtendedCard"
//   on POST / (registered by A2AServer itself), behind the same
//   middleware; result = the card decorated by decorateAgentCardWithAuth:
//   "securitySchemes":{"oidc":{"openIdConnectSecurityScheme":{"openIdConnectUrl":
//   "<issuer>/.well-known/openid-configuration","description":"OpenID Connect
//   authentication via JWT Bearer tokens."}}},"security":[{"schemes":{"oidc":{"list":[]}}}]
//   (nested proto-JSON shape, NOT {"type":"openIdConnect",...}), and
//   "supportsExtendedAgentCard" absent. GET /extendedAgentCard is 404 (no route) or
//   401 if it were "/" (it is not).
// * tasks/get for an unknown task: HTTP 200 {"jsonrpc":"2.0","id":ID,"error":
//   {"code":-32602,"message":"task not found"}}, i.e. INVALID_PARAMS, not
//   A2A's -32001 TaskNotFound. The param is "taskId"; {"id":...} gives -32602
//   "invalid params: taskId is required and must be a non-empty string".
import net from 'node:net';
import {
  A2AServerBuilder,
  InMemoryTaskStorage,
  TASK_GET_METHOD,
  TASK_LIST_METHOD,
  createAuthenticator,
  createLogger,
  createTaskGetHandler,
  createTaskListHandler,
  decorateAgentCardWithAuth,
  loadAuthConfigFromEnv,
} from '@inference-gateway/adk';

function fail(err) {
  let msg = `agent.mjs: start-up failed: ${err?.name ?? 'Error'}: ${err?.message ?? err}`;
  for (let c = err?.cause; c !== undefined && c !== null; c = c.cause) {
    msg += `\n  caused by: ${c?.name ?? 'Error'}: ${c?.message ?? c}`;
  }
  process.stderr.write(msg + '\n');
  process.exit(1);
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function main() {
  const host = '127.0.0.1';
  let port = Number.parseInt(process.env.A2A_SERVER_PORT ?? '0', 10);
  if (!Number.isInteger(port) || port < 0) throw new Error(`bad A2A_SERVER_PORT ${process.env.A2A_SERVER_PORT}`);
  if (port === 0) port = await freePort();
  const url = `http://${host}:${port}`;

  const logger = createLogger();
  const authConfig = loadAuthConfigFromEnv();
  const authenticator = await createAuthenticator({ config: authConfig, logger });

  let card = {
    name: 'igctl-test-agent',
    description: 'A real TypeScript ADK agent for igctl integration tests (no LLM).',
    version: '0.1.0',
    protocolVersion: '0.3.0',
    url: `${url}/`,
    preferredTransport: 'JSONRPC',
    defaultInputModes: ['text/plain'],
    defaultOutputModes: ['text/plain'],
    capabilities: { streaming: false, pushNotifications: false, stateTransitionHistory: false },
    skills: [{ id: 'echo', name: 'Echo', description: 'Completes every task without an LLM.', tags: ['test'] }],
  };
  if (process.env.ADK_DECORATE_CARD === '1') card = decorateAgentCardWithAuth(card, authConfig);

  const storage = new InMemoryTaskStorage();
  const server = new A2AServerBuilder({ storage })
    .withLogger(logger)
    .withAgentCard(card)
    .withDefaultBackgroundTaskHandler()
    .withAuthenticator(authenticator)
    .withAuthConfig(authConfig)
    .build();
  server.registerMethod(TASK_GET_METHOD, createTaskGetHandler({ storage }));
  server.registerMethod(TASK_LIST_METHOD, createTaskListHandler({ storage }));

  await server.listen(port, host);
  logger.info(`auth ${authenticator.enabled ? 'enabled' : 'disabled'}`);
  process.stdout.write(`LISTENING ${url}\n`);

  const stop = () => server.close().finally(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch(fail);
