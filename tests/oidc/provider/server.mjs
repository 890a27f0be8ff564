// A real OpenID Provider for the test suite (node oidc-provider, pinned in package-lock.json), started by
// tests/fixtures/oidc.py on a loopback port: `node server.mjs PORT`. It prints "listening <issuer>" when ready.
//
// Its login and consent pages are oidc-provider's own (devInteractions): any password is accepted, and the login
// typed becomes the account: its `sub` is the login, its email the login (or <login>@example.ac.za), and a
// login starting with "unverified" has email_verified=false. One confidential client, registered as a native
// (loopback) application so that any port of http://127.0.0.1 or http://localhost may be redirected to.
import Provider from 'oidc-provider';

const port = Number(process.argv[2] || process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const paths = { callback: '/login/university/callback', loggedOut: '/login' };
const hosts = ['http://127.0.0.1', 'http://localhost'];

function claimsOf(login) {
  const email = login.includes('@') ? login.toLowerCase() : `${login.toLowerCase()}@example.ac.za`;
  const local = email.split('@')[0];
  return {
    email,
    email_verified: !local.startsWith('unverified'),
    name: local.split(/[._-]/).map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join(' '),
    preferred_username: email,
  };
}

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'rinaibra-tests',
    client_secret: 'rinaibra-tests-secret',
    application_type: 'native',
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    redirect_uris: hosts.map((host) => host + paths.callback),
    post_logout_redirect_uris: hosts.map((host) => host + paths.loggedOut),
  }],
  findAccount: async (ctx, id) => ({ accountId: id, claims: async () => claimsOf(id) }),
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'preferred_username'],
  },
  conformIdTokenClaims: false, // the ID token carries the scopes' claims (as Entra ID and Google do)
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  cookies: { keys: ['rinaibra-tests-cookie-key'] },
});

provider.listen(port, '127.0.0.1', () => {
  console.log(`listening ${issuer}`);
});
