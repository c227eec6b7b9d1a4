import type https from 'node:https';
import { ClientCertificateCredential, ClientSecretCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import type { GraphConfig } from '../config';

const PUBLIC_CLOUD_AUTHORITY = 'https://login.microsoftonline.com';

/**
 * The bot's own identity as a token credential for Graph: client secret (MicrosoftAppPassword), certificate
 * (GRAPH_CERTIFICATE_PATH) or the user-assigned managed identity (MicrosoftAppType=UserAssignedMSI, its client id is
 * the bot's app id).
 *
 * Instance discovery (a call to the public cloud's discovery endpoint to validate the authority) stays on for the public
 * cloud and is off for any other authority host (a national cloud, or the stand-in in test mode), which MSAL could not
 * validate that way. In test mode `agent` pins the stand-in's certificate for identity's own requests: credential
 * options are pipeline options, whose `agent` the Azure SDK pipeline puts on every request of this credential only.
 */
export function createCredential(config: GraphConfig, agent?: https.Agent): TokenCredential {
  const pinned = agent ? { agent } : {};
  const common = {
    authorityHost: config.authorityHost,
    disableInstanceDiscovery: config.authorityHost.toLowerCase() !== PUBLIC_CLOUD_AUTHORITY || config.testCertificateSha256 !== undefined,
    ...pinned,
  };
  switch (config.credential) {
    case 'secret':
      return new ClientSecretCredential(config.tenantId, config.clientId, config.clientSecret ?? '', common);
    case 'certificate':
      return new ClientCertificateCredential(config.tenantId, config.clientId, { certificatePath: config.certificatePath ?? '' }, common);
    case 'managedIdentity':
      // The platform's token endpoint (App Service's IDENTITY_ENDPOINT, or IMDS) is plain HTTP on the host itself: the
      // pinned agent, for the Graph stand-in's HTTPS, has nothing to pin there and would refuse the http: URL.
      return new ManagedIdentityCredential({ clientId: config.clientId });
  }
}
